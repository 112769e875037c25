"""The embedded mode as `make run` sets it up: links at its port, slides served, quiet mail."""

from __future__ import annotations

import importlib
import logging
import re
import shlex
import shutil
import subprocess

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import clear_url_caches, reverse

import kohtaamo.urls
from events.models import EventMaterial
from tests.factories import EventFactory, UserFactory

from .conftest import BASE_DIR

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def run_environment(*make_args: str) -> dict[str, str]:
    """The variables `make run …` gives the web server (from `make -n`: nothing runs)."""
    lines = subprocess.run(  # noqa: S603 - fixed arguments
        [shutil.which("make") or "make", "-n", "--no-print-directory", "run", *make_args],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    server = next(line for line in lines if "manage.py runserver" in line)
    words = shlex.split(server)
    return dict(word.split("=", 1) for word in words if re.match(r"^[A-Z_]+=", word))


@pytest.fixture
def embedded_urls(settings):
    """The URL configuration as the embedded mode loads it (SERVE_MEDIA on)."""

    def reload(*, serve_media: bool) -> None:
        settings.SERVE_MEDIA = serve_media
        importlib.reload(kohtaamo.urls)
        clear_url_caches()

    reload(serve_media=True)
    yield
    reload(serve_media=False)


def test_make_run_port_sets_the_links_of_emails(
    client, settings, django_capture_on_commit_callbacks
):
    environment = run_environment("PORT=8101")
    assert environment["SITE_URL"] == "http://127.0.0.1:8101"
    settings.SITE_URL = environment["SITE_URL"]
    event = EventFactory(capacity=5)
    client.force_login(UserFactory(language="en"))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("events:register", args=[event.pk]))
    (message,) = mail.outbox
    links = re.findall(r"https?://[^\s<>\"]+", message.body)
    site_links = [link for link in links if "127.0.0.1" in link]
    assert site_links, message.body
    assert all(re.match(r"http://127\.0\.0\.1:8101(/|$)", link) for link in site_links), site_links


def test_make_run_serves_uploaded_files():
    assert run_environment()["SERVE_MEDIA"] == "true"


def test_uploaded_slides_are_served_in_the_embedded_mode(client, organiser, embedded_urls):
    event = EventFactory()
    client.force_login(organiser)
    upload = SimpleUploadedFile("kalvot.pdf", PDF, content_type="application/pdf")
    url = reverse("events:organise_event_materials", args=[event.pk])
    assert client.post(url, {"title": "Kalvot", "file": upload}).status_code == 302
    material = EventMaterial.objects.get()

    client.logout()  # what a participant who follows the link gets
    response = client.get(reverse("reach:material", args=[material.pk]), follow=True)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert response["Content-Type"] == "application/pdf"


def test_private_uploads_are_not_served(client, settings, embedded_urls):
    private = settings.MEDIA_ROOT / "attendance-uploads"
    private.mkdir(parents=True)
    (private / "report.csv").write_text("Name,Email\nMaija,maija@example.fi\n")
    (settings.MEDIA_ROOT / "materials").mkdir()
    assert client.get("/media/attendance-uploads/report.csv").status_code == 404
    # Out of materials/ by "..": refused (400, SuspiciousFileOperation), never the file.
    for path in ("materials/../attendance-uploads", "materials/%2e%2e/attendance-uploads"):
        response = client.get(f"/media/{path}/report.csv")
        assert response.status_code in (400, 404)
        assert b"maija@example.fi" not in response.content


def test_media_is_not_served_by_django_in_production(client, settings):
    # The test settings are production's here: SERVE_MEDIA off, the proxy serves /media/.
    assert settings.SERVE_MEDIA is False
    folder = settings.MEDIA_ROOT / "materials"
    folder.mkdir(parents=True)
    (folder / "kalvot.pdf").write_bytes(PDF)
    assert client.get("/media/materials/kalvot.pdf").status_code == 404


def test_sending_mail_in_the_embedded_mode_logs_no_warning(
    client, caplog, django_capture_on_commit_callbacks
):
    event = EventFactory(capacity=5)
    client.force_login(UserFactory(language="en"))
    with caplog.at_level(logging.WARNING), django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("events:register", args=[event.pk]))
    assert len(mail.outbox) == 1
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert warnings == []

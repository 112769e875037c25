"""The archive button on the reports page, the list of archives and the download."""

import io
import zipfile

import pytest
from django.urls import reverse

from archive.models import ArchiveRequest, ArchiveStatus
from archive.services import run_archive_request
from outbox.models import OutboxMessage

pytestmark = pytest.mark.django_db


def test_the_button_is_for_admins_only(client, admin_user, reporting):
    client.cookies["django_language"] = "en"
    client.force_login(reporting)
    page = client.get(reverse("reports:attendance"))
    assert page.status_code == 200
    assert reverse("archive:request") not in page.content.decode()
    client.force_login(admin_user)
    page = client.get(reverse("reports:attendance"))
    assert reverse("archive:request") in page.content.decode()


def test_the_button_records_a_request_and_its_task(client, admin_user, programme):
    client.force_login(admin_user)
    response = client.post(reverse("archive:request"))
    assert response.status_code == 302
    request = ArchiveRequest.objects.get()
    assert request.status == ArchiveStatus.PENDING
    assert request.requested_by == admin_user
    assert not request.keep_personal_data
    message = OutboxMessage.objects.get(key=f"archive:{request.pk}")
    assert message.task == "archive.build"
    assert message.args == [request.pk]


@pytest.mark.usefixtures("programme")
def test_the_task_builds_it_and_only_admins_download_it(
    client, admin_user, reporting, organiser, settings
):
    client.cookies["django_language"] = "en"
    client.force_login(admin_user)
    client.post(reverse("archive:request"))
    request = ArchiveRequest.objects.get()
    assert run_archive_request(request_id=request.pk) is True
    assert run_archive_request(request_id=request.pk) is False  # once
    request.refresh_from_db()
    assert request.status == ArchiveStatus.DONE
    assert (settings.ARCHIVE_ROOT / request.file_name).exists()
    assert not str(settings.ARCHIVE_ROOT).startswith(str(settings.MEDIA_ROOT))

    listing = client.get(reverse("archive:list"))
    url = reverse("archive:download", args=[request.pk])
    assert url in listing.content.decode()
    download = client.get(url)
    assert download.status_code == 200
    assert download["Content-Type"] == "application/zip"
    assert "attachment" in download["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content))) as archive:
        assert "data_dictionary.csv" in archive.namelist()

    for person in (reporting, organiser):
        client.force_login(person)
        assert client.get(url).status_code == 403
        assert client.get(reverse("archive:list")).status_code == 403
        assert client.post(reverse("archive:request")).status_code == 403
    client.logout()
    assert client.get(url).status_code == 302


def test_an_archive_not_ready_is_not_found(client, admin_user):
    request = ArchiveRequest.objects.create(requested_by=admin_user)
    client.force_login(admin_user)
    assert client.get(reverse("archive:download", args=[request.pk])).status_code == 404


@pytest.mark.usefixtures("programme")
def test_after_commit_the_outbox_runs_the_build(
    client, admin_user, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("archive:request"))
    request = ArchiveRequest.objects.get()
    assert request.status == ArchiveStatus.DONE
    assert request.size > 0
    assert OutboxMessage.objects.get(key=f"archive:{request.pk}").status == "sent"

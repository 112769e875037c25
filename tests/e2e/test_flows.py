"""End-to-end flows in the browser, the way people do them."""

import re
from urllib.parse import urlparse

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from events.models import Registration, RegistrationStatus
from recordings.demo import make_vtt
from tests.e2e.conftest import page_problems
from tests.factories import RecordingFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _submit(page, selector: str) -> None:
    with page.expect_navigation():
        page.locator(selector).first.click()


def test_guest_registers_confirms_from_the_email_and_cancels(world, page):
    page.goto(world.workshop.get_absolute_url())
    page.fill("#id_name", "Greta Guest")
    page.fill("#id_email", "greta@example.fi")
    page.fill("#id_organisation", "Kela")
    mail.outbox.clear()
    _submit(page, ".registration-box button[type=submit]")
    assert page.locator("[role=status]").inner_text().strip()
    registration = Registration.objects.get(event=world.workshop, email="greta@example.fi")
    assert registration.status == RegistrationStatus.PENDING

    (message,) = [m for m in mail.outbox if "greta@example.fi" in m.to]
    link = re.search(r"https?://\S+/events/registration/\S+/", message.body).group(0)
    page.goto(urlparse(link).path)
    assert page_problems(page) == []
    _submit(page, "form input[value=confirm] ~ button")
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CONFIRMED
    assert page.locator("[role=status]").inner_text().strip()

    _submit(page, "form input[value=cancel] ~ button")
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CANCELLED
    assert page.locator("[role=status]").inner_text().strip()


def test_communications_uploads_captions_approves_and_publishes(world, page, sign_in_as, tmp_path):
    recording = RecordingFactory(
        event=world.past,
        video_id="upload001",
        platform="Youtube",
        uploaded_on=timezone.localdate(),
        duration_seconds=60,
    )
    captions = tmp_path / "kohtaamo.fi.vtt"
    captions.write_text(make_vtt(60), encoding="utf-8")
    sign_in_as(world.communications)
    page.goto(reverse("recordings:detail", args=[recording.pk]))
    page.select_option("#upload + form select[name=language]", "fi")
    page.set_input_files("#upload + form input[type=file]", str(captions))
    _submit(page, "#upload + form button[type=submit]")
    assert recording.tracks.filter(kind="human").count() == 1
    assert page_problems(page) == []
    _submit(page, "button[value=approve]")
    _submit(page, f"form[action='{reverse('recordings:publish', args=[recording.pk])}'] button")
    recording.refresh_from_db()
    assert recording.publication_state == "published"

    # The public event page embeds it with captions on (loaded when asked: click to load)
    # and links to the transcript.
    page.goto(world.past.get_absolute_url())
    page.route("https://www.youtube-nocookie.com/**", lambda route: route.fulfill(body=""))
    page.locator(f"a[href='{reverse('reach:play', args=[recording.pk])}']").click()
    frame = page.locator(f"iframe[src*='{recording.video_id}']")
    assert "cc_load_policy=1" in frame.get_attribute("src")
    assert frame.get_attribute("title")
    transcript = reverse("recordings:transcript", args=[recording.pk])
    assert page.locator(f"a[href='{transcript}']").count() == 1
    page.goto(transcript)
    assert "Tervetuloa" in page.locator("main").inner_text()
    assert page_problems(page) == []

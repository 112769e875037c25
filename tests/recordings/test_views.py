"""Pages: dashboard (filters, totals, fixed queries), recording page flows, public embed."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accessibility.services import publish
from recordings.models import (
    CaptionOrder,
    CaptionTrack,
    PublicationState,
    Recording,
    TrackKind,
    TrackStatus,
)
from tests.factories import CaptionTrackFactory, EventFactory, RecordingFactory

from .conftest import vtt_bytes

pytestmark = pytest.mark.django_db
DASHBOARD = reverse("recordings:dashboard")


def approved(recording, **kwargs):
    return CaptionTrackFactory(
        recording=recording,
        kind=TrackKind.HUMAN,
        status=TrackStatus.APPROVED,
        checked_at=timezone.now(),
        vtt=vtt_bytes("good.vtt").decode(),
        **kwargs,
    )


def order(recording, minutes, *, delivered=True):
    return CaptionOrder.objects.create(
        recording=recording,
        vendor="Tekstitys Oy",
        ordered_on=timezone.localdate(),
        minutes=Decimal(minutes),
        delivered_on=timezone.localdate() if delivered else None,
    )


@pytest.fixture
def states(communications):
    today = timezone.localdate()
    overdue = RecordingFactory(title="Overdue", uploaded_on=today - dt.timedelta(days=20))
    needs = RecordingFactory(title="Needs ordering", uploaded_on=today)
    CaptionTrackFactory(recording=needs, kind=TrackKind.AUTOMATIC)
    waiting = RecordingFactory(title="Waiting", uploaded_on=today, view_count=10)
    order(waiting, 30, delivered=False)
    ready = RecordingFactory(title="Ready", view_count=20)
    approved(ready)
    order(ready, 60)
    published = RecordingFactory(title="Published", view_count=12, duration_seconds=1800)
    approved(published)
    order(published, 30)
    publish(recording=published, by=communications)
    return {
        "overdue": overdue,
        "needs": needs,
        "waiting": waiting,
        "ready": ready,
        "published": published,
    }


def titles(response):
    return [row.recording.title for row in response.context["rows"]]


def test_dashboard_requires_ability(client, user):
    assert client.get(DASHBOARD).status_code == 302
    client.force_login(user)
    assert client.get(DASHBOARD).status_code == 403


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("overdue", ["Overdue"]),
        ("needs_ordering", ["Overdue", "Needs ordering"]),
        ("waiting_for_vendor", ["Waiting"]),
        ("ready", ["Ready"]),
        ("published", ["Published"]),
    ],
)
def test_dashboard_filters(client, communications, states, name, expected):
    client.force_login(communications)
    response = client.get(DASHBOARD, {"filter": name})
    assert response.status_code == 200
    assert sorted(titles(response)) == sorted(expected)


def test_dashboard_totals_and_cost_per_view(client, communications, states):
    client.force_login(communications)
    response = client.get(DASHBOARD)
    totals = response.context["totals"]
    assert totals.recordings == 5
    assert totals.euros == Decimal("384.00")  # (30 + 60 + 30) min × 3.20 €
    assert totals.views == 42
    assert totals.euros_per_view == Decimal("9.14")
    assert totals.minutes_captioned == 90  # durations of compliant ones: 60 + 30 min
    row = {r.recording.title: r for r in response.context["rows"]}["Ready"]
    assert row.cost == Decimal("192.00") and row.cost_per_view == Decimal("9.60")
    assert "384,00 €" in response.content.decode() or "384.00 €" in response.content.decode()


def _many(count):
    for n in range(count):
        recording = RecordingFactory(view_count=n)
        CaptionTrackFactory(recording=recording, kind=TrackKind.AUTOMATIC)
        if n % 2:
            approved(recording, language="sv")
            order(recording, 10)


def test_dashboard_query_count_fixed(client, communications, django_assert_num_queries):
    client.force_login(communications)
    _many(10)
    client.get(DASHBOARD)  # warm the session, policy row
    with django_assert_num_queries(7) as small:
        client.get(DASHBOARD)
    _many(490)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(DASHBOARD)
    assert len(response.context["rows"]) == 500


def test_add_recording_page(client, communications, fake_platform):
    url = "https://www.youtube.com/watch?v=kOhTaAmO002"
    fake_platform.add(url, "automatic_only.json")
    event = EventFactory(
        starts_at=timezone.now() - dt.timedelta(days=3),
        ends_at=timezone.now() - dt.timedelta(days=3, hours=-1),
    )
    client.force_login(communications)
    assert client.get(reverse("recordings:add")).status_code == 200
    response = client.post(
        reverse("recordings:add"),
        {"event": event.pk, "url": url, "is_live_recording": "on"},
    )
    recording = Recording.objects.get()
    assert response.status_code == 302 and recording.event == event


def test_add_refuses_bad_url(en_client, communications):
    en_client.force_login(communications)
    response = en_client.post(reverse("recordings:add"), {"url": "not a url"})
    assert response.status_code == 200 and not Recording.objects.exists()
    assert "Enter a valid URL" in response.content.decode()


def test_private_video_sync_shows_error_not_crash(client, communications, fake_platform):
    url = "https://www.youtube.com/watch?v=kOhTaAmO004"
    fake_platform.add(url, "private_error.json")
    recording = RecordingFactory(url=url)
    client.force_login(communications)
    response = client.post(reverse("recordings:sync", args=[recording.pk]), follow=True)
    assert response.status_code == 200
    assert "Private video" in response.content.decode()


def test_full_flow_upload_fix_approve_publish(en_client, communications):
    """Upload a file with errors, see findings, fix it, approve, publish; embed on event page."""
    event = EventFactory()
    recording = RecordingFactory(
        event=event, duration_seconds=20, video_id="kOhTaAmO001", availability="public"
    )
    en_client.force_login(communications)
    detail = reverse("recordings:detail", args=[recording.pk])
    upload_url = reverse("recordings:upload", args=[recording.pk])
    response = en_client.post(
        upload_url,
        {
            "language": "fi",
            "file": SimpleUploadedFile(
                "fi.vtt", vtt_bytes("too_fast.vtt"), content_type="text/vtt"
            ),
        },
        follow=True,
    )
    page = response.content.decode()
    assert "too_fast" in page and "00:00:18.200" in page and "Reading speed" in page
    response = en_client.post(reverse("recordings:publish", args=[recording.pk]))
    assert response.status_code == 400
    assert "have errors" in response.content.decode()
    en_client.post(
        upload_url,
        {
            "language": "fi",
            "file": SimpleUploadedFile("fi.vtt", vtt_bytes("good.vtt"), content_type="text/vtt"),
        },
    )
    track = CaptionTrack.objects.get(recording=recording, kind=TrackKind.HUMAN)
    assert track.error_count == 0
    en_client.post(
        reverse("recordings:review", args=[recording.pk, track.pk]), {"action": "approve"}
    )
    track.refresh_from_db()
    assert track.status == TrackStatus.APPROVED and track.reviewed_by == communications
    response = en_client.post(reverse("recordings:publish", args=[recording.pk]))
    assert response.status_code == 302
    recording.refresh_from_db()
    assert recording.publication_state == PublicationState.PUBLISHED
    assert en_client.get(detail).status_code == 200
    en_client.logout()
    page = en_client.get(event.get_absolute_url()).content.decode()
    assert (
        "https://www.youtube-nocookie.com/embed/kOhTaAmO001?cc_load_policy=1&amp;cc_lang_pref=fi"
        in page
    )
    assert 'title="Video: ' in page
    assert "Tervetuloa Kohtaamoon." in page  # transcript in <details>
    transcript = en_client.get(reverse("recordings:transcript", args=[recording.pk]))
    assert "Tervetuloa Kohtaamoon." in transcript.content.decode()


def test_upload_of_broken_file_names_line_and_stores_nothing(en_client, communications):
    recording = RecordingFactory(duration_seconds=20)
    en_client.force_login(communications)
    response = en_client.post(
        reverse("recordings:upload", args=[recording.pk]),
        {
            "language": "fi",
            "file": SimpleUploadedFile("fi.vtt", vtt_bytes("comma_timestamps.vtt")),
        },
    )
    assert response.status_code == 400
    assert "line 13" in response.content.decode()
    assert not CaptionTrack.objects.exists()


def test_unpublished_recordings_are_not_shown_or_transcribed(client):
    event = EventFactory()
    recording = RecordingFactory(event=event, video_id="kOhTaAmO009")
    approved(recording)
    assert "kOhTaAmO009" not in client.get(event.get_absolute_url()).content.decode()
    assert client.get(reverse("recordings:transcript", args=[recording.pk])).status_code == 404


def test_override_field_only_for_admins(en_client, communications, admin_user):
    recording = RecordingFactory(availability="public")
    detail = reverse("recordings:detail", args=[recording.pk])
    en_client.force_login(communications)
    assert "override_reason" not in en_client.get(detail).content.decode()
    en_client.post(
        reverse("recordings:publish", args=[recording.pk]),
        {"override_reason": "Tarpeeksi pitkä perustelu"},
    )
    recording.refresh_from_db()
    assert recording.publication_state == PublicationState.NOT_PUBLISHED
    en_client.force_login(admin_user)
    assert "override_reason" in en_client.get(detail).content.decode()
    en_client.post(
        reverse("recordings:publish", args=[recording.pk]),
        {"override_reason": "Tarpeeksi pitkä perustelu"},
    )
    recording.refresh_from_db()
    assert recording.publication_state == PublicationState.PUBLISHED


def test_order_and_delivery_pages(client, communications):
    recording = RecordingFactory(duration_seconds=20)
    client.force_login(communications)
    client.post(
        reverse("recordings:order", args=[recording.pk]),
        {"vendor": "Tekstitys Oy", "language": "fi", "price_per_minute": "3.20"},
    )
    caption_order = CaptionOrder.objects.get()
    assert caption_order.minutes == 1
    client.post(
        reverse("recordings:deliver", args=[recording.pk, caption_order.pk]),
        {"file": SimpleUploadedFile("v.srt", vtt_bytes("good.srt"))},
    )
    track = CaptionTrack.objects.get()
    assert track.source == "vendor" and track.order == caption_order

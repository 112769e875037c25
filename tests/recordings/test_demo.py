"""Demo data: recordings in every state, no network."""

import pytest
from django.utils import timezone

from accessibility.compliance import DeadlineState, Status
from accessibility.models import CaptionPolicy
from accounts.models import User
from kohtaamo import demo
from recordings import platform
from recordings.dashboard import build_dashboard
from recordings.models import CaptionOrder, Recording
from recordings.selectors import recordings_for_dashboard


@pytest.mark.django_db
def test_demo_recordings_cover_every_state(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("the demo seeder must not touch the network")

    monkeypatch.setattr(platform, "_extract_raw", no_network)
    monkeypatch.setattr(platform, "_download_text", no_network)
    demo.seed(today=timezone.localdate())
    rows, totals = build_dashboard(
        recordings_for_dashboard(), policy=CaptionPolicy.load(), today=timezone.localdate()
    )
    assert 20 <= len(rows) <= 30
    statuses = {row.compliance.status for row in rows}
    assert statuses >= {
        Status.NO_CAPTIONS,
        Status.ONLY_AUTOMATIC,
        Status.ERRORS,
        Status.NEEDS_REVIEW,
        Status.COMPLIANT,
    }
    states = {row.compliance.deadline_state for row in rows}
    assert {DeadlineState.OVERDUE, DeadlineState.DUE_SOON, DeadlineState.DUE} <= states
    assert any(row.published for row in rows)
    assert any(row.matches("ready") for row in rows)
    assert Recording.objects.filter(availability="unlisted", view_count=0).count() == 1
    assert CaptionOrder.objects.filter(delivered_on__isnull=True).exists()
    assert 15 <= totals.views / len(rows) <= 30
    assert all(r.event_id for r in Recording.objects.all())


@pytest.mark.django_db
def test_demo_pages_render_for_communications(client):
    demo.seed(today=timezone.localdate())
    client.force_login(User.objects.get(email="viestinta@kohtaamo.example"))
    for name in ["", "overdue", "needs_ordering", "waiting_for_vendor", "ready", "published"]:
        assert client.get("/recordings/", {"filter": name}).status_code == 200
    for recording in Recording.objects.all():
        assert client.get(f"/recordings/{recording.pk}/").status_code == 200
    published = Recording.objects.filter(publication_state="published").first()
    page = client.get(published.event.get_absolute_url()).content.decode()
    assert "youtube-nocookie.com/embed/" in page
    assert client.get("/accessibility/statement/").status_code == 200

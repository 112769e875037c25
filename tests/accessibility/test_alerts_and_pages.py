"""Deadline alerts (idempotent), the statement, the policy page."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accessibility.models import AccessibilityStatement, CaptionPolicy
from accessibility.services import publish
from accessibility.tasks import send_deadline_alerts
from recordings.models import TrackKind
from recordings.services import store_track
from tests.factories import CaptionTrackFactory, RecordingFactory
from tests.recordings.conftest import vtt_bytes

pytestmark = pytest.mark.django_db


@pytest.mark.date_sensitive
def test_alert_within_three_days_once_a_day(communications):
    today = timezone.localdate()
    soon = RecordingFactory(title="Soon", uploaded_on=today - dt.timedelta(days=12))
    RecordingFactory(title="Later", uploaded_on=today - dt.timedelta(days=2))
    assert send_deadline_alerts(today=today.isoformat()) == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [communications.email]
    assert "Soon" in mail.outbox[0].subject
    assert f"/recordings/{soon.pk}/" in mail.outbox[0].body
    send_deadline_alerts.delay()
    assert send_deadline_alerts(today=today.isoformat()) == 0
    assert len(mail.outbox) == 1
    assert send_deadline_alerts(today=(today + dt.timedelta(days=1)).isoformat()) == 1


def test_no_alert_for_compliant(communications):
    today = timezone.localdate()
    recording = RecordingFactory(uploaded_on=today - dt.timedelta(days=12))
    CaptionTrackFactory(
        recording=recording, kind=TrackKind.HUMAN, status="approved", checked_at=timezone.now()
    )
    assert send_deadline_alerts(today=today.isoformat()) == 0


def test_statement_lists_uncaptioned_and_override(client, admin_user):
    RecordingFactory(title="Uncaptioned public", availability="public")
    RecordingFactory(title="Private draft", availability="private")
    overridden = RecordingFactory(title="Overridden", availability="public")
    publish(recording=overridden, by=admin_user, override_reason="Kohtuuton rasite, selvitetty")
    client.cookies["django_language"] = "en"
    page = client.get(reverse("accessibility:statement")).content.decode()
    assert "Uncaptioned public" in page and "Private draft" not in page
    assert "Kohtuuton rasite, selvitetty" in page
    assert "saavutettavuusvaatimukset.fi" in page
    assert "Finnish Permit and Supervisory Agency" in page  # the authority since 1.1.2026


def test_statement_edit_by_communications_only(client, communications, organiser):
    url = reverse("accessibility:statement_edit")
    client.force_login(organiser)
    assert client.get(url).status_code == 403
    client.force_login(communications)
    response = client.post(
        url,
        {
            "compliance_status": "partial",
            "non_accessible_content_fi": "Osa tallenteista",
            "disproportionate_burden_fi": "",
            "accessible_alternatives_fi": "Tekstivastine",
            "prepared_on": "2026-11-01",
            "reviewed_on": "2026-11-20",
            "assessment_method_fi": "Itsearviointi",
            "feedback_contact_fi": "saavutettavuus@example.fi",
            "feedback_answer_days": "14",
            "authority_name_fi": "Lupa- ja valvontavirasto",
        },
    )
    assert response.status_code == 302
    statement = AccessibilityStatement.load()
    assert statement.assessment_method == "Itsearviointi"
    assert statement.reviewed_on == dt.date(2026, 11, 20)


def test_policy_page_changes_thresholds_and_rechecks(client, communications):
    recording = RecordingFactory(duration_seconds=20)
    track = store_track(recording=recording, language="fi", content=vtt_bytes("good.vtt"))
    assert track.error_count == 0
    client.force_login(communications)
    data = {
        f: getattr(CaptionPolicy(), f)
        for f in (
            "required_languages",
            "deadline_days",
            "max_chars_per_line_warning",
            "max_lines_per_cue",
            "min_cue_seconds",
            "max_cue_seconds_warning",
            "max_cps_warning",
            "max_cps_error",
            "min_gap_seconds_warning",
            "min_coverage",
            "max_silent_stretch_seconds",
        )
    }
    data["max_chars_per_line_error"] = 20
    data["max_chars_per_line_warning"] = 15
    response = client.post(reverse("accessibility:policy"), data)
    assert response.status_code == 302
    assert CaptionPolicy.load().max_chars_per_line_error == 20
    track.refresh_from_db()
    assert track.error_count > 0


def test_policy_page_refuses_bad_values(client, communications):
    client.force_login(communications)
    response = client.post(reverse("accessibility:policy"), {"required_languages": "fi;;"})
    assert response.status_code == 200 and response.context["form"].errors


def test_policy_page_forbidden_to_organiser(client, organiser):
    client.force_login(organiser)
    assert client.get(reverse("accessibility:policy")).status_code == 403

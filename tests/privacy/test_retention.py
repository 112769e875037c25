"""Retention: guests' and past events' personal data is anonymised after RETENTION_MONTHS."""

import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accessibility.models import AccessibilityFeedback, FeedbackChannel
from accounts.services import apply_retention, retention_cutoff
from accounts.tasks import apply_retention as retention_task
from events.attendance import teams
from events.attendance.services import _identity_hash, import_attendance
from events.models import AttendanceImport, Event, Registration
from tests.factories import EventFactory, RegistrationFactory, UserFactory

pytestmark = pytest.mark.django_db


def _event_ended(months_ago: float):
    ends = timezone.now() - dt.timedelta(days=30.5 * months_ago)
    return EventFactory(starts_at=ends - dt.timedelta(hours=1), ends_at=ends)


@pytest.fixture
def rows(settings):
    settings.RETENTION_MONTHS = 24
    old_event = _event_ended(25)
    recent_event = _event_ended(3)
    person = UserFactory()
    return {
        "old_member": RegistrationFactory(event=old_event, user=person, attended=True),
        "old_guest": RegistrationFactory(event=old_event, user=None, email="old@guest.fi"),
        "recent_member": RegistrationFactory(event=recent_event, user=person),
        "recent_guest": RegistrationFactory(event=recent_event, user=None, email="new@guest.fi"),
    }


def _fresh(row):
    return Registration.objects.get(pk=row.pk)


@pytest.mark.date_sensitive
def test_old_rows_are_anonymised_and_recent_ones_kept(rows):
    result = apply_retention()

    assert result.registrations == 2
    for key in ("old_member", "old_guest"):
        row = _fresh(rows[key])
        assert row.anonymised_at is not None
        assert (row.user_id, row.name) == (None, "")
        assert row.email.endswith("@anonymised.invalid")
    assert _fresh(rows["old_member"]).attended is True  # attendance kept
    assert _fresh(rows["recent_member"]).user_id == rows["recent_member"].user_id
    assert _fresh(rows["recent_guest"]).email == "new@guest.fi"


def test_a_second_run_changes_nothing(rows):
    apply_retention()
    snapshot = list(Registration.objects.order_by("pk").values())

    result = apply_retention()

    assert result.registrations == 0
    assert list(Registration.objects.order_by("pk").values()) == snapshot


def test_the_time_is_configurable(rows, settings):
    settings.RETENTION_MONTHS = 2

    assert apply_retention().registrations == 4


def test_dry_run_command_counts_and_saves_nothing(rows):
    out = io.StringIO()

    call_command("apply_retention", "--dry-run", stdout=out)

    assert "2 registrations would be anonymised" in out.getvalue()
    assert not Registration.objects.filter(anonymised_at__isnull=False).exists()

    call_command("apply_retention", stdout=out)
    assert Registration.objects.filter(anonymised_at__isnull=False).count() == 2


def test_scheduled_task_applies_retention(rows, settings):
    assert "accounts.tasks.apply_retention" in {
        entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()
    }

    summary = retention_task.delay().get()

    assert summary["registrations"] == 2


def test_cutoff_counts_calendar_months(settings):
    settings.RETENTION_MONTHS = 24
    now = dt.datetime(2026, 3, 31, 12, 0, tzinfo=dt.UTC)
    assert retention_cutoff(now=now) == dt.datetime(2024, 3, 31, 12, 0, tzinfo=dt.UTC)
    settings.RETENTION_MONTHS = 1
    assert retention_cutoff(now=now) == dt.datetime(2026, 2, 28, 12, 0, tzinfo=dt.UTC)


def test_privacy_notice_states_retention_and_the_rest(en_client, settings):
    settings.RETENTION_MONTHS = 18

    page = en_client.get(reverse("privacy")).content.decode()

    assert "anonymised automatically 18 months after the event" in page
    for heading in (
        "Controller",
        "Purposes",
        "Legal basis",
        "Recipients",
        "How long we keep it",
        "Your rights",
        "Contact",
        "Supervisory authority",
    ):
        assert f"<h2>{heading}</h2>" in page
    assert "Tietosuojavaltuutetun toimisto" in page
    assert "public interest" in page
    assert "legitimate interest" in page


TEAMS_REPORT = (
    Path(__file__).resolve().parent.parent / "fixtures" / "teams" / "report_en-us_utf16_tab.csv"
)


def _identity_hashes(data: bytes) -> set[str]:
    return {_identity_hash(person.key) for person in teams.parse_report(data).attendees}


def test_teams_per_person_data_of_old_events_is_anonymised(settings, organiser):
    settings.RETENTION_MONTHS = 24
    event = _event_ended(25)
    RegistrationFactory(event=event, user=None, email="tuomas.nieminen@typ.fi")
    data = TEAMS_REPORT.read_bytes()
    import_attendance(
        event=event,
        file_bytes=data,
        file_name="report.csv",
        by=organiser,
        belongs_to_event=True,  # the fixture is dated 22.7.2026, the event two years ago
        reason="Test data",
    )
    row = AttendanceImport.objects.get()
    assert set(row.summary["people"]) & _identity_hashes(data)  # hashes of e-mails/names
    counts = (row.counted, row.matched, row.unmatched, row.too_short)
    anonymous = Event.objects.get(pk=event.pk).anonymous_attendees

    apply_retention()
    apply_retention()  # idempotent

    row.refresh_from_db()
    assert not set(row.summary["people"]) & _identity_hashes(data)
    assert len(row.summary["people"]) == 6  # everyone but the note-taker bot, still there
    assert (row.counted, row.matched, row.unmatched, row.too_short) == counts
    assert Event.objects.get(pk=event.pk).anonymous_attendees == anonymous


@pytest.mark.date_sensitive
def test_old_accessibility_feedback_loses_its_contact_and_keeps_its_record(settings):
    settings.RETENTION_MONTHS = 24
    today = timezone.localdate()
    old = AccessibilityFeedback.objects.create(
        received_on=today - dt.timedelta(days=800),
        channel=FeedbackChannel.FORM,
        message="Videolta puuttuu tekstitys.",
        contact="lahettaja@example.fi",
        answered_on=today - dt.timedelta(days=790),
        answer_summary="Tekstitys lisätty.",
    )
    recent = AccessibilityFeedback.objects.create(
        received_on=today - dt.timedelta(days=30),
        channel=FeedbackChannel.EMAIL,
        message="Lomakkeen kenttä ilman nimeä.",
        contact="toinen@example.fi",
    )
    out = io.StringIO()
    call_command("apply_retention", "--dry-run", stdout=out)
    assert "1 contact details would be cleared" in out.getvalue()
    assert AccessibilityFeedback.objects.get(pk=old.pk).contact == "lahettaja@example.fi"

    assert apply_retention().feedback_contacts == 1

    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.contact == ""
    assert old.message == "Videolta puuttuu tekstitys."
    assert old.answer_summary == "Tekstitys lisätty."
    assert recent.contact == "toinen@example.fi"
    assert apply_retention().feedback_contacts == 0

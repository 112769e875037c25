"""Deleting an account: the person is gone, every past total stays exactly the same."""

import datetime as dt
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEntry, User
from accounts.services import delete_account
from events.attendance.services import _identity_hash, import_attendance
from events.attendance.teams import person_key
from events.models import AttendanceImport, Feedback, Registration, RegistrationStatus
from events.reports.compute import BREAKDOWN_LABELS, attendance_report
from networks.models import Membership, MembershipStatus
from tests.factories import (
    EventFactory,
    MembershipFactory,
    OrganisationFactory,
    PresenterFactory,
    RegistrationFactory,
    ThemeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _past_event(days_ago: int, **kwargs):
    starts = timezone.now() - dt.timedelta(days=days_ago)
    return EventFactory(starts_at=starts, ends_at=starts + dt.timedelta(hours=1), **kwargs)


@pytest.fixture
def history():
    """Three past events with a person who attended twice, gave feedback, and others."""
    organisation = OrganisationFactory()
    person = UserFactory(organisation=organisation)
    theme = ThemeFactory()
    events = [_past_event(d, theme=theme) for d in (40, 30, 20)]
    mine = [
        RegistrationFactory(event=events[0], user=person, organisation=organisation, attended=True),
        RegistrationFactory(event=events[1], user=person, organisation=organisation, attended=True),
        RegistrationFactory(
            event=events[2], user=person, organisation=organisation, attended=False
        ),
    ]
    Feedback.objects.create(
        event=events[0], registration=mine[0], usefulness=5, recommend=10, session_key="abc"
    )
    for event in events:
        RegistrationFactory(event=event, attended=True, organisation=organisation)
        RegistrationFactory(event=event, user=None, email=f"guest{event.pk}@example.fi")
    upcoming = RegistrationFactory(user=person)  # an event still to come
    membership = MembershipFactory(user=person, show_email=True, show_phone=True)
    presenter = PresenterFactory(user=person)
    return {
        "person": person,
        "events": events,
        "mine": mine,
        "upcoming": upcoming,
        "membership": membership,
        "presenter": presenter,
    }


def _report():
    today = timezone.localdate()
    report = attendance_report(
        start=today - dt.timedelta(days=60), end=today, breakdowns=list(BREAKDOWN_LABELS)
    )
    return report.totals, report.tables, report.comparisons


def test_every_report_total_is_unchanged(history):
    before = _report()
    assert before[0]["unique_participants"] == 4  # the person counts once, not three times

    delete_account(user=history["person"])

    assert _report() == before


def test_person_is_gone_and_rows_are_anonymised(history):
    person = history["person"]
    email = person.email

    delete_account(user=person)

    assert not User.objects.filter(pk=person.pk).exists()
    rows = Registration.objects.filter(pk__in=[r.pk for r in history["mine"]])
    assert rows.count() == 3
    for row in rows:
        assert row.user_id is None
        assert row.name == ""
        assert email not in row.email
        assert row.email.endswith("@anonymised.invalid")
        assert row.anonymised_at is not None
        assert row.organisation_id is not None  # totals per organisation stay
    # attendance and status kept
    assert sorted(r.attended for r in rows) == [False, True, True]
    # the old guest link no longer works
    assert not Registration.objects.filter(token=history["mine"][0].token).exists()
    feedback = Feedback.objects.get()
    assert (feedback.usefulness, feedback.recommend, feedback.session_key) == (5, 10, "")
    membership = Membership.objects.get(pk=history["membership"].pk)
    assert membership.user_id is None
    assert membership.status == MembershipStatus.LEFT
    assert membership.left_on == timezone.localdate()
    assert (membership.show_email, membership.show_phone, membership.show_title) == (
        False,
        False,
        False,
    )
    assert membership.anonymised_at is not None
    history["presenter"].refresh_from_db()
    assert history["presenter"].user_id is None
    upcoming = Registration.objects.get(pk=history["upcoming"].pk)
    assert upcoming.status == RegistrationStatus.CANCELLED
    # No trace of the e-mail anywhere in registrations or memberships.
    assert not Registration.objects.filter(email__icontains=email).exists()
    assert not Membership.objects.filter(invited_email__icontains=email).exists()
    entry = AuditEntry.objects.get(action="account.deleted")
    assert email not in entry.object_label


def test_delete_page_needs_the_e_mail_typed_again(en_client, history):
    person = history["person"]
    en_client.force_login(person)

    wrong = en_client.post(reverse("accounts:delete"), {"email": "someone@else.fi"})

    assert wrong.status_code == 200
    assert "This is not the e-mail address of your account." in wrong.content.decode()
    assert User.objects.filter(pk=person.pk).exists()

    right = en_client.post(reverse("accounts:delete"), {"email": person.email.upper()})

    assert right.status_code == 302
    assert not User.objects.filter(pk=person.pk).exists()
    assert en_client.get(reverse("accounts:profile")).status_code == 302  # signed out


def test_deletion_is_all_or_nothing(history, monkeypatch):
    """A failure at the last step leaves everything as it was."""
    person = history["person"]

    def broken_audit(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("accounts.services.record_audit", broken_audit)
    with pytest.raises(RuntimeError):
        delete_account(user=person)

    assert User.objects.filter(pk=person.pk).exists()
    assert Registration.objects.filter(user=person).count() == 4
    assert not Registration.objects.filter(anonymised_at__isnull=False).exists()
    assert Membership.objects.get(pk=history["membership"].pk).user_id == person.pk


def test_teams_import_data_forgets_the_person_and_totals_stay(organiser):
    data = (
        Path(__file__).resolve().parent.parent / "fixtures/teams/report_en-us_utf16_tab.csv"
    ).read_bytes()
    person = UserFactory(email="tuomas.nieminen@typ.fi")
    event = _past_event(10)
    RegistrationFactory(event=event, user=person)
    import_attendance(
        event=event,
        file_bytes=data,
        file_name="report.csv",
        by=organiser,
        belongs_to_event=True,  # the fixture is dated 22.7.2026, the event ten days ago
        reason="Test data",
    )
    before = _report()
    mine = _identity_hash(person_key("Tuomas Nieminen", person.email))
    assert mine in AttendanceImport.objects.get().summary["people"]

    delete_account(user=person)

    assert _report() == before
    people = AttendanceImport.objects.get().summary["people"]
    assert mine not in people
    assert len(people) == 6

"""Feedback through the accessibility statement's channel (issue 18): recorded with its date,
due within the statement's answer time (14 days by default, Act 306/2019), listed for staff
by due date, answered with a date and a summary."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from accessibility.models import AccessibilityFeedback, AccessibilityStatement, FeedbackChannel
from accessibility.selectors import open_feedback
from accessibility.services import submit_feedback, update_statement
from accounts.models import AuditEntry
from tests.conftest import HELSINKI
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 2, 12, 0, tzinfo=HELSINKI)
TODAY = NOW.date()


def _feedback(days_ago: int, message: str, **extra) -> AccessibilityFeedback:
    return AccessibilityFeedback.objects.create(
        received_on=TODAY - dt.timedelta(days=days_ago), message=message, **extra
    )


@time_machine.travel(NOW, tick=False)
def test_public_feedback_is_recorded_today_and_due_in_14_days(en_client):
    response = en_client.post(
        reverse("accessibility:statement_feedback"),
        {"message": "The video player has no captions button", "contact": "anna@example.fi"},
        follow=True,
    )
    feedback = AccessibilityFeedback.objects.get()
    assert feedback.received_on == TODAY
    assert feedback.channel == FeedbackChannel.FORM
    assert feedback.contact == "anna@example.fi"
    assert feedback.due_on(AccessibilityStatement.load().feedback_answer_days) == dt.date(
        2026, 12, 16
    )
    with translation.override("en"):
        due = date_format(dt.date(2026, 12, 16), "DATE_FORMAT")
    html = response.content.decode()
    assert f"we will answer by {due}" in html
    assert "anna@example.fi" not in html  # personal data: staff only
    assert AuditEntry.objects.filter(action="accessibility_feedback.received").exists()


def test_the_message_is_required(en_client):
    response = en_client.post(reverse("accessibility:statement_feedback"), {"contact": "x"})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not AccessibilityFeedback.objects.exists()


def test_form_can_be_switched_off(client, communications):
    update_statement(by=communications, feedback_form_enabled=False)
    page = client.get(reverse("accessibility:statement")).content.decode()
    assert "/accessibility/statement/feedback/" not in page
    response = client.post(reverse("accessibility:statement_feedback"), {"message": "Hei"})
    assert response.status_code == 404
    assert not AccessibilityFeedback.objects.exists()


def test_public_feedback_is_rate_limited(client, settings):
    settings.KOHTAAMO_RATE_LIMITS = {"feedback": "2/m"}
    url = reverse("accessibility:statement_feedback")
    answers = [client.post(url, {"message": f"Palaute {i}"}).status_code for i in range(3)]
    assert answers == [302, 302, 429]
    assert AccessibilityFeedback.objects.count() == 2


@time_machine.travel(NOW, tick=False)
def test_due_list_orders_by_due_date_and_flags_overdue(en_client, communications):
    _feedback(3, "Third: due in 11 days")
    _feedback(20, "First: overdue by 6 days")
    _feedback(14, "Second: due today")
    _feedback(30, "Answered long ago", answered_on=TODAY - dt.timedelta(days=25))
    rows = open_feedback(today=TODAY)
    assert [row.feedback.message[:5] for row in rows] == ["First", "Secon", "Third"]
    assert [row.is_overdue for row in rows] == [True, False, False]
    en_client.force_login(communications)
    page = en_client.get(reverse("accessibility:feedback")).content.decode()
    first, second, third = (page.index(m) for m in ("First:", "Second:", "Third:"))
    assert first < second < third
    assert "Overdue by 6 days" in page and "Due today" in page and "Due in 11 days" in page
    assert page.index("Overdue by 6 days") < first
    waiting = page[: page.index("Recently answered")]
    assert "Answered long ago" not in waiting


@time_machine.travel(NOW, tick=False)
def test_answer_days_from_the_statement_move_the_due_date(communications):
    update_statement(by=communications, feedback_answer_days=7)
    _feedback(8, "Late with seven days")
    (row,) = open_feedback(today=TODAY)
    assert row.due_on == TODAY - dt.timedelta(days=1) and row.is_overdue


@time_machine.travel(NOW, tick=False)
def test_staff_record_phone_feedback_and_mark_it_answered(en_client, communications):
    en_client.force_login(communications)
    response = en_client.post(
        reverse("accessibility:feedback"),
        {
            "received_on": "2026-11-30",
            "channel": "phone",
            "message": "Soittaja ei saanut tallenteesta selvää",
            "contact": "040 123 4567",
        },
    )
    assert response.status_code == 302
    feedback = AccessibilityFeedback.objects.get()
    assert (feedback.channel, feedback.received_on) == ("phone", dt.date(2026, 11, 30))
    page = en_client.get(reverse("accessibility:feedback")).content.decode()
    assert "040 123 4567" in page and "Due in 12 days" in page

    url = reverse("accessibility:feedback_answer", args=[feedback.pk])
    prefix = f"answer-{feedback.pk}"
    response = en_client.post(url, {f"{prefix}-answered_on": "2026-12-02"})
    assert response.status_code == 200  # the summary is required
    AccessibilityFeedback.objects.get(answered_on__isnull=True)
    en_client.post(
        url,
        {f"{prefix}-answered_on": "2026-12-02", f"{prefix}-answer_summary": "Soitettiin takaisin"},
    )
    feedback.refresh_from_db()
    assert feedback.answered_on == TODAY
    assert feedback.handled_by == communications
    assert open_feedback(today=TODAY) == []
    assert AuditEntry.objects.filter(
        action="accessibility_feedback.answered", object_id=str(feedback.pk)
    ).exists()


@pytest.mark.parametrize("role", ["anonymous", "member", "organiser"])
def test_feedback_page_is_for_statement_editors_only(client, organiser, role):
    feedback = _feedback(1, "Yksityinen", contact="salainen@example.fi")
    if role == "member":
        client.force_login(UserFactory())
    elif role == "organiser":
        client.force_login(organiser)
    page = client.get(reverse("accessibility:feedback"))
    answer = client.post(
        reverse("accessibility:feedback_answer", args=[feedback.pk]),
        {f"answer-{feedback.pk}-answered_on": "2026-12-02",
         f"answer-{feedback.pk}-answer_summary": "x"},
    )  # fmt: skip
    expected = 302 if role == "anonymous" else 403
    assert page.status_code == answer.status_code == expected
    assert b"salainen@example.fi" not in page.content
    feedback.refresh_from_db()
    assert feedback.answered_on is None


def test_feedback_received_today_uses_the_local_date():
    """Half past midnight in Helsinki is still the previous day in UTC."""
    with time_machine.travel(dt.datetime(2027, 1, 1, 0, 30, tzinfo=HELSINKI), tick=False):
        feedback = submit_feedback(message="Uudenvuodenpäivä")
        assert feedback.received_on == dt.date(2027, 1, 1) == timezone.localdate()

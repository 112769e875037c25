import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from events.models import Event, EventKind, EventStatus, Theme
from kohtaamo import demo
from networks.models import Membership, MembershipStatus
from tests.factories import HELSINKI


@pytest.mark.django_db
def test_seed_demo_builds_the_brief_and_a_second_run_changes_nothing():
    call_command("seed_demo", stdout=io.StringIO())
    counts = (Event.objects.count(), Membership.objects.count(), Theme.objects.count())
    kohtaamo_held = Event.objects.filter(kind=EventKind.KOHTAAMO, headcount__isnull=False)
    assert kohtaamo_held.count() == 59
    assert Theme.objects.filter(events__in=kohtaamo_held).distinct().count() == 45
    assert Membership.objects.filter(status=MembershipStatus.ACTIVE).count() > 90
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert "already loaded" in out.getvalue()
    assert (Event.objects.count(), Membership.objects.count(), Theme.objects.count()) == counts


def _local_day(event: Event) -> dt.date:
    return timezone.localtime(event.starts_at).date()


@pytest.mark.date_sensitive
@pytest.mark.django_db
def test_demo_on_any_day_has_59_held_sessions_and_one_coming_cancelled():
    today = timezone.localdate()
    demo.seed(today=today)
    held = Event.objects.filter(kind=EventKind.KOHTAAMO, headcount__isnull=False)
    assert held.count() == 59
    assert all(_local_day(event) < today for event in held)
    cancelled = Event.objects.get(status=EventStatus.CANCELLED)
    assert cancelled.kind == EventKind.KOHTAAMO
    assert _local_day(cancelled) > today


@pytest.mark.django_db
def test_in_late_may_the_only_coming_session_is_the_cancelled_one():
    """Before the summer break one Wednesday is left; the demo once cancelled a 2025
    workshop instead."""
    with time_machine.travel(dt.datetime(2027, 5, 20, 12, tzinfo=HELSINKI), tick=False):
        demo.seed(today=timezone.localdate())
        coming = Event.objects.filter(kind=EventKind.KOHTAAMO, starts_at__gt=timezone.now())
        assert [_local_day(event) for event in coming] == [dt.date(2027, 5, 26)]
        assert coming.get().status == EventStatus.CANCELLED

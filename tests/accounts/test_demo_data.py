import io

import pytest
from django.core.management import call_command

from events.models import Event, EventKind, Theme
from networks.models import Membership, MembershipStatus


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

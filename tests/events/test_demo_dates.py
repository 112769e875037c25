"""The demo data (`make run`) puts events only on days an organiser would pick."""

import datetime as dt

import holidays
import pytest
import time_machine
from django.utils import timezone

from events.models import Event, EventStatus
from kohtaamo import demo
from recordings import platform

FINNISH_HOLIDAYS = holidays.country_holidays("FI")


def _no_network(*args, **kwargs):
    raise AssertionError("the demo seeder must not touch the network")


# 15.12.2026: ten days later is Christmas Day, where the first upcoming workshop used to go.
@pytest.mark.django_db
@time_machine.travel(dt.datetime(2026, 12, 15, 9, 0, tzinfo=dt.UTC), tick=False)
def test_no_demo_event_falls_on_a_weekend_or_a_finnish_public_holiday(client, monkeypatch):
    monkeypatch.setattr(platform, "_extract_raw", _no_network)
    monkeypatch.setattr(platform, "_download_text", _no_network)
    demo.seed(today=timezone.localdate())

    days = [(event, timezone.localdate(event.starts_at)) for event in Event.objects.all()]
    assert len(days) > 50
    wrong = [
        f"{event.display_title} {day:%a %d.%m.%Y} {FINNISH_HOLIDAYS.get(day) or 'weekend'}"
        for event, day in days
        if day.weekday() >= 5 or day in FINNISH_HOLIDAYS
    ]
    assert wrong == []

    # The demo's cancelled session says why, on its public page.
    cancelled = Event.objects.filter(status=EventStatus.CANCELLED).first()
    client.cookies["django_language"] = "fi"
    html = client.get(cancelled.get_absolute_url()).content.decode()
    assert "Alustaja on estynyt." in html

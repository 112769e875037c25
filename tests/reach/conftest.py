import datetime as dt
import zoneinfo

import pytest
from django.test import Client

BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36"
HELSINKI = zoneinfo.ZoneInfo("Europe/Helsinki")
MONDAY = dt.datetime(2026, 11, 16, 10, 0, tzinfo=HELSINKI)


@pytest.fixture
def monday(time_machine):
    time_machine.move_to(MONDAY, tick=False)
    return time_machine


@pytest.fixture
def browser():
    """A person's browser: Django's test client sends no user agent of its own."""
    return Client(HTTP_USER_AGENT=BROWSER, REMOTE_ADDR="192.0.2.10")

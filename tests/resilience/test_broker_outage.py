"""The broker stops during registration: the person is answered at once, the mail follows.

The registration's confirmation is an outbox row written with the registration; with the
broker down the request gives up publishing after a short timeout and answers, and the
dispatcher (beat, every OUTBOX_DISPATCH_SECONDS) hands the row over once the broker is back.
"""

from __future__ import annotations

import time

import pytest
import requests
from rest_framework.authtoken.models import Token

from events.models import Registration
from tests.factories import EventFactory, UserFactory

from .conftest import wait_for

pytestmark = [pytest.mark.resilience, pytest.mark.postgres, pytest.mark.celery_worker]

# Waiting on the broker costs its 2 s timeout per try (about 20 s with Celery's retries before
# the outbox); a request that never waits answers in well under a second, and 5 s leaves room
# for a loaded CI machine (2.3 s was seen with two suites running at once).
ANSWER_SECONDS = 5.0
# The promise: the mail follows within a minute of the broker's return. The dispatcher
# runs every OUTBOX_DISPATCH_SECONDS (20) and leaves rows alone for OUTBOX_GRACE_SECONDS (15).
MAIL_SECONDS = 60


@pytest.mark.django_db(transaction=True)
def test_registrations_during_a_broker_outage_are_answered_and_mailed_once(
    broker_redis, worker, site, smtp_sink
):
    event = EventFactory(title="Katkon aikana", capacity=10)
    member = UserFactory(email="jasen@example.fi", language="fi")
    token = Token.objects.create(user=member)

    # Warm the server first (imports, first connection), so the bound measures the broker.
    headers = {"Authorization": f"Token {token.key}"}
    assert requests.get(f"{site.url}/api/v1/events/", headers=headers, timeout=30).ok

    broker_redis.stop()

    # The API: 201 within the bound.
    started = time.monotonic()
    response = requests.post(
        f"{site.url}/api/v1/events/{event.pk}/register/",
        headers=headers,
        timeout=30,
    )
    api_seconds = time.monotonic() - started
    assert response.status_code == 201, response.text[:2000]
    assert api_seconds < ANSWER_SECONDS, api_seconds

    # The HTML form, as a guest: the redirect back to the event page within the bound.
    browser = requests.Session()
    page = browser.get(f"{site.url}/events/{event.pk}/", timeout=30)
    assert page.status_code == 200
    started = time.monotonic()
    response = browser.post(
        f"{site.url}/events/{event.pk}/register/",
        data={
            "csrfmiddlewaretoken": browser.cookies["csrftoken"],
            "name": "Vieras Henkilö",
            "email": "vieras@example.fi",
            "organisation": "Hyvinvointialue",
        },
        allow_redirects=False,
        timeout=30,
    )
    form_seconds = time.monotonic() - started
    assert response.status_code == 302, response.text[:2000]
    assert form_seconds < ANSWER_SECONDS, form_seconds

    assert Registration.objects.filter(event=event).count() == 2
    time.sleep(3)
    assert smtp_sink.count() == 0  # nothing could be handed to the worker yet

    broker_redis.start()
    restarted = time.monotonic()
    wait_for(
        lambda: smtp_sink.to("jasen@example.fi") and smtp_sink.to("vieras@example.fi"),
        timeout=MAIL_SECONDS,
        interval=1,
        what=f"both confirmations sent after the broker came back\n{worker.log()[-3000:]}",
    )
    mail_seconds = time.monotonic() - restarted
    # Exactly once, also after further dispatcher runs.
    time.sleep(45)
    assert len(smtp_sink.to("jasen@example.fi")) == 1
    assert len(smtp_sink.to("vieras@example.fi")) == 1
    print(f"API {api_seconds:.2f} s, form {form_seconds:.2f} s, mail {mail_seconds:.0f} s")  # noqa: T201 - the measured times, for the log

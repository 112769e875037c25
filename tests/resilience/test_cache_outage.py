"""The cache's Redis stops: sign-in, registration (API and HTML) and the public feed still work."""

from __future__ import annotations

import pytest
import requests
from rest_framework.authtoken.models import Token

from events.models import Registration
from tests.factories import EventFactory, UserFactory

pytestmark = [pytest.mark.resilience, pytest.mark.postgres, pytest.mark.celery_worker]


@pytest.mark.django_db(transaction=True)
def test_the_site_serves_without_its_cache(cache_redis, worker, site):
    event = EventFactory(title="Ilman välimuistia", capacity=10)
    member = UserFactory(email="jasen@example.fi", language="fi")
    other = UserFactory(email="toinen@example.fi", language="fi")
    token = Token.objects.create(user=other)

    cache_redis.stop()

    # Sign-in through allauth's form (its rate limits use the cache).
    browser = requests.Session()
    assert browser.get(f"{site.url}/accounts/login/", timeout=30).status_code == 200
    response = browser.post(
        f"{site.url}/accounts/login/",
        data={
            "csrfmiddlewaretoken": browser.cookies["csrftoken"],
            "login": member.email,
            "password": "correct horse battery",
        },
        headers={"Referer": f"{site.url}/accounts/login/"},
        allow_redirects=False,
        timeout=30,
    )
    assert response.status_code == 302, response.text[:2000]
    assert "/accounts/login/" not in response.headers["Location"]

    # The HTML registration, signed in.
    assert browser.get(f"{site.url}/events/{event.pk}/", timeout=30).status_code == 200
    response = browser.post(
        f"{site.url}/events/{event.pk}/register/",
        data={"csrfmiddlewaretoken": browser.cookies["csrftoken"]},
        allow_redirects=False,
        timeout=30,
    )
    assert response.status_code == 302, response.text[:2000]

    # The API registration (DRF throttles use the cache).
    response = requests.post(
        f"{site.url}/api/v1/events/{event.pk}/register/",
        headers={"Authorization": f"Token {token.key}"},
        timeout=30,
    )
    assert response.status_code == 201, response.text[:2000]

    # The public feed, built without the cache.
    response = requests.get(f"{site.url}/calendar/events.ics", timeout=30)
    assert response.status_code == 200, response.text[:2000]
    assert "Ilman välimuistia" in response.text

    assert set(Registration.objects.filter(event=event).values_list("user__email", flat=True)) == {
        "jasen@example.fi",
        "toinen@example.fi",
    }

"""Query counts of the profile pages that hold lists: few rows and many rows, one fixed
count (issue 16). Measured elsewhere: the JSON download of a person's data
(tests/privacy/test_your_data.py) and the audit and access log (tests/privacy/
test_audit_log.py).
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from events.models import Feedback
from networks.models import Announcement, MembershipStatus
from tests.factories import (
    EventFactory,
    MembershipFactory,
    NetworkFactory,
    OrganisationFactory,
    RegistrationFactory,
    ThemeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

FEW, MANY = 2, 25
SIZES = [FEW, MANY]


def _person_in_networks(n: int):
    person = UserFactory(organisation=OrganisationFactory(name="Own organisation"))
    for i in range(n):
        network = NetworkFactory(name=f"Network number {i}")
        MembershipFactory(
            network=network,
            user=person,
            organisation=OrganisationFactory(name=f"Organisation {i}"),
            status=MembershipStatus.ACTIVE if i % 2 else MembershipStatus.PENDING,
        )
        Announcement.objects.create(
            network=network, author=person, subject=f"Message {i}", body="Body"
        )
    return person


# session, user, roles, the organisations of the form's choice, the person's memberships
# with their networks, when the API token was made
PROFILE_QUERIES = 6


@pytest.mark.parametrize("n", SIZES)
def test_profile(en_client, django_assert_num_queries, n):
    person = _person_in_networks(n)
    en_client.force_login(person)
    url = reverse("accounts:profile")
    en_client.get(url)
    with django_assert_num_queries(PROFILE_QUERIES):
        response = en_client.get(url)
    html = response.content.decode()
    assert "Network number 0" in html and f"Network number {n - 1}" in html


# session, user, then the data: the person with their organisation, roles, registrations
# with their events, themes and organisations, feedback, memberships with their networks
# and organisations, messages with their networks, presenter profiles, caption tracks,
# 8 kinds of staff records, audit entries; the access log line (an INSERT); the roles for
# the page's menu
MY_DATA_QUERIES = 21


@pytest.mark.parametrize("n", SIZES)
def test_my_data_page(en_client, django_assert_num_queries, n):
    person = _person_in_networks(n)
    for i in range(n):
        event = EventFactory(title="", theme=ThemeFactory(title=f"Theme {i}"))
        registration = RegistrationFactory(
            event=event, user=person, organisation=OrganisationFactory(), attended=True
        )
        Feedback.objects.create(
            event=event, registration=registration, usefulness=4, recommend=9, comment=f"Good {i}"
        )
    en_client.force_login(person)
    url = reverse("accounts:my_data")
    en_client.get(url)
    with django_assert_num_queries(MY_DATA_QUERIES):
        response = en_client.get(url)
    html = response.content.decode()
    assert len(response.context["data"]["registrations"]) == n
    assert "Theme 0" in html and "Good 0" in html and "Message 0" in html
    assert "Network number 0" in html

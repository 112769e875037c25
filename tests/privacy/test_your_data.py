"""A person sees and downloads everything the service holds about them."""

import json

import pytest
from django.urls import reverse

from accounts.audit import record_audit
from events.models import Feedback
from networks.models import Announcement
from tests.factories import (
    CaptionTrackFactory,
    MembershipFactory,
    RegistrationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _person_with_everything(n_events: int = 2):
    person = UserFactory(display_name="Maija Meikäläinen", phone="040 123 4567")
    for _ in range(n_events):
        registration = RegistrationFactory(user=person, attended=True, minutes_attended=55)
        Feedback.objects.create(
            event=registration.event,
            registration=registration,
            usefulness=4,
            recommend=9,
            comment="Hyvä alustus",
        )
        membership = MembershipFactory(user=person, show_email=True)
        Announcement.objects.create(
            network=membership.network, author=person, subject="Hei kaikki", body="Tervetuloa"
        )
        CaptionTrackFactory(uploaded_by=person, language=f"l{_}")
    record_audit(actor=UserFactory(), action="role.granted", obj=person, role="reporting")
    return person


def test_json_download_holds_every_kind_of_data(client):
    person = _person_with_everything()
    other = RegistrationFactory()  # someone else's data must not leak in
    client.force_login(person)

    response = client.get(reverse("accounts:my_data_json"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["profile"]["email"] == person.email
    assert data["profile"]["phone"] == "040 123 4567"
    assert len(data["registrations"]) == 2
    assert data["registrations"][0]["attendance"] == {
        "attended": True,
        "source": "",
        "minutes": 55,
    }
    assert {f["comment"] for f in data["feedback"]} == {"Hyvä alustus"}
    assert len(data["memberships"]) == 2
    assert data["memberships"][0]["consents"]["show_email"] is True
    assert data["memberships"][0]["message_preference"] == "digest"
    assert [m["subject"] for m in data["network_messages"]] == ["Hei kaikki", "Hei kaikki"]
    assert len(data["caption_tracks_uploaded"]) == 2
    assert all(isinstance(pk, int) for pk in data["caption_tracks_uploaded"])
    assert [e["action"] for e in data["audit_entries"]] == ["role.granted"]
    assert other.email not in response.content.decode()


def test_readable_page_shows_the_same_data(en_client):
    person = _person_with_everything(1)
    en_client.force_login(person)

    response = en_client.get(reverse("accounts:my_data"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Maija Meikäläinen" in page
    assert "Hyvä alustus" in page
    assert "Hei kaikki" in page
    assert reverse("accounts:my_data_json") in page


def test_anonymous_person_is_sent_to_sign_in(client):
    for name in ("accounts:my_data", "accounts:my_data_json", "accounts:delete"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert reverse("account_login") in response["Location"]


@pytest.mark.parametrize("n_events", [2, 20])
def test_download_runs_a_fixed_number_of_queries(client, django_assert_num_queries, n_events):
    person = _person_with_everything(n_events)
    client.force_login(person)
    client.get(reverse("accounts:my_data_json"))  # warm the session
    # session, user, then profile+groups, registrations, feedback, memberships,
    # messages, presenters, caption tracks, 8 kinds of staff records, audit entries,
    # and the access log line of this download
    with django_assert_num_queries(20):
        response = client.get(reverse("accounts:my_data_json"))
    assert len(json.loads(response.content)["registrations"]) == n_events

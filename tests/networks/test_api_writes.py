"""Writes by API that the pages also offer: invitations, announcements, one's own membership.

Each calls the same service as its page; a refusal changes nothing and says why in the
caller's language.
"""

import pytest
from django.core import mail

from networks.models import (
    Announcement,
    MemberRole,
    Membership,
    MembershipStatus,
    MessagePreference,
)
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def _post(client, url, data=None, language="en"):
    client.cookies["django_language"] = language
    return client.post(url, data or {}, "application/json")


def _recipients():
    return sorted(address for message in mail.outbox for address in message.to)


# --- Invitations ---------------------------------------------------------------------------


def test_coordinator_invites_by_api_and_the_person_gets_the_link(
    client, private_network, coordinator, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(
            client,
            f"/api/v1/networks/{private_network.pk}/invitations/",
            {"email": "New.Person@Example.fi", "name": "Uusi Henkilö", "role": "management"},
        )
    assert response.status_code == 201
    body = response.json()
    assert (body["invited_email"], body["status"], body["role"]) == (
        "new.person@example.fi",
        "invited",
        "management",
    )
    assert "token" not in str(body)  # the link goes to the invited person only
    invited = Membership.objects.get(pk=body["id"])
    assert _recipients() == ["new.person@example.fi"]
    assert f"/networks/invitations/{invited.invitation_token}/" in mail.outbox[0].body


def test_inviting_someone_already_in_the_network_is_refused_in_finnish(
    client, private_network, coordinator
):
    member = MembershipFactory(network=private_network, user=UserFactory(email="in@example.fi"))
    client.force_login(coordinator)
    url = f"/api/v1/networks/{private_network.pk}/invitations/"

    again = _post(client, url, {"email": "in@example.fi"}, language="fi")
    not_an_address = _post(client, url, {"email": "not an address"}, language="fi")

    assert again.status_code == 400
    assert again.json()["detail"] == "Tämä henkilö on jo verkoston jäsen tai hänet on kutsuttu."
    assert not_an_address.status_code == 400
    assert not_an_address.json()["errors"] == {"email": ["Syötä kelvollinen sähköpostiosoite."]}
    assert "Syötä kelvollinen sähköpostiosoite." in not_an_address.json()["detail"]
    assert list(Membership.objects.filter(network=private_network)) == [member]
    assert mail.outbox == []


def test_only_coordinators_invite(client, network, private_network, user):
    MembershipFactory(network=network, user=user)
    client.force_login(user)  # a member of the public network, not its coordinator

    refused = _post(
        client, f"/api/v1/networks/{network.pk}/invitations/", {"email": "x@example.fi"}
    )
    hidden = _post(
        client, f"/api/v1/networks/{private_network.pk}/invitations/", {"email": "x@example.fi"}
    )

    assert refused.status_code == 403
    assert refused.json()["detail"] == "Only the network's coordinators can do this."
    assert hidden.status_code == 404  # a members-only network is not even confirmed
    assert not Membership.objects.filter(invited_email="x@example.fi").exists()


def test_the_invited_person_accepts_by_api(client, private_network, coordinator):
    client.force_login(coordinator)
    created = _post(
        client,
        f"/api/v1/networks/{private_network.pk}/invitations/",
        {"email": "guest@example.fi", "role": MemberRole.EXPERIENCE_EXPERT},
    )
    token = Membership.objects.get(pk=created.json()["id"]).invitation_token
    person = UserFactory(email="guest@example.fi")
    client.force_login(person)

    response = _post(client, f"/api/v1/invitations/{token}/accept/", {"message_preference": "none"})

    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["role"], body["message_preference"]) == (
        "active",
        MemberRole.EXPERIENCE_EXPERT,  # the invitation's role, as the page's form offers it
        "none",
    )
    assert body["network"]["slug"] == private_network.slug
    membership = Membership.objects.get(network=private_network, user=person)
    assert membership.status == MembershipStatus.ACTIVE
    # The link is used up, as on the page.
    assert _post(client, f"/api/v1/invitations/{token}/accept/").status_code == 404
    assert client.get(f"/networks/invitations/{token}/").status_code == 404


def test_an_invitation_for_another_account_cannot_be_accepted(client, private_network, coordinator):
    invitee = UserFactory(email="invitee@example.fi")
    client.force_login(coordinator)
    created = _post(
        client,
        f"/api/v1/networks/{private_network.pk}/invitations/",
        {"email": "invitee@example.fi"},
    )
    invitation = Membership.objects.get(pk=created.json()["id"])
    assert invitation.user == invitee
    client.force_login(UserFactory(email="someone.else@example.fi"))
    url = f"/api/v1/invitations/{invitation.invitation_token}/"

    accepted = _post(client, f"{url}accept/", language="fi")
    declined = _post(client, f"{url}decline/", language="fi")

    assert (accepted.status_code, declined.status_code) == (403, 403)
    assert accepted.json()["detail"] == "Tämä kutsu lähetettiin toiselle käyttäjätilille."
    invitation.refresh_from_db()
    assert invitation.status == MembershipStatus.INVITED


def test_accepting_with_a_bad_choice_changes_nothing(client, private_network, coordinator):
    client.force_login(coordinator)
    created = _post(
        client,
        f"/api/v1/networks/{private_network.pk}/invitations/",
        {"email": "guest@example.fi"},
    )
    token = Membership.objects.get(pk=created.json()["id"]).invitation_token
    client.force_login(UserFactory(email="guest@example.fi"))

    response = _post(
        client, f"/api/v1/invitations/{token}/accept/", {"message_preference": "loud"}, "fi"
    )

    assert response.status_code == 400
    assert response.json()["errors"]["message_preference"] == ['"loud" ei ole kelvollinen valinta.']
    assert Membership.objects.get(invitation_token=token).status == MembershipStatus.INVITED


def test_the_invited_person_declines_by_api(client, private_network, coordinator):
    client.force_login(coordinator)
    created = _post(
        client,
        f"/api/v1/networks/{private_network.pk}/invitations/",
        {"email": "guest@example.fi"},
    )
    token = Membership.objects.get(pk=created.json()["id"]).invitation_token
    anonymous = _post(client.__class__(), f"/api/v1/invitations/{token}/decline/")
    client.force_login(UserFactory(email="guest@example.fi"))

    response = _post(client, f"/api/v1/invitations/{token}/decline/")

    assert anonymous.status_code in (401, 403)
    assert response.status_code == 200
    assert response.json()["status"] == "declined"
    assert Membership.objects.get(pk=created.json()["id"]).status == MembershipStatus.DECLINED


# --- Announcements ---------------------------------------------------------------------------


@pytest.fixture
def members(network):
    return {
        preference: MembershipFactory(
            network=network,
            user=UserFactory(email=f"{preference}@example.fi"),
            message_preference=preference,
        )
        for preference in MessagePreference.values
    }


def test_coordinator_sends_an_announcement_by_api(
    client, network, coordinator, members, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(
            client,
            f"/api/v1/networks/{network.pk}/announcements/",
            {"subject": "Meeting moved", "body": "Now on Friday."},
        )
    assert response.status_code == 201
    assert response.json()["subject"] == "Meeting moved"
    announcement = Announcement.objects.get()
    assert (announcement.author, announcement.body) == (coordinator, "Now on Friday.")
    # The same delivery as the page: at once only for "each message"; the digest on Monday.
    assert _recipients() == ["each@example.fi"]
    assert "Now on Friday." in mail.outbox[0].body
    page = client.get(f"/networks/{network.slug}/")
    assert "Meeting moved" in page.content.decode()


def test_an_announcement_without_a_subject_is_not_sent(
    client, network, coordinator, members, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)
    url = f"/api/v1/networks/{network.pk}/announcements/"
    with django_capture_on_commit_callbacks(execute=True):
        blank = _post(client, url, {"subject": "   ", "body": "Text"}, language="fi")
        missing = _post(client, url, {"subject": "Hello"}, language="fi")
    assert (blank.status_code, missing.status_code) == (400, 400)
    assert blank.json()["errors"]["subject"] == ["Tämä kenttä ei voi olla tyhjä."]
    assert missing.json()["errors"]["body"] == ["Tämä kenttä vaaditaan."]
    assert not Announcement.objects.exists()
    assert mail.outbox == []


def test_members_cannot_send_announcements(client, network, members):
    client.force_login(members["each"].user)
    response = _post(
        client,
        f"/api/v1/networks/{network.pk}/announcements/",
        {"subject": "Spam", "body": "Buy now"},
    )
    assert response.status_code == 403
    assert not Announcement.objects.exists()


# --- One's own membership --------------------------------------------------------------------


def test_member_changes_the_message_preference_by_api(client, user):
    membership = MembershipFactory(user=user, show_title=True, show_email=True)
    client.force_login(user)

    response = _post(
        client, f"/api/v1/memberships/{membership.pk}/preferences/", {"message_preference": "none"}
    )

    assert response.status_code == 200
    assert response.json()["message_preference"] == "none"
    membership.refresh_from_db()
    assert membership.message_preference == MessagePreference.NONE
    assert (membership.show_title, membership.show_email) == (True, True)  # left as they were
    page = client.get(f"/networks/memberships/{membership.pk}/")
    assert page.context["form"].initial["message_preference"] == "none"


def test_a_bad_preference_is_refused_and_nothing_changes(client, user):
    membership = MembershipFactory(
        user=user, message_preference=MessagePreference.DIGEST, show_email=False
    )
    client.force_login(user)

    response = _post(
        client,
        f"/api/v1/memberships/{membership.pk}/preferences/",
        {"message_preference": "hourly", "show_email": True},
        language="fi",
    )

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "message_preference": ['"hourly" ei ole kelvollinen valinta.']
    }
    membership.refresh_from_db()
    assert (membership.message_preference, membership.show_email) == ("digest", False)


def test_another_persons_membership_cannot_be_changed_or_left(client, user, network, coordinator):
    someone = MembershipFactory(network=network, message_preference=MessagePreference.EACH)
    client.force_login(coordinator)  # not even the network's coordinator

    changed = _post(
        client, f"/api/v1/memberships/{someone.pk}/preferences/", {"message_preference": "none"}
    )
    left = _post(client, f"/api/v1/memberships/{someone.pk}/leave/")

    assert (changed.status_code, left.status_code) == (404, 404)
    someone.refresh_from_db()
    assert (someone.message_preference, someone.status) == ("each", MembershipStatus.ACTIVE)


def test_member_leaves_a_network_by_api(client, user, network):
    membership = MembershipFactory(network=network, user=user)
    client.force_login(user)

    response = _post(client, f"/api/v1/memberships/{membership.pk}/leave/")
    again = _post(client, f"/api/v1/memberships/{membership.pk}/leave/")

    assert response.status_code == 200
    assert response.json()["status"] == "left"
    assert again.status_code == 200  # harmless, as on the page
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.LEFT
    assert membership.left_on is not None
    assert client.get(f"/networks/{network.slug}/directory/").status_code == 404

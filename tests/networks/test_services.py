"""Joining, deciding, inviting, leaving and merging: through the services."""

import pytest
from django.core import mail

from accounts.models import AuditEntry
from networks import services
from networks.models import (
    JoinPolicy,
    MemberRole,
    Membership,
    MembershipStatus,
    MessagePreference,
    Organisation,
)
from tests.factories import (
    MembershipFactory,
    NetworkFactory,
    OrganisationFactory,
    RegistrationFactory,
    UserFactory,
)


@pytest.mark.django_db
def test_joining_an_open_network_makes_an_active_member_at_once(user):
    network = NetworkFactory(join_policy=JoinPolicy.OPEN)
    membership = services.request_to_join(
        network=network, person=user, role=MemberRole.MANAGEMENT, show_email=True
    )
    assert membership.status == MembershipStatus.ACTIVE
    assert membership.joined_on is not None
    assert membership.show_email is True
    assert membership.message_preference == MessagePreference.DIGEST


@pytest.mark.django_db
def test_joining_a_network_on_approval_waits_for_a_coordinator(user, network):
    membership = services.request_to_join(network=network, person=user)
    assert membership.status == MembershipStatus.PENDING
    assert membership.joined_on is None
    with pytest.raises(services.AlreadyMemberError):
        services.request_to_join(network=network, person=user)


@pytest.mark.django_db
def test_a_join_request_is_e_mailed_to_each_coordinator_in_their_language(
    network, coordinator, django_capture_on_commit_callbacks
):
    coordinator.language = "sv"
    coordinator.save()
    english = UserFactory(language="en")
    network.coordinators.add(english)
    person = UserFactory(display_name="Pia Pyytäjä", phone="+358 40 123 4567")
    organisation = OrganisationFactory(name="Kuopion kaupunki")
    with django_capture_on_commit_callbacks(execute=True):
        services.request_to_join(network=network, person=person, organisation=organisation)
    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert set(by_recipient) == {coordinator.email, english.email}
    swedish, in_english = by_recipient[coordinator.email], by_recipient[english.email]
    assert "Pia Pyytäjä" in in_english.body and "Kuopion kaupunki" in in_english.body
    assert f"/networks/{network.slug}/manage/" in in_english.body
    assert in_english.subject == f"New request to join {network.name}"
    assert swedish.subject != in_english.subject  # written in Swedish
    assert person.email not in in_english.body and "123 4567" not in in_english.body


@pytest.mark.django_db
def test_joining_an_open_network_troubles_no_coordinator(
    coordinator, django_capture_on_commit_callbacks
):
    network = NetworkFactory(join_policy=JoinPolicy.OPEN)
    network.coordinators.add(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        services.request_to_join(network=network, person=UserFactory())
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_network_by_invitation_refuses_join_requests(user, private_network):
    with pytest.raises(services.JoinRefusedError):
        services.request_to_join(network=private_network, person=user)
    assert not Membership.objects.filter(user=user).exists()


@pytest.mark.django_db
def test_approving_e_mails_the_coordinators_message_and_is_audited(
    user, network, coordinator, django_capture_on_commit_callbacks
):
    membership = services.request_to_join(network=network, person=user)
    with django_capture_on_commit_callbacks(execute=True):
        services.approve_membership(membership=membership, by=coordinator, message="Tervetuloa!")
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.ACTIVE
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [user.email]
    assert "Tervetuloa!" in mail.outbox[0].body
    assert membership.unsubscribe_token in mail.outbox[0].body
    assert AuditEntry.objects.filter(action="membership.approved", actor=coordinator).exists()


@pytest.mark.django_db
def test_declining_e_mails_the_message_in_the_members_language(
    network, coordinator, django_capture_on_commit_callbacks
):
    person = UserFactory(language="en")
    membership = services.request_to_join(network=network, person=person)
    with django_capture_on_commit_callbacks(execute=True):
        services.decline_membership(membership=membership, by=coordinator, message="Full now.")
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.DECLINED
    assert "Full now." in mail.outbox[0].body
    assert "was declined" in mail.outbox[0].body
    assert AuditEntry.objects.filter(action="membership.declined").count() == 1
    with pytest.raises(services.InvalidDecisionError):
        services.approve_membership(membership=membership, by=coordinator)


@pytest.mark.django_db
def test_only_coordinators_decide(user, network):
    membership = services.request_to_join(network=network, person=user)
    outsider = UserFactory()
    with pytest.raises(services.NotCoordinatorError):
        services.approve_membership(membership=membership, by=outsider)
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.PENDING


@pytest.mark.django_db
def test_network_managers_coordinate_every_network(user, network, organiser):
    membership = services.request_to_join(network=network, person=user)
    services.approve_membership(membership=membership, by=organiser)
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.ACTIVE


@pytest.mark.django_db
def test_invitation_by_e_mail_is_accepted_by_the_account_that_signs_in(
    private_network, coordinator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invited = services.invite(
            network=private_network, email="New.Person@Example.fi", by=coordinator
        )
    assert invited.status == MembershipStatus.INVITED
    assert invited.user is None
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new.person@example.fi"]
    assert f"/networks/invitations/{invited.invitation_token}/" in mail.outbox[0].body
    person = UserFactory(email="new.person@example.fi")
    found = services.invitation_by_token(invited.invitation_token)
    membership = services.accept_invitation(membership=found, person=person, show_phone=True)
    assert membership.user == person
    assert membership.status == MembershipStatus.ACTIVE
    assert membership.show_phone is True
    assert services.invitation_by_token(invited.invitation_token) is None
    with pytest.raises(services.AlreadyMemberError):
        services.invite(network=private_network, email=person.email, by=coordinator)


@pytest.mark.django_db
def test_an_invitation_to_an_account_cannot_be_taken_by_another(private_network, coordinator):
    owner = UserFactory()
    invited = services.invite(network=private_network, email=owner.email, by=coordinator)
    assert invited.user == owner
    with pytest.raises(services.InvalidInvitationError):
        services.accept_invitation(membership=invited, person=UserFactory())


@pytest.mark.django_db
def test_leaving_and_coming_back(user):
    network = NetworkFactory(join_policy=JoinPolicy.OPEN)
    membership = services.request_to_join(network=network, person=user)
    services.leave_network(membership=membership)
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.LEFT
    assert membership.left_on is not None
    again = services.request_to_join(network=network, person=user)
    assert again.pk == membership.pk
    assert again.status == MembershipStatus.ACTIVE
    assert again.left_on is None


@pytest.mark.django_db
def test_consent_and_preferences_change_at_any_time(user):
    membership = MembershipFactory(user=user)
    services.update_consent_and_preferences(
        membership=membership,
        show_email=True,
        show_phone=False,
        show_title=False,
        message_preference=MessagePreference.EACH,
    )
    membership.refresh_from_db()
    assert (membership.show_email, membership.show_title) == (True, False)
    assert membership.message_preference == MessagePreference.EACH


@pytest.mark.django_db
def test_merging_organisations_moves_people_memberships_and_registrations(admin_user):
    keep = OrganisationFactory(name="Kela")
    duplicate = OrganisationFactory(name="KELA Kuopio")
    person = UserFactory(organisation=duplicate)
    membership = MembershipFactory(organisation=duplicate)
    registration = RegistrationFactory(organisation=duplicate)
    moved = services.merge_organisations(keep=keep, duplicates=[duplicate, keep], by=admin_user)
    assert moved == {"people": 1, "memberships": 1, "registrations": 1, "removed": 1}
    person.refresh_from_db()
    membership.refresh_from_db()
    registration.refresh_from_db()
    assert person.organisation == membership.organisation == registration.organisation == keep
    assert list(Organisation.objects.all()) == [keep]
    entry = AuditEntry.objects.get(action="organisation.merged")
    assert entry.details["merged"] == ["KELA Kuopio"]


@pytest.mark.django_db
def test_admin_action_merges_into_the_chosen_organisation(client, admin_user):
    keep = OrganisationFactory(name="TYP Pohjois-Savo")
    duplicate = OrganisationFactory(name="TYP P-Savo")
    person = UserFactory(organisation=duplicate)
    client.force_login(admin_user)
    url = "/admin/networks/organisation/"
    selected = {"action": "merge_selected", "_selected_action": [keep.pk, duplicate.pk]}
    choose = client.post(url, selected)
    assert choose.status_code == 200
    assert b"TYP P-Savo" in choose.content
    done = client.post(url, {**selected, "apply": "1", "keep": keep.pk})
    assert done.status_code == 302
    person.refresh_from_db()
    assert person.organisation == keep
    assert not Organisation.objects.filter(pk=duplicate.pk).exists()

"""Network pages: visibility, joining, directory with consent, coordinator tools, counts."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import User
from events.models import Audience, EventMaterial, EventStatus
from networks import services
from networks.models import (
    JoinPolicy,
    MemberRole,
    Membership,
    MembershipStatus,
    Sector,
    Visibility,
)
from tests.factories import (
    EventFactory,
    MembershipFactory,
    NetworkFactory,
    OrganisationFactory,
    UserFactory,
)


def _add_members(network, count: int, organisation=None) -> None:
    """Many members quickly (bulk), some with consent to show contact details."""
    users = User.objects.bulk_create(
        User(
            email=f"bulk{network.pk}-{n}@example.fi",
            display_name=f"Bulk Member {n:04d}",
            title="Työhönvalmentaja",
            phone=f"040 {n:07d}",
            organisation=organisation,
        )
        for n in range(count)
    )
    users = User.objects.filter(email__startswith=f"bulk{network.pk}-")
    Membership.objects.bulk_create(
        Membership(
            network=network,
            user=person,
            organisation=organisation,
            status=MembershipStatus.ACTIVE,
            show_email=n % 2 == 0,
            role=MemberRole.PRACTITIONER,
            unsubscribe_token=f"bulk-{network.pk}-{n}",
        )
        for n, person in enumerate(users)
    )


# --- Visibility ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_members_only_network_is_404_for_non_members(en_client, private_network, user):
    urls = [
        f"/networks/{private_network.slug}/",
        f"/networks/{private_network.slug}/directory/",
        f"/networks/{private_network.slug}/join/",
    ]
    for url in urls:
        assert en_client.get(url).status_code == 404, url
    en_client.force_login(user)
    for url in urls:
        assert en_client.get(url).status_code == 404, url
    MembershipFactory(network=private_network, user=user, status=MembershipStatus.PENDING)
    assert en_client.get(urls[0]).status_code == 404
    Membership.objects.filter(user=user).update(status=MembershipStatus.ACTIVE)
    assert en_client.get(urls[0]).status_code == 200
    assert en_client.get(urls[1]).status_code == 200


@pytest.mark.django_db
def test_network_list_shows_public_networks_and_ones_own(en_client, network, private_network, user):
    page = en_client.get("/networks/")
    assert network.name in page.content.decode()
    assert private_network.name not in page.content.decode()
    MembershipFactory(network=private_network, user=user)
    en_client.force_login(user)
    assert private_network.name in en_client.get("/networks/").content.decode()


@pytest.mark.django_db
def test_public_network_directory_is_for_members_only(en_client, network, user):
    en_client.force_login(user)
    assert en_client.get(f"/networks/{network.slug}/").status_code == 200
    assert en_client.get(f"/networks/{network.slug}/directory/").status_code == 404
    assert en_client.get(f"/networks/{network.slug}/manage/").status_code == 404


# --- The network page ---------------------------------------------------------------------


@pytest.mark.django_db
def test_network_page_lists_meetings_materials_and_counts_without_names(en_client, network, user):
    MembershipFactory(network=network, user=user, role=MemberRole.OTHER)
    en_client.force_login(user)
    kela = OrganisationFactory(name="Kela Kuopio", sector=Sector.KELA)
    MembershipFactory(
        network=network,
        organisation=kela,
        role=MemberRole.MANAGEMENT,
        user=UserFactory(display_name="Secret Name"),
    )
    MembershipFactory(network=network, organisation=kela, status=MembershipStatus.PENDING)
    upcoming = EventFactory(title="Spring network meeting", audience=Audience.NETWORKS)
    upcoming.audience_networks.add(network)
    start = timezone.now() - dt.timedelta(days=30)
    past = EventFactory(
        title="Autumn network meeting",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        audience=Audience.NETWORKS,
    )
    past.audience_networks.add(network)
    EventMaterial.objects.create(event=past, title="Slides (PDF)", url="https://example.fi/s.pdf")
    draft = EventFactory(title="Draft meeting", status=EventStatus.DRAFT)
    draft.audience_networks.add(network)
    text = en_client.get(f"/networks/{network.slug}/").content.decode()
    assert "Spring network meeting" in text
    assert "Autumn network meeting" in text
    assert "Slides (PDF)" in text
    assert "Draft meeting" not in text
    assert "Members by sector" in text and "Kela" in text
    assert "2 active members" in text
    assert "Secret Name" not in text


# --- Joining and deciding by the pages ------------------------------------------------------


@pytest.mark.django_db
def test_a_professional_asks_to_join_and_a_coordinator_approves(
    en_client, network, coordinator, user, django_capture_on_commit_callbacks
):
    en_client.force_login(user)
    response = en_client.post(
        f"/networks/{network.slug}/join/",
        {"role": "practitioner", "message_preference": "each", "show_email": "on"},
    )
    assert response.status_code == 302
    membership = Membership.objects.get(user=user, network=network)
    assert membership.status == MembershipStatus.PENDING
    assert membership.show_email and membership.message_preference == "each"
    en_client.force_login(coordinator)
    page = en_client.get(f"/networks/{network.slug}/")
    assert "1 request waiting" in page.content.decode()
    manage = en_client.get(f"/networks/{network.slug}/manage/?status=pending")
    assert user.display_name in manage.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        decided = en_client.post(
            f"/networks/memberships/{membership.pk}/decide/",
            {"approve": "1", "message": "Welcome aboard"},
        )
    assert decided.status_code == 302
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.ACTIVE


@pytest.mark.django_db
def test_others_cannot_decide(en_client, network, user):
    membership = MembershipFactory(network=network, status=MembershipStatus.PENDING)
    en_client.force_login(user)
    response = en_client.post(f"/networks/memberships/{membership.pk}/decide/", {"approve": "1"})
    assert response.status_code == 404
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.PENDING


@pytest.mark.django_db
def test_invitation_only_network_has_no_join_button(en_client, user):
    network = NetworkFactory(join_policy=JoinPolicy.INVITATION, visibility=Visibility.PUBLIC)
    en_client.force_login(user)
    text = en_client.get(f"/networks/{network.slug}/").content.decode()
    assert "by invitation only" in text
    response = en_client.post(
        f"/networks/{network.slug}/join/",
        {"role": "practitioner", "message_preference": "digest"},
    )
    assert response.status_code == 302
    assert not Membership.objects.filter(user=user).exists()


@pytest.mark.django_db
def test_accepting_an_invitation_by_its_link(en_client, private_network, coordinator):
    invited = services.invite(network=private_network, email="guest@example.fi", by=coordinator)
    url = f"/networks/invitations/{invited.invitation_token}/"
    assert en_client.get(url).status_code == 302  # sign in first
    person = UserFactory(email="guest@example.fi")
    en_client.force_login(person)
    assert en_client.get(url).status_code == 200
    response = en_client.post(url, {"role": "experience_expert", "message_preference": "none"})
    assert response.status_code == 302
    membership = Membership.objects.get(network=private_network, user=person)
    assert membership.status == MembershipStatus.ACTIVE
    assert membership.message_preference == "none"
    assert en_client.get(url).status_code == 404


@pytest.mark.django_db
def test_member_changes_choices_and_leaves(en_client, user):
    membership = MembershipFactory(user=user)
    en_client.force_login(user)
    url = f"/networks/memberships/{membership.pk}/"
    response = en_client.post(url, {"show_title": "on", "message_preference": "none"})
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.message_preference == "none"
    en_client.post(f"/networks/memberships/{membership.pk}/leave/")
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.LEFT
    other = UserFactory()
    en_client.force_login(other)
    assert en_client.get(url).status_code == 404


@pytest.mark.django_db
def test_profile_lists_my_networks(en_client, user):
    membership = MembershipFactory(user=user)
    en_client.force_login(user)
    text = en_client.get("/profile/").content.decode()
    assert membership.network.name in text
    assert f"/networks/memberships/{membership.pk}/" in text


# --- Directory ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_directory_shows_only_the_contact_details_members_agreed_to_show(en_client, network):
    shown = UserFactory(
        display_name="Aino Avoin", email="aino@example.fi", phone="040 111", title="Valmentaja"
    )
    hidden = UserFactory(
        display_name="Heikki Hiljainen", email="heikki@example.fi", phone="040 222", title="Johtaja"
    )
    MembershipFactory(network=network, user=shown, show_email=True, show_phone=True)
    MembershipFactory(
        network=network, user=hidden, show_email=False, show_phone=False, show_title=False
    )
    en_client.force_login(shown)
    text = en_client.get(f"/networks/{network.slug}/directory/").content.decode()
    assert "Aino Avoin" in text and "aino@example.fi" in text and "040 111" in text
    assert "Heikki Hiljainen" in text
    assert "heikki@example.fi" not in text
    assert "040 222" not in text
    assert "Johtaja" not in text


@pytest.mark.django_db
def test_directory_search_and_filters(en_client, network):
    kela = OrganisationFactory(name="Kela", sector=Sector.KELA, municipality="Iisalmi")
    ngo = OrganisationFactory(name="Yhdistys", sector=Sector.NGO, municipality="Kuopio")
    viewer = MembershipFactory(network=network, user=UserFactory(display_name="Viewer"))
    MembershipFactory(
        network=network,
        organisation=kela,
        role=MemberRole.MANAGEMENT,
        user=UserFactory(display_name="Kaisa Kela"),
    )
    MembershipFactory(network=network, organisation=ngo, user=UserFactory(display_name="Nina NGO"))
    en_client.force_login(viewer.user)
    url = f"/networks/{network.slug}/directory/"

    def names(query):
        page = en_client.get(url, query)
        return [entry.name for entry in page.context["entries"]]

    assert names({"q": "kaisa"}) == ["Kaisa Kela"]
    assert names({"sector": Sector.NGO}) == ["Nina NGO"]
    assert names({"organisation": kela.pk}) == ["Kaisa Kela"]
    assert names({"role": MemberRole.MANAGEMENT}) == ["Kaisa Kela"]
    assert names({"municipality": "Kuopio"}) == ["Nina NGO"]


@pytest.mark.django_db
@pytest.mark.parametrize("size", [10, 1000])
def test_directory_query_count_is_fixed(en_client, network, size, django_assert_num_queries):
    organisation = OrganisationFactory()
    _add_members(network, size, organisation)
    viewer = Membership.objects.filter(network=network).first().user
    en_client.force_login(viewer)
    url = f"/networks/{network.slug}/directory/"
    en_client.get(url)  # warm the session
    with django_assert_num_queries(DIRECTORY_QUERIES):
        response = en_client.get(url, {"q": "Bulk"})
    assert response.status_code == 200
    assert len(response.context["entries"]) == min(size, 50)


@pytest.mark.django_db
@pytest.mark.parametrize("size", [10, 1000])
def test_coordinator_member_list_query_count_is_fixed(
    en_client, network, coordinator, size, django_assert_num_queries
):
    _add_members(network, size, OrganisationFactory())
    en_client.force_login(coordinator)
    url = f"/networks/{network.slug}/manage/"
    en_client.get(url)
    with django_assert_num_queries(MEMBER_LIST_QUERIES):
        response = en_client.get(url)
    assert response.status_code == 200
    assert len(response.context["rows"]) == min(size, 100)


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_coordinators_export_the_member_list(en_client, network, coordinator, user, fmt):
    _add_members(network, 3)
    en_client.force_login(coordinator)
    response = en_client.get(f"/networks/{network.slug}/manage/export.{fmt}")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    if fmt == "csv":
        text = response.content.decode("utf-8-sig")
        assert text.count("\n") == 4
        assert "bulk" in text and f"bulk{network.pk}-1@example.fi" not in text  # no consent
    en_client.force_login(user)
    assert en_client.get(f"/networks/{network.slug}/manage/export.{fmt}").status_code == 404


# Directory: session, user, network, roles, coordinated networks, active membership,
# filter choices (organisations, municipalities), count and one page of members, and the
# access log line.
DIRECTORY_QUERIES = 11
# Member list: session, user, network, roles, coordinated networks, count, one page,
# the join requests, the access log line, the number of requests, the members by message
# choice.
MEMBER_LIST_QUERIES = 11


@pytest.mark.django_db
def test_coordinator_sends_an_announcement_from_the_page(
    en_client, network, coordinator, django_capture_on_commit_callbacks
):
    MembershipFactory(network=network, message_preference="each")
    MembershipFactory(network=network, message_preference="digest")
    en_client.force_login(coordinator)
    url = f"/networks/{network.slug}/manage/announce/"
    empty = en_client.post(url, {"subject": "", "body": ""})
    assert empty.status_code == 200 and b"error-summary" in empty.content
    with django_capture_on_commit_callbacks(execute=True):
        sent = en_client.post(url, {"subject": "Hello", "body": "News"})
    assert sent.status_code == 302
    assert len(mail.outbox) == 1
    assert network.announcements.get().subject == "Hello"


@pytest.mark.django_db
def test_coordinator_invites_from_the_page(en_client, private_network, coordinator):
    en_client.force_login(coordinator)
    url = f"/networks/{private_network.slug}/manage/invite/"
    bad = en_client.post(url, {"email": "not-an-address", "role": "practitioner"})
    assert bad.status_code == 200
    assert not Membership.objects.exists()
    done = en_client.post(url, {"email": "new@example.fi", "role": "practitioner"})
    assert done.status_code == 302
    assert Membership.objects.get().status == MembershipStatus.INVITED
    again = en_client.post(url, {"email": "new@example.fi", "role": "practitioner"})
    assert again.status_code == 200 and b"already" in again.content


@pytest.mark.django_db
@pytest.mark.parametrize("size", [10, 1000])
def test_directory_api_query_count_is_fixed(client, network, size, django_assert_num_queries):
    _add_members(network, size, OrganisationFactory())
    viewer = Membership.objects.filter(network=network).first().user
    client.force_login(viewer)
    url = f"/api/v1/networks/{network.pk}/directory/"
    client.get(url)
    with django_assert_num_queries(DIRECTORY_API_QUERIES):
        response = client.get(url)
    assert len(response.json()["results"]) == min(size, 50)


# Directory API: session, user, network, roles, coordinated networks, active membership,
# count, one page, the access log line.
DIRECTORY_API_QUERIES = 9

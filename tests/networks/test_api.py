"""/api/v1/networks/, the directory, my memberships and coordinators' decisions."""

import pytest
from django.core import mail

from networks.models import JoinPolicy, Membership, MembershipStatus
from tests.factories import MembershipFactory, NetworkFactory, UserFactory


@pytest.mark.django_db
def test_networks_list_shows_what_the_person_may_see(client, network, private_network, user):
    names = [n["name"] for n in client.get("/api/v1/networks/").json()["results"]]
    assert names == [network.name]
    MembershipFactory(network=private_network, user=user)
    client.force_login(user)
    names = {n["name"] for n in client.get("/api/v1/networks/").json()["results"]}
    assert names == {network.name, private_network.name}


@pytest.mark.django_db
def test_directory_api_is_for_active_members_only(client, private_network, network, user):
    member = MembershipFactory(
        network=private_network, user=UserFactory(email="shown@example.fi"), show_email=True
    )
    MembershipFactory(
        network=private_network, user=UserFactory(email="hidden@example.fi", phone="040 1")
    )
    url = f"/api/v1/networks/{private_network.pk}/directory/"
    assert client.get(url).status_code in (401, 403)
    client.force_login(user)
    assert client.get(url).status_code == 404
    assert client.get(f"/api/v1/networks/{private_network.pk}/").status_code == 404
    assert client.get(f"/api/v1/networks/{network.pk}/directory/").status_code == 404
    MembershipFactory(network=private_network, user=user, status=MembershipStatus.PENDING)
    assert client.get(url).status_code == 404
    client.force_login(member.user)
    body = client.get(url).json()
    assert body["count"] == 2
    emails = {entry["email"] for entry in body["results"]}
    assert emails == {"shown@example.fi", ""}
    assert "040 1" not in str(body)


@pytest.mark.django_db
def test_my_memberships(client, user, network):
    MembershipFactory(network=network, user=user, status=MembershipStatus.PENDING)
    MembershipFactory()  # someone else's
    client.force_login(user)
    body = client.get("/api/v1/memberships/mine/").json()
    assert [(m["network"]["slug"], m["status"]) for m in body["results"]] == [
        (network.slug, "pending")
    ]


@pytest.mark.django_db
def test_coordinators_approve_and_decline_by_api(
    client, network, coordinator, django_capture_on_commit_callbacks
):
    first = MembershipFactory(network=network, status=MembershipStatus.PENDING)
    second = MembershipFactory(network=network, status=MembershipStatus.PENDING)
    other = MembershipFactory(status=MembershipStatus.PENDING)  # another network
    client.cookies["django_language"] = "en"
    client.force_login(coordinator)
    listed = client.get("/api/v1/memberships/", {"status": "pending"}).json()
    assert {m["id"] for m in listed["results"]} == {first.pk, second.pk}
    with django_capture_on_commit_callbacks(execute=True):
        approved = client.post(
            f"/api/v1/memberships/{first.pk}/approve/", {"message": "Welcome"}, "application/json"
        )
        declined = client.post(f"/api/v1/memberships/{second.pk}/decline/", {}, "application/json")
    assert approved.status_code == 200 and approved.json()["status"] == "active"
    assert declined.status_code == 200 and declined.json()["status"] == "declined"
    assert len(mail.outbox) == 2
    again = client.post(f"/api/v1/memberships/{first.pk}/approve/", {}, "application/json")
    assert again.status_code == 400
    assert "waiting for approval" in again.json()["detail"]
    assert client.post(f"/api/v1/memberships/{other.pk}/approve/").status_code == 404
    assert Membership.objects.get(pk=other.pk).status == MembershipStatus.PENDING


@pytest.mark.django_db
def test_members_cannot_manage_memberships_by_api(client, network, user):
    pending = MembershipFactory(network=network, status=MembershipStatus.PENDING)
    MembershipFactory(network=network, user=user)
    client.force_login(user)
    assert client.get("/api/v1/memberships/").json()["count"] == 0
    assert client.post(f"/api/v1/memberships/{pending.pk}/approve/").status_code == 404


@pytest.mark.django_db
def test_join_by_api(client, user, private_network):
    open_network = NetworkFactory(join_policy=JoinPolicy.OPEN)
    client.force_login(user)
    joined = client.post(f"/api/v1/networks/{open_network.pk}/join/", {}, "application/json")
    assert joined.status_code == 201 and joined.json()["status"] == "active"
    again = client.post(f"/api/v1/networks/{open_network.pk}/join/", {}, "application/json")
    assert again.status_code == 400
    hidden = client.post(f"/api/v1/networks/{private_network.pk}/join/", {}, "application/json")
    assert hidden.status_code == 404


@pytest.mark.django_db
def test_api_answers_404_for_ids_that_are_not_numbers(client, user):
    client.force_login(user)
    assert client.get("/api/v1/networks/abc/directory/").status_code == 404
    assert client.post("/api/v1/networks/abc/join/").status_code == 404
    assert client.post("/api/v1/memberships/abc/approve/").status_code == 404


@pytest.mark.django_db
def test_joining_answers_as_the_schema_documents(client, user):
    open_network = NetworkFactory(join_policy=JoinPolicy.OPEN)
    client.force_login(user)
    schema = client.get("/api/schema/", {"format": "json"}).json()
    documented = schema["paths"]["/api/v1/networks/{id}/join/"]["post"]["responses"]

    joined = client.post(f"/api/v1/networks/{open_network.pk}/join/", {}, "application/json")

    assert joined.status_code == 201
    assert "201" in documented and "200" not in documented
    assert documented["201"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/Membership"
    )

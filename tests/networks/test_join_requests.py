"""Join requests on the coordinator's member page (issue 21): listed first under a heading
with their count, and approved or declined several at a time, each with the same e-mail
and audit line as a single decision; a request another coordinator decided meanwhile is
skipped and named, never decided twice."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse

from accounts.models import AuditEntry
from networks import services
from networks.models import Membership, MembershipStatus
from outbox.models import OutboxMessage
from tests.concurrency import run_in_threads
from tests.factories import MembershipFactory, NetworkFactory, UserFactory

pytestmark = pytest.mark.django_db


def _request(network, name: str) -> Membership:
    return MembershipFactory(
        network=network,
        user=UserFactory(display_name=name, language="en"),
        status=MembershipStatus.PENDING,
        joined_on=None,
    )


@pytest.fixture
def requests_(network):
    return [_request(network, name) for name in ("Aino Aalto", "Eino Eskola", "Helmi Heino")]


def _manage(network) -> str:
    return reverse("networks:manage", args=[network.slug])


def _decide_url(network) -> str:
    return reverse("networks:decide_requests", args=[network.slug])


def _statuses(memberships) -> list[str]:
    return [Membership.objects.get(pk=m.pk).status for m in memberships]


def test_requests_come_first_with_their_count_and_a_labelled_checkbox_each(
    en_client, network, coordinator, requests_
):
    MembershipFactory(network=network, user=UserFactory(display_name="Active Anna"))
    en_client.force_login(coordinator)
    html = en_client.get(_manage(network)).content.decode()
    assert "3 join requests waiting for a decision" in html
    assert html.index('id="requests"') < html.index('id="members"') < html.index("Active Anna")
    for membership in requests_:
        name = membership.user.display_name
        assert re.search(
            rf'<input type="checkbox" name="memberships" value="{membership.pk}" '
            rf'id="request-{membership.pk}"',
            html,
        )
        assert f'<label for="request-{membership.pk}">{name}</label>' in html
        # The single decision (with a personal message) is still there for each row.
        assert reverse("networks:decide", args=[membership.pk]) in html
    assert "Approve selected" in html and "Decline selected" in html
    # Requests are not repeated in the member list below.
    assert html.count("Aino Aalto") == 2  # the label and the single decision's link


def test_one_request_is_counted_in_the_singular(en_client, network, coordinator):
    _request(network, "Aino Aalto")
    en_client.force_login(coordinator)
    assert (
        "1 join request waiting for a decision" in en_client.get(_manage(network)).content.decode()
    )


def test_no_requests(en_client, network, coordinator):
    en_client.force_login(coordinator)
    html = en_client.get(_manage(network)).content.decode()
    assert "No requests are waiting for a decision." in html
    assert "Approve selected" not in html


def test_approving_the_chosen_requests_e_mails_and_audits_each(
    en_client, network, coordinator, requests_, django_capture_on_commit_callbacks
):
    chosen, left = requests_[:2], requests_[2]
    en_client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = en_client.post(
            _decide_url(network),
            {
                "memberships": [m.pk for m in chosen],
                "decision": "approve",
                "message": "Tervetuloa verkostoon!",
            },
            follow=True,
        )
    assert response.redirect_chain[-1][0] == _manage(network) + "#requests"
    assert "2 requests were approved: Aino Aalto, Eino Eskola." in response.content.decode()
    assert _statuses(chosen) == [MembershipStatus.ACTIVE] * 2
    assert _statuses([left]) == [MembershipStatus.PENDING]
    assert sorted(m.to[0] for m in mail.outbox) == sorted(m.user.email for m in chosen)
    assert all("Tervetuloa verkostoon!" in m.body for m in mail.outbox)
    assert all("approved" in m.body for m in mail.outbox)
    audited = AuditEntry.objects.filter(action="membership.approved", actor=coordinator)
    assert sorted(audited.values_list("object_id", flat=True)) == sorted(str(m.pk) for m in chosen)
    assert audited.first().details == {"network": network.slug, "message": "Tervetuloa verkostoon!"}
    # Still on the page: the one request left, counted.
    assert "1 join request waiting for a decision" in response.content.decode()


def test_declining_the_chosen_requests(
    en_client, network, coordinator, requests_, django_capture_on_commit_callbacks
):
    en_client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = en_client.post(
            _decide_url(network),
            {"memberships": [m.pk for m in requests_], "decision": "decline"},
            follow=True,
        )
    assert (
        "3 requests were declined: Aino Aalto, Eino Eskola, Helmi Heino."
        in response.content.decode()
    )
    assert _statuses(requests_) == [MembershipStatus.DECLINED] * 3
    assert len(mail.outbox) == 3
    assert all("declined" in m.body for m in mail.outbox)
    assert AuditEntry.objects.filter(action="membership.declined").count() == 3
    assert "No requests are waiting for a decision." in response.content.decode()


def test_none_chosen_says_so_and_changes_nothing(en_client, network, coordinator, requests_):
    en_client.force_login(coordinator)
    for decision in ("approve", "decline"):
        response = en_client.post(
            _decide_url(network), {"decision": decision, "message": "Kept text"}
        )
        assert response.status_code == 400
        html = response.content.decode()
        assert 'class="error-summary"' in html
        assert "Choose at least one request first." in html
        assert "Kept text" in html  # the message written is not lost
    assert _statuses(requests_) == [MembershipStatus.PENDING] * 3
    assert not AuditEntry.objects.filter(action__startswith="membership.").exists()
    assert not OutboxMessage.objects.filter(task__endswith="send_membership_decision").exists()


def test_a_request_decided_meanwhile_is_skipped_and_named(
    en_client, network, coordinator, requests_, django_capture_on_commit_callbacks
):
    other = UserFactory(display_name="Other Coordinator", with_totp=True)
    network.coordinators.add(other)
    first, second, _third = requests_
    en_client.force_login(coordinator)
    en_client.get(_manage(network))  # the page with all three, then the other one decides
    services.approve_membership(membership=first, by=other, message="Welcome")
    with django_capture_on_commit_callbacks(execute=True):
        response = en_client.post(
            _decide_url(network),
            {"memberships": [first.pk, second.pk], "decision": "decline"},
            follow=True,
        )
    html = response.content.decode()
    assert "1 request was declined: Eino Eskola." in html
    assert (
        "1 request was no longer waiting (another coordinator had decided it, or the person "
        "had withdrawn it) and was left as it was: Aino Aalto." in html
    )
    assert _statuses([first, second]) == [MembershipStatus.ACTIVE, MembershipStatus.DECLINED]
    first.refresh_from_db()
    assert first.decision_message == "Welcome"
    decisions = AuditEntry.objects.filter(action__startswith="membership.")
    assert list(decisions.filter(object_id=str(first.pk)).values_list("actor", flat=True)) == [
        other.pk
    ]
    assert [m.to[0] for m in mail.outbox] == [second.user.email]


def test_the_chosen_requests_keep_their_ticks_when_the_form_comes_back(
    en_client, network, coordinator, requests_
):
    en_client.force_login(coordinator)
    response = en_client.post(_decide_url(network), {"memberships": [requests_[1].pk]})
    assert response.status_code == 400  # neither button: no decision
    html = response.content.decode()
    assert f'value="{requests_[1].pk}" id="request-{requests_[1].pk}" checked' in html
    assert f'value="{requests_[0].pk}" id="request-{requests_[0].pk}" checked' not in html


def test_a_coordinator_of_another_network_cannot_decide(en_client, network, requests_):
    elsewhere = UserFactory(with_totp=True)
    NetworkFactory().coordinators.add(elsewhere)
    en_client.force_login(elsewhere)
    response = en_client.post(
        _decide_url(network), {"memberships": [m.pk for m in requests_], "decision": "approve"}
    )
    assert response.status_code == 404
    assert _statuses(requests_) == [MembershipStatus.PENDING] * 3


def test_an_ordinary_member_cannot_decide(en_client, network, requests_):
    member = MembershipFactory(network=network).user
    en_client.force_login(member)
    response = en_client.post(
        _decide_url(network), {"memberships": [requests_[0].pk], "decision": "approve"}
    )
    assert response.status_code == 404
    assert _statuses(requests_) == [MembershipStatus.PENDING] * 3


def test_requests_of_another_network_are_not_decided_from_this_one(
    en_client, network, coordinator, requests_
):
    """A coordinator of both networks: ids of the other network's requests posted to this
    network's page are left out (nothing of this network chosen)."""
    other_network = NetworkFactory()
    other_network.coordinators.add(coordinator)
    theirs = _request(other_network, "Niko Nieminen")
    en_client.force_login(coordinator)
    response = en_client.post(
        _decide_url(network), {"memberships": [theirs.pk], "decision": "approve"}
    )
    assert response.status_code == 400
    assert "Choose at least one request first." in response.content.decode()
    assert _statuses([theirs]) == [MembershipStatus.PENDING]


def test_the_bulk_form_only_answers_post(en_client, network, coordinator):
    en_client.force_login(coordinator)
    assert en_client.get(_decide_url(network)).status_code == 405


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL (runs in make test)"
)
def test_two_coordinators_deciding_at_once_decide_each_request_once(network, coordinator):
    other = UserFactory()
    network.coordinators.add(other)
    waiting = [_request(network, f"Person {n}") for n in range(6)]
    ids = [m.pk for m in waiting]
    calls = [(coordinator, ids[:4], True), (other, ids[2:], False)]

    def decide(call):
        by, chosen, approve = call
        return services.decide_requests(
            network=network, membership_ids=chosen, by=by, approve=approve
        )

    results, errors = run_in_threads(decide, calls)
    assert errors == []
    decided = [m.pk for result in results for m in result.decided]
    skipped = [m.pk for result in results for m in result.skipped]
    assert sorted(decided) == ids  # every request decided, and only once
    assert sorted(skipped) == ids[2:4]  # the two both chose went to whoever locked first
    assert Membership.objects.filter(pk__in=ids, status=MembershipStatus.PENDING).count() == 0
    assert AuditEntry.objects.filter(action__startswith="membership.").count() == 6
    assert OutboxMessage.objects.filter(task__endswith="send_membership_decision").count() == 6

"""The audit log: role changes are recorded, admins read it, entries outlive people."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from accounts.audit import record_audit
from accounts.models import AuditEntry
from accounts.roles import Role, ensure_role_groups, grant_role, revoke_role
from accounts.services import delete_account
from tests.factories import EventFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_role_changes_in_the_admin_are_audited_with_the_admin_as_actor(client, admin_user):
    person = UserFactory()
    groups = ensure_role_groups()
    client.force_login(admin_user)
    url = reverse("admin:accounts_user_change", args=[person.pk])
    form = {
        "email": person.email,
        "display_name": person.display_name,
        "language": "fi",
        "reminders_enabled": "on",
        "is_active": "on",
        "groups": [groups[Role.ORGANISER].pk, groups[Role.REPORTING].pk],
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "10:00:00",
    }

    response = client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    form["groups"] = [groups[Role.REPORTING].pk]
    form["is_superuser"] = "on"
    client.post(url, form)

    entries = AuditEntry.objects.filter(object_id=str(person.pk)).order_by("pk")
    assert [(e.action, e.details["role"], e.actor_id) for e in entries] == [
        ("role.granted", "organiser", admin_user.pk),
        ("role.granted", "reporting", admin_user.pk),
        ("role.granted", "administrator", admin_user.pk),
        ("role.revoked", "organiser", admin_user.pk),
    ]
    assert {e.actor_label for e in entries} == {admin_user.email}


def test_role_changes_in_code_and_by_group_are_audited():
    person = UserFactory()
    grant_role(person, Role.REPORTING)
    grant_role(person, Role.REPORTING)  # already had it: nothing new
    revoke_role(person, Role.REPORTING)
    Group.objects.get(name="organiser").user_set.add(person)
    person.groups.clear()

    assert [
        (e.action, e.details["role"])
        for e in AuditEntry.objects.filter(object_id=str(person.pk)).order_by("pk")
    ] == [
        ("role.granted", "reporting"),
        ("role.revoked", "reporting"),
        ("role.granted", "organiser"),
        ("role.revoked", "organiser"),
    ]


def test_entries_survive_deletion_of_actor_and_object(admin_user):
    actor = UserFactory(email="staff@example.fi")
    event = EventFactory(title="Työpaja A")
    record_audit(actor=actor, action="event.cancelled", obj=event, reason="ill")
    event.delete()
    delete_account(user=actor)

    entry = AuditEntry.objects.get(action="event.cancelled")
    assert entry.actor_id is None
    assert entry.actor_label == "staff@example.fi"
    assert entry.object_label == "Työpaja A"
    assert entry.object_type == "events.Event"
    assert entry.details == {"reason": "ill"}


def test_only_administrators_see_the_audit_page(client, organiser, reporting, admin_user, user):
    url = reverse("accounts:audit_log")
    assert client.get(url).status_code == 302
    for person in (user, organiser, reporting):
        client.force_login(person)
        assert client.get(url).status_code == 403
    client.force_login(admin_user)
    assert client.get(url).status_code == 200


def test_audit_page_filters_by_action_and_date(en_client, admin_user):
    old = record_audit(actor=admin_user, action="event.cancelled", label="Old one")
    AuditEntry.objects.filter(pk=old.pk).update(at=timezone.now() - dt.timedelta(days=10))
    record_audit(actor=admin_user, action="event.cancelled", label="New one")
    record_audit(actor=admin_user, action="membership.approved", label="Member X")
    en_client.force_login(admin_user)
    url = reverse("accounts:audit_log")

    page = en_client.get(url, {"action": "event.cancelled"}).content.decode()
    assert "Old one" in page and "New one" in page and "Member X" not in page

    since = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    page = en_client.get(url, {"date_from": since}).content.decode()
    assert "Old one" not in page and "New one" in page and "Member X" in page

    bad = en_client.get(url, {"date_from": "2026-05-01", "date_to": "2026-04-01"})
    assert bad.status_code == 200
    assert "The end date must not be before the start date." in bad.content.decode()


@pytest.mark.parametrize("n", [10, 500])
def test_audit_page_runs_a_fixed_number_of_queries(
    client, admin_user, django_assert_num_queries, n
):
    AuditEntry.objects.bulk_create(
        AuditEntry(actor_label="a@example.fi", action=f"thing.done{i % 7}", object_label=f"#{i}")
        for i in range(n)
    )
    client.force_login(admin_user)
    url = reverse("accounts:audit_log")
    client.get(url)
    # session, user, distinct actions, count, page rows
    with django_assert_num_queries(5):
        response = client.get(url, {"page": 2 if n > 50 else 1})
    assert response.status_code == 200

"""The access log (tiedonhallintalaki 906/2019 §17): who viewed or exported people's data.

One line per page, export or API read — who (id), when, what (action and object), how
many people, which channel — and no name, e-mail address or search term in any field.
"""

import datetime as dt
import json
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.audit import record_access, record_audit
from accounts.models import AuditEntry
from accounts.services import apply_retention
from accounts.tasks import apply_retention as retention_task
from networks.models import MembershipStatus
from tests.factories import (
    EventFactory,
    MembershipFactory,
    NetworkFactory,
    RegistrationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

TEAMS = Path(__file__).resolve().parent.parent / "fixtures" / "teams"


def _access_entries():
    return list(AuditEntry.objects.exclude(channel="").order_by("pk"))


def _only_entry():
    entries = _access_entries()
    assert len(entries) == 1, [(e.action, e.channel) for e in entries]
    return entries[0]


def _as_text(entry: AuditEntry) -> str:
    """Every stored field of the line, as one string (to look for personal data in it)."""
    values = {f.attname: getattr(entry, f.attname) for f in AuditEntry._meta.concrete_fields}
    return json.dumps(values, default=str, ensure_ascii=False).lower()


def _assert_no_personal_data(entry: AuditEntry, people) -> None:
    text = _as_text(entry)
    for person in people:
        for value in (person.display_name, person.email):
            assert value.lower() not in text, (value, text)


@pytest.fixture
def event():
    event = EventFactory(title="Paja", capacity=10)
    for name in ("Aino Ahonen", "Bertta Bäck", "Cecilia Cederlöf"):
        RegistrationFactory(event=event, user=UserFactory(display_name=name))
    RegistrationFactory(event=event, user=None, name="Eero Guest", email="eero@example.fi")
    return event


def _people(event):
    return [r.user for r in event.registrations.select_related("user") if r.user]


# --- Participant lists ----------------------------------------------------------------------


def test_participants_page_writes_one_line_with_the_count_and_no_names(client, organiser, event):
    client.force_login(organiser)

    response = client.get(reverse("events:participants", args=[event.pk]))

    assert response.status_code == 200
    entry = _only_entry()
    assert (entry.action, entry.channel, entry.people_count) == ("participants.viewed", "page", 4)
    assert (entry.object_type, entry.object_id) == ("events.Event", str(event.pk))
    assert entry.actor_id == organiser.pk and entry.actor_label == f"#{organiser.pk}"
    assert entry.at is not None
    _assert_no_personal_data(entry, [*_people(event), organiser])
    assert "eero" not in _as_text(entry)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_participant_export_writes_one_line_with_its_channel(client, organiser, event, fmt):
    client.force_login(organiser)

    response = client.get(reverse("events:participants_export", args=[event.pk, fmt]))

    assert response.status_code == 200
    entry = _only_entry()
    assert (entry.action, entry.channel, entry.people_count) == ("participants.exported", fmt, 4)
    assert (entry.object_type, entry.object_id) == ("events.Event", str(event.pk))
    _assert_no_personal_data(entry, [*_people(event), organiser])


def test_check_in_list_is_logged(client, organiser, event):
    client.force_login(organiser)
    assert client.get(reverse("events:check_in", args=[event.pk])).status_code == 200
    entry = _only_entry()
    assert (entry.action, entry.channel, entry.people_count) == ("participants.viewed", "page", 4)


def test_participants_api_writes_one_line(organiser, event):
    api = APIClient()
    api.force_authenticate(organiser)

    response = api.get(f"/api/v1/events/{event.pk}/participants/")

    assert response.status_code == 200
    assert len(response.json()["participants"]) == 4
    entry = _only_entry()
    assert (entry.action, entry.channel, entry.people_count) == ("participants.viewed", "api", 4)
    assert (entry.object_type, entry.object_id, entry.actor_id) == (
        "events.Event",
        str(event.pk),
        organiser.pk,
    )
    _assert_no_personal_data(entry, _people(event))


def test_refused_reads_are_not_logged_as_access(client, user, event):
    client.force_login(user)
    assert client.get(reverse("events:participants", args=[event.pk])).status_code == 403
    assert client.get(f"/api/v1/events/{event.pk}/participants/").status_code == 403
    assert _access_entries() == []


def test_the_event_list_and_own_registrations_are_not_logged(client, user, event):
    client.force_login(user)
    client.get("/events/")
    client.get("/api/v1/registrations/")
    assert _access_entries() == []


# --- Attendance import --------------------------------------------------------------------


def test_attendance_preview_and_import_are_logged_with_the_count(client, organiser):
    starts = dt.datetime(2026, 7, 22, 14, 0, tzinfo=ZoneInfo("Europe/Helsinki"))  # the report's
    event = EventFactory(
        title="Kohtaamo: Työkyvyn tuki arjessa",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=1),
    )
    RegistrationFactory(event=event, user=None, name="Matti", email="matti.meikalainen@kunta.fi")
    client.force_login(organiser)
    url = reverse("events:organise_attendance_import", kwargs={"pk": event.pk})

    with (TEAMS / "report_en-us_utf16_tab.csv").open("rb") as handle:
        preview = client.post(url, {"file": handle, "action": "preview"})
    assert preview.status_code == 200
    shown = len(preview.context["result"].people)
    client.post(url, {"action": "save"})

    entries = _access_entries()
    assert [(e.action, e.channel, e.people_count) for e in entries] == [
        ("attendance.previewed", "page", shown),
        ("attendance.imported", "page", shown),
    ]
    assert shown > 0
    for entry in entries:
        assert (entry.object_type, entry.object_id) == ("events.Event", str(event.pk))
        text = _as_text(entry)
        assert "matti" not in text and "meikäläinen" not in text and "report" not in text


def test_a_preview_shown_again_for_confirmation_is_logged_again(client, organiser):
    starts = dt.datetime(2026, 7, 15, 14, 0, tzinfo=ZoneInfo("Europe/Helsinki"))  # a week early
    event = EventFactory(starts_at=starts, ends_at=starts + dt.timedelta(hours=1))
    client.force_login(organiser)
    url = reverse("events:organise_attendance_import", kwargs={"pk": event.pk})
    with (TEAMS / "report_en-us_utf16_tab.csv").open("rb") as handle:
        client.post(url, {"file": handle, "action": "preview"})

    again = client.post(url, {"action": "save", "confirm-belongs_to_event": "on"})  # no reason

    assert again.status_code == 400 and again.context["result"] is not None
    assert [e.action for e in _access_entries()] == ["attendance.previewed"] * 2


# --- Networks: directory, member list, export, API -----------------------------------------


@pytest.fixture
def coordinator(db):
    return UserFactory(display_name="Coordinator Cora", with_totp=True)


@pytest.fixture
def network(coordinator):
    network = NetworkFactory()
    network.coordinators.add(coordinator)
    return network


@pytest.fixture
def members(network):
    return [
        MembershipFactory(network=network, user=UserFactory(display_name=name)).user
        for name in ("Kaisa Kela", "Nina Järvi", "Olli Outinen")
    ]


def test_directory_page_is_logged_and_a_search_term_is_not(client, network, members):
    client.force_login(members[0])
    url = reverse("networks:directory", args=[network.slug])

    assert client.get(url).status_code == 200
    assert client.get(url, {"q": "Outinen"}).status_code == 200

    plain, searched = _access_entries()
    assert (plain.action, plain.channel, plain.people_count) == ("directory.viewed", "page", 3)
    assert (plain.object_type, plain.object_id) == ("networks.Network", str(network.pk))
    assert plain.details == {}
    assert (searched.people_count, searched.details) == (1, {"filtered": True})
    assert "outinen" not in _as_text(searched)
    for entry in (plain, searched):
        _assert_no_personal_data(entry, members)


def test_directory_api_is_logged(client, network, members):
    client.force_login(members[1])
    response = client.get(f"/api/v1/networks/{network.pk}/directory/")
    assert response.status_code == 200
    entry = _only_entry()
    assert (entry.action, entry.channel, entry.people_count) == ("directory.viewed", "api", 3)
    assert entry.actor_id == members[1].pk
    _assert_no_personal_data(entry, members)


def test_coordinator_member_list_is_logged(client, network, coordinator, members):
    # The join requests are listed apart on the page, always; the status filter narrows
    # the member list below them. The line counts everyone the page shows.
    MembershipFactory(network=network, status=MembershipStatus.PENDING)
    MembershipFactory(network=network, status=MembershipStatus.INVITED)
    client.force_login(coordinator)
    url = reverse("networks:manage", args=[network.slug])

    assert client.get(url).status_code == 200
    assert client.get(url, {"status": "invited"}).status_code == 200

    everyone, invited = _access_entries()
    assert (everyone.action, everyone.channel, everyone.people_count) == (
        "members.viewed",
        "page",
        5,
    )
    assert (invited.action, invited.people_count, invited.details) == (
        "members.viewed",
        2,  # the invited member and the waiting request
        {"filtered": True},
    )
    _assert_no_personal_data(everyone, [*members, coordinator])


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_member_export_writes_one_line(client, network, coordinator, members, fmt):
    client.force_login(coordinator)
    response = client.get(reverse("networks:export", args=[network.slug, fmt]))
    assert response.status_code == 200
    entry = _only_entry()
    assert (entry.action, entry.channel, entry.people_count) == ("members.exported", fmt, 3)
    assert (entry.object_type, entry.object_id) == ("networks.Network", str(network.pk))
    _assert_no_personal_data(entry, [*members, coordinator])


def test_memberships_api_list_and_detail_are_logged(client, network, coordinator, members):
    other = NetworkFactory()
    MembershipFactory(network=other)  # not coordinated: neither shown nor counted
    client.force_login(coordinator)

    listed = client.get("/api/v1/memberships/")
    one = listed.json()["results"][0]["id"]
    assert client.get(f"/api/v1/memberships/{one}/").status_code == 200
    client.get("/api/v1/memberships/", {"network": network.pk})

    listing, detail, filtered = _access_entries()
    assert (listing.action, listing.channel, listing.people_count) == ("members.viewed", "api", 3)
    assert (listing.object_type, listing.object_id) == ("networks.Membership", "")
    assert (detail.people_count, detail.object_type, detail.object_id) == (
        1,
        "networks.Membership",
        str(one),
    )
    assert filtered.details == {"filtered": True}
    _assert_no_personal_data(listing, members)


# --- A person's own data --------------------------------------------------------------------


def test_own_data_page_and_download_are_logged(client):
    person = UserFactory(display_name="Tiina Tietopyyntö")
    client.force_login(person)

    assert client.get(reverse("accounts:my_data")).status_code == 200
    assert client.get(reverse("accounts:my_data_json")).status_code == 200

    page, download = _access_entries()
    assert (page.action, page.channel, page.people_count) == ("personal_data.viewed", "page", 1)
    assert (download.action, download.channel) == ("personal_data.exported", "json")
    for entry in (page, download):
        assert (entry.object_type, entry.object_id) == ("accounts.User", str(person.pk))
        assert entry.actor_id == person.pk
        _assert_no_personal_data(entry, [person])


# --- The administrator reads and filters it -------------------------------------------------


def test_admin_lists_access_lines_read_only_and_filters_them(client, admin_user, organiser):
    event = EventFactory(title="Yksityinen tapahtuma")
    first = UserFactory()
    record_access(actor=first, action="participants.viewed", target=event, count=7, channel="page")
    record_access(
        actor=organiser, action="participants.exported", target=event, count=7, channel="csv"
    )
    old = record_access(
        actor=organiser, action="directory.viewed", target=NetworkFactory(), count=2, channel="api"
    )
    AuditEntry.objects.filter(pk=old.pk).update(at=timezone.now() - dt.timedelta(days=400))
    record_audit(actor=organiser, action="event.cancelled", obj=event)
    client.cookies["django_language"] = "en"
    client.force_login(admin_user)
    url = reverse("admin:accounts_auditentry_changelist")

    def shown(query):
        response = client.get(url, query)
        assert response.status_code == 200
        return sorted(e.action for e in response.context["cl"].result_list)

    assert shown({"channel__exact": "csv"}) == ["participants.exported"]
    assert shown({"action__exact": "participants.viewed"}) == ["participants.viewed"]
    assert shown({"actor_id": str(organiser.pk)}) == [
        "directory.viewed",
        "event.cancelled",
        "participants.exported",
    ]
    this_year = timezone.localdate().year
    assert "directory.viewed" not in shown({"at__year": this_year, "at__month": 12})
    assert client.get(url, {"actor_id": "nobody"}).status_code == 302  # ?e=1, not a 500

    page = client.get(url).content.decode()
    assert f"#{organiser.pk}" in page and "Export (CSV)" in page
    entry = AuditEntry.objects.get(action="participants.exported")
    change = client.get(reverse("admin:accounts_auditentry_change", args=[entry.pk]))
    assert change.status_code == 200 and b'name="_save"' not in change.content
    assert client.get(reverse("admin:accounts_auditentry_add")).status_code == 403
    delete = reverse("admin:accounts_auditentry_delete", args=[entry.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_only_administrators_open_the_admin_log(client, organiser):
    client.force_login(organiser)
    response = client.get(reverse("admin:accounts_auditentry_changelist"))
    assert response.status_code in (302, 403)


def test_audit_page_shows_channel_and_count(en_client, admin_user):
    record_access(
        actor=admin_user,
        action="members.exported",
        target=NetworkFactory(),
        count=12,
        channel="xlsx",
    )
    en_client.force_login(admin_user)
    page = en_client.get(reverse("accounts:audit_log")).content.decode()
    assert "members.exported" in page and "Export (XLSX)" in page and "<td>12</td>" in page


# --- Kept for ACCESS_LOG_RETENTION_DAYS, then removed by the retention run -------------------


def _access_line_written_at(moment: dt.datetime, **kwargs) -> AuditEntry:
    with time_machine.travel(moment, tick=False):
        return record_access(
            actor=None, action="participants.viewed", target=None, count=3, channel="page", **kwargs
        )


NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)


def test_retention_removes_old_access_lines_and_keeps_recent_ones(settings):
    settings.ACCESS_LOG_RETENTION_DAYS = 730
    too_old = _access_line_written_at(NOW - dt.timedelta(days=731))
    kept = _access_line_written_at(NOW - dt.timedelta(days=729))
    with time_machine.travel(NOW - dt.timedelta(days=2000), tick=False):
        other = record_audit(actor=None, action="event.cancelled", label="Very old")

    with time_machine.travel(NOW, tick=False):
        dry = apply_retention(dry_run=True)
        assert dry.access_entries == 1 and AuditEntry.objects.filter(pk=too_old.pk).exists()
        result = apply_retention()
        again = apply_retention()

    assert result.access_entries == 1 and again.access_entries == 0
    assert not AuditEntry.objects.filter(pk=too_old.pk).exists()
    assert AuditEntry.objects.filter(pk=kept.pk).exists()
    assert AuditEntry.objects.filter(pk=other.pk).exists()  # the audit log proper stays
    run = AuditEntry.objects.get(action="retention.applied")
    assert run.details["access_entries"] == 1


def test_retention_period_is_a_setting_and_the_task_and_command_apply_it(settings):
    settings.ACCESS_LOG_RETENTION_DAYS = 30
    _access_line_written_at(NOW - dt.timedelta(days=31))
    _access_line_written_at(NOW - dt.timedelta(days=29))
    with time_machine.travel(NOW, tick=False):
        out = StringIO()
        call_command("apply_retention", "--dry-run", stdout=out)
        assert "Access log 30 days: 1 entries would be removed." in out.getvalue()
        assert retention_task.delay().get()["access_entries"] == 1
    assert len(_access_entries()) == 1


def test_default_retention_is_two_years():
    assert settings.ACCESS_LOG_RETENTION_DAYS == 730


def test_privacy_notice_and_audit_page_tell_the_period_in_finnish(client, admin_user, settings):
    settings.ACCESS_LOG_RETENTION_DAYS = 400
    notice = client.get(reverse("privacy")).content.decode()
    assert "Lokia säilytetään 400 päivää." in notice

    record_access(actor=admin_user, action="members.exported", target=None, count=2, channel="csv")
    client.force_login(admin_user)
    page = client.get(reverse("accounts:audit_log")).content.decode()
    assert "säilytetään 400 päivää" in page and "Vienti (CSV)" in page

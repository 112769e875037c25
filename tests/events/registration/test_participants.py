"""Organiser pages: participant list, register someone, promote, exports, check-in, headcount."""

import csv
import io

import pytest
from openpyxl import load_workbook

from accounts.models import AuditEntry
from events.models import Registration, RegistrationMode, RegistrationStatus
from tests.factories import EventFactory, RegistrationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, organiser):
    client.cookies["django_language"] = "en"
    client.force_login(organiser)
    return client


@pytest.fixture
def event():
    event = EventFactory(capacity=2, registration_mode=RegistrationMode.WAITLIST, title="Paja")
    RegistrationFactory(event=event, name="Aino Confirmed", attended=True)
    RegistrationFactory(event=event, name="Bertta Confirmed", attended=False)
    RegistrationFactory(event=event, name="Cecilia Waiting", status="waitlisted")
    RegistrationFactory(event=event, name="Dora Cancelled", status="cancelled")
    RegistrationFactory(
        event=event, user=None, name="Eero Pending", email="eero@example.fi", status="pending"
    )
    return event


def test_participants_page_groups_and_counts(staff_client, event):
    response = staff_client.get(f"/events/{event.pk}/participants/")
    assert response.status_code == 200
    counts = response.context["counts"]
    assert counts["registered"] == 4
    assert counts["confirmed"] == 2
    assert counts["waitlisted"] == 1
    assert counts["cancelled"] == 1
    assert counts["pending"] == 1
    assert counts["attended"] == 1
    assert counts["no_shows"] == 1
    html = response.content.decode()
    for name in ("Aino", "Bertta", "Cecilia", "Dora", "Eero"):
        assert name in html


@pytest.mark.parametrize("url", ["participants/", "participants/export.csv", "check-in/"])
def test_organiser_pages_are_refused_to_members_and_anonymous(client, user, event, url):
    assert client.get(f"/events/{event.pk}/{url}").status_code == 302
    client.force_login(user)
    assert client.get(f"/events/{event.pk}/{url}").status_code == 403


def test_member_cannot_promote_or_register_someone(client, user, event):
    client.force_login(user)
    waiting = event.registrations.get(status="waitlisted")
    assert client.post(f"/events/{event.pk}/participants/{waiting.pk}/promote/").status_code == 403
    assert (
        client.post(
            f"/events/{event.pk}/participants/add/", {"add-email": "x@example.fi"}
        ).status_code
        == 403
    )
    waiting.refresh_from_db()
    assert waiting.status == "waitlisted"


def test_register_someone_and_promote_and_capacity(staff_client, event):
    person = UserFactory()
    staff_client.post(f"/events/{event.pk}/participants/add/", {"add-email": person.email})
    added = event.registrations.get(user=person)
    assert added.status == RegistrationStatus.WAITLISTED  # the two seats are taken
    response = staff_client.post(f"/events/{event.pk}/capacity/", {"seats-capacity": "1"})
    assert response.status_code == 400
    assert "2 people are already confirmed" in response.content.decode()
    staff_client.post(f"/events/{event.pk}/capacity/", {"seats-capacity": "3"})
    waiting = event.registrations.get(name="Cecilia Waiting")
    assert waiting.status == RegistrationStatus.CONFIRMED
    added.refresh_from_db()
    assert added.status == RegistrationStatus.WAITLISTED
    staff_client.post(f"/events/{event.pk}/participants/{waiting.pk}/cancel/")
    added.refresh_from_db()
    assert added.status == RegistrationStatus.CONFIRMED
    assert AuditEntry.objects.filter(action="registration.cancelled_by_staff").exists()


def test_promote_button_moves_into_a_free_seat(staff_client, event):
    Registration.objects.filter(event=event, name="Bertta Confirmed").update(status="cancelled")
    waiting = event.registrations.get(status="waitlisted")
    staff_client.post(f"/events/{event.pk}/participants/{waiting.pk}/promote/")
    waiting.refresh_from_db()
    assert waiting.status == RegistrationStatus.CONFIRMED


def test_csv_export_has_every_registration(staff_client, event):
    response = staff_client.get(f"/events/{event.pk}/participants/export.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:4] == ["Name", "E-mail", "Organisation", "Status"]
    by_name = {row[0]: row for row in rows[1:]}
    assert set(by_name) == {
        "Aino Confirmed",
        "Bertta Confirmed",
        "Cecilia Waiting",
        "Dora Cancelled",
        "Eero Pending",
    }
    assert by_name["Aino Confirmed"][3] == "Confirmed"
    assert by_name["Aino Confirmed"][5] == "yes"
    assert by_name["Cecilia Waiting"][3] == "On the waitlist"
    assert by_name["Eero Pending"][1] == "eero@example.fi"


def test_xlsx_export(staff_client, event):
    response = staff_client.get(f"/events/{event.pk}/participants/export.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][0].startswith("Paja")
    assert values[1][:2] == ["Name", "E-mail"]
    assert len(values) == 2 + 5


def test_unknown_export_format_is_404(staff_client, event):
    assert staff_client.get(f"/events/{event.pk}/participants/export.pdf").status_code == 404


def test_check_in_lists_confirmed_and_marks_in_bulk(staff_client, event):
    response = staff_client.get(f"/events/{event.pk}/check-in/")
    html = response.content.decode()
    assert "Aino" in html and "Bertta" in html
    assert "Cecilia" not in html
    ids = list(event.registrations.filter(status="confirmed").values_list("pk", flat=True))
    staff_client.post(f"/events/{event.pk}/check-in/", {"registrations": ids, "mark": "attended"})
    assert set(event.registrations.filter(pk__in=ids).values_list("attended", flat=True)) == {True}
    staff_client.post(f"/events/{event.pk}/check-in/", {"registrations": ids[:1], "mark": "absent"})
    assert Registration.objects.get(pk=ids[0]).attended is False


def test_check_in_refuses_registrations_of_another_event(staff_client, event):
    other = RegistrationFactory()
    response = staff_client.post(
        f"/events/{event.pk}/check-in/", {"registrations": [other.pk], "mark": "attended"}
    )
    assert response.status_code == 400
    other.refresh_from_db()
    assert other.attended is None


def test_check_in_without_choice_says_so(staff_client, event):
    response = staff_client.post(f"/events/{event.pk}/check-in/", {"mark": "attended"})
    assert response.status_code == 400
    assert "Choose at least one participant." in response.content.decode()


def test_headcount_form_for_drop_in(staff_client):
    drop_in = EventFactory(registration_mode=RegistrationMode.DROP_IN)
    html = staff_client.get(f"/events/{drop_in.pk}/check-in/").content.decode()
    assert 'name="headcount"' in html
    staff_client.post(f"/events/{drop_in.pk}/headcount/", {"headcount": "23"})
    drop_in.refresh_from_db()
    assert drop_in.headcount == 23
    response = staff_client.post(
        f"/events/{drop_in.pk}/headcount/", {"headcount": "-4"}, follow=True
    )
    assert "Headcount:" in response.content.decode()
    drop_in.refresh_from_db()
    assert drop_in.headcount == 23


def _fill(event, rows):
    people = UserFactory.create_batch(3)
    Registration.objects.bulk_create(
        Registration(
            event=event,
            user=people[i] if i < 3 else None,
            name=f"Person {i}",
            email=f"p{i}@example.fi",
            status=["confirmed", "waitlisted", "cancelled", "pending"][i % 4],
        )
        for i in range(rows)
    )


# Five reads whatever the number of rows, and one INSERT: the access log line.
PARTICIPANTS_QUERIES = 6
CHECK_IN_QUERIES = 6


@pytest.mark.parametrize("rows", [10, 500])
def test_participant_list_query_count(staff_client, django_assert_num_queries, rows):
    event = EventFactory(capacity=1000)
    _fill(event, rows)
    staff_client.get(f"/events/{event.pk}/participants/")
    with django_assert_num_queries(PARTICIPANTS_QUERIES):
        response = staff_client.get(f"/events/{event.pk}/participants/")
    assert len(response.context["groups"][0][2]) == (rows + 3) // 4


@pytest.mark.parametrize("rows", [10, 500])
def test_check_in_query_count(staff_client, django_assert_num_queries, rows):
    event = EventFactory(capacity=1000)
    _fill(event, rows)
    staff_client.get(f"/events/{event.pk}/check-in/")
    with django_assert_num_queries(CHECK_IN_QUERIES):
        staff_client.get(f"/events/{event.pk}/check-in/")

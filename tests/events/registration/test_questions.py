"""Registration questions: the organiser chooses them per event, people answer when they
register (page and API), the organiser sees the answers, their counts and the export, and
the answers are erased with the registration."""

import csv
import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from rest_framework.test import APIClient

from accounts.services import delete_account
from events.models import EventFormat, Registration, RegistrationStatus
from tests.factories import EventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
QUESTION = "Which topic would you like us to cover?"


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def asking_event(**kwargs):
    defaults = {
        "format": EventFormat.HYBRID,
        "place": "Kuopio, Sairaalakatu 1",
        "capacity": 50,
        "asks_accessibility_needs": True,
        "asks_interpretation": True,
        "asks_diet": True,
        "custom_question": QUESTION,
        "starts_at": NOW + dt.timedelta(days=7),
        "ends_at": NOW + dt.timedelta(days=7, hours=2),
    }
    return EventFactory(**{**defaults, **kwargs})


ANSWERS = {
    "answers-accessibility_needs": "Step-free route, please",
    "answers-interpretation": "sign_language",
    "answers-diet": "Vegan",
    "answers-question_answer": "Work trials",
}


@pytest.fixture
def en(client):
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def staff(en, organiser):
    en.force_login(organiser)
    return en


def answered(event, *, name, diet="", interpretation="", needs="", answer="", **kwargs):
    return RegistrationFactory(
        event=event,
        name=name,
        diet=diet,
        interpretation=interpretation,
        accessibility_needs=needs,
        question_answer=answer,
        **kwargs,
    )


# --- Answering -----------------------------------------------------------------------------


def test_the_registration_form_asks_the_chosen_questions(en, user):
    event = asking_event()
    en.force_login(user)
    html = en.get(f"/events/{event.pk}/").content.decode()
    assert "The organiser's questions (optional)" in html
    assert 'name="answers-accessibility_needs"' in html
    assert 'name="answers-interpretation"' in html
    assert 'name="answers-diet"' in html
    assert QUESTION in html


def test_an_online_event_asks_no_diet_and_plain_events_ask_nothing(en, user):
    online = asking_event(format=EventFormat.ONLINE, place="", asks_diet=False)
    plain = EventFactory()
    en.force_login(user)
    html = en.get(f"/events/{online.pk}/").content.decode()
    assert 'name="answers-diet"' not in html
    assert 'name="answers-interpretation"' in html
    assert "answers-" not in en.get(f"/events/{plain.pk}/").content.decode()


def test_a_signed_in_person_answers_on_the_page(en, user):
    event = asking_event()
    en.force_login(user)
    response = en.post(f"/events/{event.pk}/register/", ANSWERS)
    assert response.status_code == 302
    registration = event.registrations.get(user=user)
    assert registration.status == RegistrationStatus.CONFIRMED
    assert registration.accessibility_needs == "Step-free route, please"
    assert registration.interpretation == "sign_language"
    assert registration.diet == "Vegan"
    assert registration.question_answer == "Work trials"


def test_answers_are_optional(en, user):
    event = asking_event()
    en.force_login(user)
    assert en.post(f"/events/{event.pk}/register/").status_code == 302
    registration = event.registrations.get(user=user)
    assert registration.status == RegistrationStatus.CONFIRMED
    assert not registration.has_answers


def test_a_guest_answers_on_the_page(en):
    event = asking_event()
    response = en.post(
        f"/events/{event.pk}/register/",
        {"name": "Gun Guest", "email": "gun@example.fi", **ANSWERS},
    )
    assert response.status_code == 302
    registration = event.registrations.get(email="gun@example.fi")
    assert registration.status == RegistrationStatus.PENDING
    assert registration.diet == "Vegan"
    assert registration.interpretation == "sign_language"


def test_a_wrong_answer_is_shown_on_the_form_and_nothing_is_saved(en, user):
    event = asking_event()
    en.force_login(user)
    response = en.post(
        f"/events/{event.pk}/register/", {**ANSWERS, "answers-interpretation": "telepathy"}
    )
    assert response.status_code == 400
    assert "Please correct the following:" in response.content.decode()
    assert not event.registrations.exists()


def test_answers_to_questions_not_asked_are_not_stored(en, user):
    event = asking_event(format=EventFormat.ONLINE, place="", asks_diet=False, custom_question="")
    en.force_login(user)
    en.post(f"/events/{event.pk}/register/", ANSWERS)
    registration = event.registrations.get(user=user)
    assert registration.diet == ""
    assert registration.question_answer == ""
    assert registration.interpretation == "sign_language"


def test_the_api_shows_the_questions_and_takes_the_answers(user):
    event = asking_event()
    api = APIClient()
    api.force_authenticate(user)
    detail = api.get(f"/api/v1/events/{event.pk}/").json()
    assert detail["questions"] == {
        "accessibility_needs": True,
        "interpretation": True,
        "diet": True,
        "question": QUESTION,
    }
    response = api.post(
        f"/api/v1/events/{event.pk}/register/",
        {"answers": {"diet": "Gluten-free", "interpretation": "captioning"}},
        format="json",
    )
    assert response.status_code == 201
    registration = event.registrations.get(user=user)
    assert registration.diet == "Gluten-free"
    assert registration.interpretation == "captioning"
    assert "answers" not in response.json()  # the organisers' list shows them, not this


def test_the_api_refuses_an_unknown_interpretation(user):
    event = asking_event()
    api = APIClient()
    api.force_authenticate(user)
    response = api.post(
        f"/api/v1/events/{event.pk}/register/",
        {"answers": {"interpretation": "telepathy"}},
        format="json",
    )
    assert response.status_code == 400
    assert not event.registrations.exists()
    # Without answers the API registers as before.
    assert api.post(f"/api/v1/events/{event.pk}/register/").status_code == 201


# --- The organiser's side ----------------------------------------------------------------


def test_the_organiser_chooses_the_questions_in_the_event_form(staff):
    event = asking_event(asks_accessibility_needs=False, asks_interpretation=False, asks_diet=False)
    form = staff.get(reverse("events:organise_event_edit", args=[event.pk]))
    assert form.status_code == 200
    data = {
        key: value
        for key, value in form.context["form"].initial.items()
        if value is not None and not isinstance(value, list)
    }
    data.update(
        starts_at=timezone.localtime(event.starts_at).strftime("%Y-%m-%dT%H:%M"),
        ends_at=timezone.localtime(event.ends_at).strftime("%Y-%m-%dT%H:%M"),
        asks_diet="on",
        asks_interpretation="on",
        custom_question="Anything else?",
    )
    for flag in ("asks_accessibility_needs", "teams_meeting_wanted"):
        data.pop(flag, None)
    response = staff.post(reverse("events:organise_event_edit", args=[event.pk]), data)
    assert response.status_code == 302, response.context["form"].errors
    event.refresh_from_db()
    assert (event.asks_diet, event.asks_interpretation, event.asks_accessibility_needs) == (
        True,
        True,
        False,
    )
    assert event.custom_question == "Anything else?"
    data.update(format=EventFormat.ONLINE)
    response = staff.post(reverse("events:organise_event_edit", args=[event.pk]), data)
    assert response.status_code == 400
    assert "Diets are asked only for in-person and hybrid events." in response.content.decode()


def test_the_organiser_sees_the_answers_and_their_summary(staff):
    event = asking_event()
    answered(event, name="Aino", diet="Vegan", interpretation="sign_language")
    answered(event, name="Bertta", diet="vegan ", interpretation="sign_language", needs="Ramp")
    answered(event, name="Cecilia", diet="Gluten-free", interpretation="captioning")
    answered(event, name="Dora", answer="Work trials")
    answered(event, name="Eero", diet="Lactose-free", status=RegistrationStatus.WAITLISTED)
    html = staff.get(f"/events/{event.pk}/participants/").content.decode()
    assert "Needs of the confirmed participants" in html
    assert "1 has accessibility needs" in html
    assert (
        "3 need interpretation or captioning: sign language interpretation (2), "
        "captioning (speech-to-text interpretation) (1)"
    ) in html
    assert "3 diets: Vegan (2), Gluten-free" in html  # the waitlisted one is not counted
    assert f"1 answered “{QUESTION}”" in html
    assert "Lactose-free" in html  # but shown in the waitlist's table
    assert '<th scope="col">Diet</th>' in html
    assert f'<th scope="col">{QUESTION}</th>' in html


def test_the_participants_api_carries_the_answers(organiser):
    event = asking_event()
    answered(event, name="Aino", diet="Vegan", needs="Ramp")
    api = APIClient()
    api.force_authenticate(organiser)
    rows = api.get(f"/api/v1/events/{event.pk}/participants/").json()["participants"]
    assert rows[0]["answers"] == {
        "accessibility_needs": "Ramp",
        "interpretation": "",
        "diet": "Vegan",
        "question_answer": "",
    }


def test_others_never_see_the_answers(en, user):
    event = asking_event()
    answered(event, name="Aino", diet="Secret diet", needs="Secret need")
    en.force_login(user)
    assert en.get(f"/events/{event.pk}/participants/").status_code == 403
    assert en.get(f"/events/{event.pk}/participants/export.csv").status_code == 403
    assert "Secret" not in en.get(f"/events/{event.pk}/").content.decode()
    api = APIClient()
    api.force_authenticate(user)
    assert api.get(f"/api/v1/events/{event.pk}/participants/").status_code == 403
    assert "Secret" not in api.get(f"/api/v1/events/{event.pk}/").content.decode()
    assert "Secret" not in api.get("/api/v1/events/").content.decode()


def test_the_exports_contain_the_answers(staff):
    event = asking_event()
    answered(event, name="Aino", diet="Vegan", interpretation="captioning", answer="Trials")
    response = staff.get(f"/events/{event.pk}/participants/export.csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    header, row = rows[0], rows[1]
    assert header[-4:] == ["Accessibility needs", "Interpretation or captioning", "Diet", QUESTION]
    assert row[-4:] == ["", "Captioning (speech-to-text interpretation)", "Vegan", "Trials"]
    response = staff.get(f"/events/{event.pk}/participants/export.xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [cell for line in sheet.iter_rows(values_only=True) for cell in line]
    assert QUESTION in values
    assert "Vegan" in values


def test_an_event_without_questions_exports_as_before(staff):
    event = EventFactory()
    RegistrationFactory(event=event, name="Aino")
    response = staff.get(f"/events/{event.pk}/participants/export.csv")
    header = next(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert header[-1] == "Registered with"
    html = staff.get(f"/events/{event.pk}/participants/").content.decode()
    assert "Needs of the confirmed participants" not in html


# --- Erasure -------------------------------------------------------------------------------


def test_cancelling_erases_the_answers(en, user):
    event = asking_event()
    en.force_login(user)
    en.post(f"/events/{event.pk}/register/", ANSWERS)
    en.post(f"/events/{event.pk}/cancel/")
    registration = event.registrations.get(user=user)
    assert registration.status == RegistrationStatus.CANCELLED
    assert not registration.has_answers
    # Registering again asks afresh.
    en.post(f"/events/{event.pk}/register/", {"answers-diet": "Gluten-free"})
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CONFIRMED
    assert (registration.diet, registration.accessibility_needs) == ("Gluten-free", "")


def test_the_organiser_cancelling_a_place_or_the_event_erases_the_answers(staff):
    event = asking_event()
    first = answered(event, name="Aino", diet="Vegan")
    second = answered(event, name="Bertta", needs="Ramp")
    staff.post(f"/events/{event.pk}/participants/{first.pk}/cancel/")
    first.refresh_from_db()
    assert not first.has_answers
    staff.post(
        reverse("events:organise_event_cancel", args=[event.pk]),
        {"reason": "The presenter is ill."},
    )
    second.refresh_from_db()
    event.refresh_from_db()
    assert event.is_cancelled
    assert not second.has_answers


def test_deleting_the_account_erases_the_answers(user):
    event = asking_event()
    past = asking_event(
        starts_at=NOW - dt.timedelta(days=7), ends_at=NOW - dt.timedelta(days=7, hours=-2)
    )
    answered(event, name="Aino", user=user, diet="Vegan")
    answered(past, name="Aino", user=user, diet="Vegan", needs="Ramp")
    delete_account(user=user)
    for registration in Registration.objects.all():
        assert registration.anonymised_at is not None
        assert not registration.has_answers


def test_your_data_shows_the_answers(en, user):
    event = asking_event()
    answered(event, name="Aino", user=user, diet="Vegan")
    en.force_login(user)
    assert "Vegan" in en.get(reverse("accounts:my_data")).content.decode()
    assert (
        en.get(reverse("accounts:my_data_json")).json()["registrations"][0]["answers"]["diet"]
        == "Vegan"
    )


def test_the_privacy_notice_tells_of_the_answers(en, settings):
    settings.ANSWERS_RETENTION_DAYS = 45
    html = en.get(reverse("privacy")).content.decode()
    assert "Answers to registration questions" in html
    assert "They are erased 45 days after the event" in html
    assert "when you cancel your registration" in html


def test_retention_erases_the_answers_a_month_after_the_event(settings, user):
    """The answers served to arrange the event: the nightly retention run erases them
    ANSWERS_RETENTION_DAYS after it ended, keeping the registration and its attendance."""
    settings.ANSWERS_RETENTION_DAYS = 30
    long_ago = asking_event(
        starts_at=NOW - dt.timedelta(days=31), ends_at=NOW - dt.timedelta(days=31, hours=-2)
    )
    lately = asking_event(
        starts_at=NOW - dt.timedelta(days=29), ends_at=NOW - dt.timedelta(days=29, hours=-2)
    )
    old = answered(long_ago, name="Aino", user=user, diet="Vegan", attended=True)
    recent = answered(lately, name="Aino", user=user, needs="Ramp")
    out = io.StringIO()
    call_command("apply_retention", "--dry-run", stdout=out)
    assert "1 registrations' answers would be erased" in out.getvalue()
    assert Registration.objects.get(pk=old.pk).diet == "Vegan"  # a dry run changes nothing
    call_command("apply_retention", stdout=io.StringIO())
    old.refresh_from_db()
    recent.refresh_from_db()
    assert not old.has_answers and old.attended and old.anonymised_at is None
    assert recent.accessibility_needs == "Ramp"


# --- Queries -------------------------------------------------------------------------------

# Five reads whatever the number of rows, and one INSERT: the access log line (as without
# questions: the answers are columns of the registration).
PARTICIPANTS_QUERIES = 6


@pytest.mark.parametrize("rows", [3, 30])
def test_participant_list_with_answers_runs_a_fixed_number_of_queries(
    staff, django_assert_num_queries, rows
):
    event = asking_event(capacity=1000)
    Registration.objects.bulk_create(
        Registration(
            event=event,
            user=None,
            name=f"Person {i}",
            email=f"p{i}@example.fi",
            status=["confirmed", "waitlisted", "pending"][i % 3],
            diet=["Vegan", "", "Gluten-free"][i % 3],
            interpretation=["sign_language", "captioning", ""][i % 3],
            accessibility_needs="Ramp" if i % 2 else "",
            question_answer=f"Answer {i}",
        )
        for i in range(rows)
    )
    staff.get(f"/events/{event.pk}/participants/")
    with django_assert_num_queries(PARTICIPANTS_QUERIES):
        response = staff.get(f"/events/{event.pk}/participants/")
    assert response.context["answer_summary"].diets == (rows + 2) // 3

"""The accessibility statement under Act 306/2019 (issue 18): the sections the Act asks for,
in Finnish, Swedish and English, edited by staff; the supervisory authority seeded; the list
of inaccessible recordings in public words."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from accessibility.compliance import compliance_of
from accessibility.models import AccessibilityStatement, CaptionPolicy
from accessibility.services import STATEMENT_FIELDS, update_statement
from recordings.models import Availability, TrackKind, TrackStatus
from tests.conftest import HELSINKI
from tests.factories import CaptionTrackFactory, RecordingFactory, UserFactory

from .test_list_queries import STATEMENT_QUERIES

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 2, 12, 0, tzinfo=HELSINKI)
TEXTS = {
    "non_accessible_content": "non-accessible",
    "disproportionate_burden": "burden",
    "accessible_alternatives": "alternatives",
    "assessment_method": "method",
    "feedback_contact": "channel",
    "authority_name": "authority",
    "authority_address": "address",
}


def _page(client, language: str) -> str:
    client.cookies["django_language"] = language
    return client.get(reverse("accessibility:statement")).content.decode()


def _fill_every_language(by) -> None:
    values = {f"{name}_{lang}": f"{text} {lang.upper()}" for name, text in TEXTS.items()
              for lang in ("fi", "sv", "en")}  # fmt: skip
    update_statement(
        by=by,
        prepared_on=dt.date(2026, 3, 5),
        reviewed_on=dt.date(2026, 11, 20),
        feedback_email="saavutettavuus@kohtaamo.example",
        feedback_answer_days=14,
        authority_url="https://www.saavutettavuusvaatimukset.fi",
        authority_email="valvonta@authority.example",
        authority_phone="+358 29 000 0000",
        **values,
    )


def test_seeded_authority_is_lupa_ja_valvontavirasto_without_invented_contacts():
    statement = AccessibilityStatement.load()
    assert statement.authority_name_fi == "Lupa- ja valvontavirasto"
    assert statement.authority_name_sv == "Tillstånds- och tillsynsverket"
    assert statement.authority_name_en == "Finnish Permit and Supervisory Agency"
    assert statement.authority_url == "https://www.saavutettavuusvaatimukset.fi"
    assert statement.authority_email == statement.authority_phone == ""
    assert statement.feedback_answer_days == 14


def test_a_new_statement_row_gets_the_authority_too():
    AccessibilityStatement.objects.all().delete()
    assert AccessibilityStatement.load().authority_name_fi == "Lupa- ja valvontavirasto"


def test_the_seeded_page_omits_missing_contact_details(client):
    page = _page(client, "en")
    assert "Finnish Permit and Supervisory Agency" in page
    assert 'href="https://www.saavutettavuusvaatimukset.fi"' in page
    assert "avi.fi" not in page  # the old authority's address is gone
    assert "Telephone:" not in page and "Address:" not in page


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_every_required_section_in_each_language(client, communications, language):
    _fill_every_language(communications)
    page = _page(client, language)
    for text in TEXTS.values():
        assert f"{text} {language.upper()}" in page
    others = {"fi", "sv", "en"} - {language}
    assert not any(f"non-accessible {other.upper()}" in page for other in others)
    with translation.override(language):
        assert date_format(dt.date(2026, 3, 5), "SHORT_DATE_FORMAT") in page
        assert date_format(dt.date(2026, 11, 20), "SHORT_DATE_FORMAT") in page
    assert 'href="mailto:saavutettavuus@kohtaamo.example"' in page  # the feedback channel
    assert 'href="mailto:valvonta@authority.example"' in page
    assert "+358 29 000 0000" in page
    assert 'action="/accessibility/statement/feedback/' in page  # the statement's own form


def test_answer_time_and_right_to_complain_in_english(client, communications):
    _fill_every_language(communications)
    update_statement(by=communications, feedback_answer_days=10)
    page = _page(client, "en")
    assert "We answer within 10 days." in page
    assert "do not get one within 10 days, you can complain to the supervisory authority" in page
    assert "Partially compliant" in page


def test_swedish_and_english_fall_back_to_finnish(client, communications):
    update_statement(by=communications, non_accessible_content_fi="Vain suomeksi kirjoitettu")
    assert "Vain suomeksi kirjoitettu" in _page(client, "sv")
    assert "Vain suomeksi kirjoitettu" in _page(client, "en")


def _form_data(**changes) -> dict:
    statement = AccessibilityStatement.load()
    data = {name: getattr(statement, name) for name in STATEMENT_FIELDS}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    data["feedback_form_enabled"] = "on"
    data.update(changes)
    return data


def test_staff_edit_changes_the_page(client, communications):
    client.force_login(communications)
    url = reverse("accessibility:statement_edit")
    with translation.override("en"):
        edit_page = client.get(url).content.decode()
    assert "Swedish" in edit_page or "ruotsi" in edit_page.lower()
    response = client.post(
        url,
        _form_data(
            authority_phone="0295 000 000",
            assessment_method_sv="Självbedömning",
            reviewed_on="2026-11-30",
        ),
    )
    assert response.status_code == 302
    client.logout()
    page = _page(client, "sv")
    assert "Självbedömning" in page and "0295 000 000" in page
    assert AccessibilityStatement.load().reviewed_on == dt.date(2026, 11, 30)


def test_edit_page_tells_staff_to_fill_authority_contacts_from_its_site(en_client, communications):
    en_client.force_login(communications)
    page = en_client.get(reverse("accessibility:statement_edit")).content.decode()
    assert "copy them from the authority's own website" in page


@pytest.mark.parametrize("role", ["anonymous", "member", "organiser"])
def test_others_cannot_edit(client, organiser, role):
    url = reverse("accessibility:statement_edit")
    if role == "member":
        client.force_login(UserFactory())
    elif role == "organiser":
        client.force_login(organiser)
    before = AccessibilityStatement.load().authority_name_fi
    response = client.post(url, _form_data(authority_name_fi="Joku muu"))
    if role == "anonymous":
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    else:
        assert response.status_code == 403
    assert AccessibilityStatement.load().authority_name_fi == before


@time_machine.travel(NOW, tick=False)
def test_inaccessible_recordings_in_public_words_never_internal_statuses(client):
    today = timezone.localdate()
    RecordingFactory(
        title="Live recording",
        availability=Availability.PUBLIC,
        is_live_recording=True,
        uploaded_on=today - dt.timedelta(days=2),
    )
    errors = RecordingFactory(title="Captions with findings", availability=Availability.PUBLIC)
    CaptionTrackFactory(
        recording=errors, kind=TrackKind.HUMAN, checked_at=timezone.now(), error_count=3
    )
    review = RecordingFactory(title="Not yet reviewed", availability=Availability.UNLISTED)
    CaptionTrackFactory(
        recording=review, kind=TrackKind.HUMAN, checked_at=timezone.now(),
        status=TrackStatus.RECEIVED,
    )  # fmt: skip
    automatic = RecordingFactory(title="Automatic only", availability=Availability.PUBLIC)
    CaptionTrackFactory(recording=automatic, kind=TrackKind.AUTOMATIC)
    page = _page(client, "en")
    assert "Live recording" in page and "Not yet reviewed" in page
    with translation.override("en"):
        by = date_format(today + dt.timedelta(days=12), "SHORT_DATE_FORMAT")
    assert f"No captions yet; they will be added by {by}." in page
    assert page.count("Captions are incomplete.") == 2
    assert page.count("No captions yet.") == 1  # the automatic-only one
    with translation.override("en"):
        internal = [
            *compliance_of(errors, policy=CaptionPolicy.load(), today=today).reasons(),
            *compliance_of(review, policy=CaptionPolicy.load(), today=today).reasons(),
            "Captions with errors",
            "Captions waiting for review",
            "Only automatic captions",
            "Overdue",
        ]
    for text in internal:
        assert text not in page


def test_statement_queries_do_not_grow_with_the_filled_statement(
    client, communications, django_assert_num_queries
):
    _fill_every_language(communications)
    RecordingFactory(title="Uncaptioned", availability=Availability.PUBLIC)
    client.cookies["django_language"] = "sv"
    url = reverse("accessibility:statement")
    client.get(url)
    with django_assert_num_queries(STATEMENT_QUERIES):
        assert client.get(url).status_code == 200

"""/api/v1/reports/attendance/export.csv and .xlsx: the page's downloads, by API token."""

from __future__ import annotations

import io

import pytest
import time_machine
from django.test import Client
from django.utils import translation
from openpyxl import load_workbook

from accounts.services import create_api_token
from events.reports.forms import ReportForm

API = "/api/v1/reports/attendance/export"
PAGE = "/reports/export"
QUERY = {
    "period": "two_months",
    "year": "2025",
    "two_months": "2",
    "breakdown": ["kind", "theme", "organisation", "network"],
}
BAD = {"period": "two_months", "year": "2025", "two_months": "9"}


@pytest.fixture
def clock():
    with time_machine.travel("2025-06-02 10:00 +03:00", tick=False):
        yield


def _program(person, language="en", **headers) -> Client:
    client = Client(HTTP_AUTHORIZATION=f"Token {create_api_token(user=person)}", **headers)
    client.cookies["django_language"] = language
    return client


def _page_client(client, person):
    client.force_login(person)
    client.cookies["django_language"] = "en"
    return client


def _sheets(content: bytes) -> dict[str, list[tuple]]:
    workbook = load_workbook(io.BytesIO(content))
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in workbook.worksheets}


def test_csv_by_api_is_the_pages_file(client, reporting, dataset, clock):
    page = _page_client(client, reporting).get(f"{PAGE}.csv", QUERY)

    response = _program(reporting).get(f"{API}.csv", QUERY)
    asked_for_csv = _program(reporting, HTTP_ACCEPT="text/csv").get(f"{API}.csv", QUERY)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == (
        'attachment; filename="attendance-20250301-20250430.csv"'
    )
    assert response.content == page.content
    assert asked_for_csv.status_code == 200
    assert asked_for_csv.content == page.content


def test_xlsx_by_api_is_the_pages_file(client, organiser, dataset, clock):
    page = _page_client(client, organiser).get(f"{PAGE}.xlsx", {**QUERY, "final": "1"})

    response = _program(organiser).get(f"{API}.xlsx", {**QUERY, "final": "1"})
    without_final = _program(organiser).get(f"{API}.xlsx", QUERY)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheets = _sheets(response.content)
    assert sheets == _sheets(page.content)
    assert list(sheets)[:2] == ["Totals", "Summary"]
    assert len(_sheets(without_final.content)) < len(sheets)  # the final report's tables


def test_exports_need_the_reporting_ability(user, communications, dataset):
    for fmt in ("csv", "xlsx"):
        assert Client().get(f"{API}.{fmt}", QUERY).status_code in (401, 403)
        for person in (user, communications):
            response = _program(person).get(f"{API}.{fmt}", QUERY)
            assert response.status_code == 403
            assert response["Content-Type"].startswith("application/json")


def test_bad_parameters_answer_400_in_the_callers_language(reporting, dataset):
    with translation.override("fi"):
        form = ReportForm(BAD)
        assert not form.is_valid()
        expected = form.error_text()

    for fmt in ("csv", "xlsx"):
        response = _program(reporting, "fi", HTTP_ACCEPT="text/csv").get(f"{API}.{fmt}", BAD)
        assert response.status_code == 400
        assert response["Content-Type"].startswith("application/json")
        body = response.json()
        assert body["detail"] == expected
        assert "two_months" in body["errors"]

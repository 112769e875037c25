"""The report page, its exports, charts and the API: guarded, the same numbers everywhere."""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from events.models import Event, Registration
from events.reports.compute import FIGURE_KEYS
from tests.factories import EventFactory, RegistrationFactory, ThemeFactory

from .conftest import at

URL = "/reports/"
API = "/api/v1/reports/attendance/"
QUERY = {
    "period": "two_months",
    "year": "2025",
    "two_months": "2",
    "breakdown": ["kind", "theme", "organisation", "network"],
}


@pytest.fixture
def staff_client(client, reporting):
    client.force_login(reporting)
    client.cookies["django_language"] = "en"
    return client


def test_report_urls_keep_their_names():
    assert reverse("reports:attendance") == URL
    assert reverse("api-reports-attendance") == API


@pytest.mark.parametrize(
    "url", [URL, URL + "export.csv", URL + "export.xlsx", URL + "charts/kind.svg"]
)
def test_pages_need_the_reporting_ability(client, user, url):
    assert client.get(url).status_code == 302
    client.force_login(user)
    assert client.get(url).status_code == 403


def test_api_needs_the_reporting_ability(client, user, organiser):
    assert client.get(API).status_code in (401, 403)
    client.force_login(user)
    assert client.get(API).status_code == 403
    client.force_login(organiser)
    assert client.get(API).status_code == 200


def test_page_shows_the_funders_lines_and_tables(staff_client, dataset):
    response = staff_client.get(URL, QUERY)
    assert response.status_code == 200
    report = response.context["report"]
    html = response.content.decode()
    assert report.period.start == dt.date(2025, 3, 1) and report.period.end == dt.date(2025, 4, 30)
    assert report.summary_lines
    for line in report.summary_lines:
        assert line["text"] in html
    for name in QUERY["breakdown"]:
        assert f'id="caption-{name}"' in html
    assert html.count("<figure>") == 2 and "<figcaption>" in html
    assert "@" not in _body(html), "no e-mail addresses in a report"
    for person in dataset.people:
        assert person.display_name not in html


def _body(html: str) -> str:
    return html.split('<main id="main"', 1)[1].split("</main>", 1)[0]


@pytest.mark.date_sensitive
def test_first_visit_shows_the_current_two_month_period(staff_client):
    response = staff_client.get(URL)
    assert response.status_code == 200
    report = response.context["report"]
    assert report.breakdowns == ["kind", "theme"]
    today = timezone.localdate()  # in Helsinki: on 31 December 23:30 it is December there
    first_month = today.month - (today.month + 1) % 2  # January, March, … November
    last_day = calendar.monthrange(today.year, first_month + 1)[1]
    assert (report.period.start, report.period.end) == (
        dt.date(today.year, first_month, 1),
        dt.date(today.year, first_month + 1, last_day),
    )


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"period": "range", "start": "2025-05-01", "end": "2025-03-01"},
            "start date must not be after",
        ),
        ({"period": "range", "start": "2025-05-01"}, "needs both a start date and an end date"),
        ({"period": "range", "start": "1.13.2025", "end": "2025-03-01"}, "valid date"),
        ({"breakdown": ["kind", "colour"]}, "Unknown breakdown “colour”"),
        ({"period": "year", "year": "19999"}, "Year"),
        ({"period": "fortnight"}, "Period"),
    ],
)
def test_bad_input_gives_a_message_on_the_page(staff_client, params, message):
    for url in (URL, URL + "export.csv", URL + "export.xlsx", URL + "charts/kind.svg"):
        response = staff_client.get(url, params)
        assert response.status_code == 200
        assert response.context["report"] is None
        html = response.content.decode()
        assert message in html
        assert 'class="error-summary"' in html


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"start": "2025-05-01", "end": "2025-03-01"}, "start date must not be after"),
        ({"start": "2025-03-01", "end": "2025-05-01", "breakdown": "colour"}, "Unknown breakdown"),
        ({"start": "not a date", "end": "2025-05-01"}, "valid date"),
        ({"start": "0001-01-01", "end": "9999-12-31"}, "Dates must be between 2000 and 2100"),
        ({"period": "year", "year": "1999"}, "Year"),
    ],
)
def test_api_bad_input_is_400_with_the_message(staff_client, params, message):
    response = staff_client.get(API, params, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert message in response.json()["detail"]


def test_a_period_without_data_shows_zeros(staff_client, db):
    response = staff_client.get(URL, {"period": "year", "year": "2031", "breakdown": "kind"})
    assert response.status_code == 200
    report = response.context["report"]
    assert report.totals["events"] == 0 and report.totals["attendance"] == 0
    assert "No events were held in this period." in response.content.decode()


def test_api_gives_the_same_numbers_as_the_page(staff_client, dataset):
    page = staff_client.get(URL, QUERY).context["report"].as_dict()
    api = staff_client.get(API, QUERY).json()
    for key in ("period", "totals", "summary", "breakdowns", "comparisons", "timelines"):
        assert api[key] == page[key], key
    assert api["totals"]["attendance"] > 0


def test_api_accepts_a_plain_date_range(staff_client, dataset):
    response = staff_client.get(
        API, {"start": "2025-03-01", "end": "2025-04-30", "breakdown": "sector"}
    )
    assert response.status_code == 200
    assert response.json()["period"]["start"] == "2025-03-01"
    assert list(response.json()["breakdowns"]) == ["sector"]


def _plain(values: list) -> list:
    """Euro cells reach the page as two-decimal Decimals; the exports hold the same number."""
    return [_number(str(v)) if isinstance(v, Decimal) else v for v in values]


def _page_numbers(client) -> tuple:
    context = client.get(URL, QUERY).context
    totals = {row["label"]: _plain(row["cells"]) for row in context["totals_rows"]}
    tables = {
        table["name"]: {row["label"]: _plain(row["values"]) for row in table["rows"]}
        for table in context["tables"]
    }
    return context["report"], totals, tables


def _number(text: str):
    if text in ("", None):
        return None
    value = float(text)
    return int(value) if value.is_integer() else value


def test_csv_has_exactly_the_page_numbers(staff_client, dataset):
    report, totals, tables = _page_numbers(staff_client)
    response = staff_client.get(URL + "export.csv", QUERY)
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert report.period.label in rows[0][0]
    assert rows[1][0].startswith("Exported:")
    by_label = {}
    for row in rows[3:]:
        if row and row[0] in totals and len(row) == 2 + 3 * len(report.comparisons):
            by_label[row[0]] = [_number(cell) for cell in row[1:]]
    assert by_label == totals
    for name, table in tables.items():
        for label, values in table.items():
            matches = [
                row for row in rows if row and row[0] == label and len(row) == 1 + len(FIGURE_KEYS)
            ]
            assert [_number(cell) for cell in matches[0][1:]] == values, (name, label)


def test_a_finnish_csv_writes_decimals_with_a_comma(staff_client, dataset):
    """The CSV is `;`-separated for Excel in Finnish, where 12.5 would be read as a date:
    the same numbers as in English, with the decimal comma."""

    def rows(language):
        staff_client.cookies["django_language"] = language
        body = staff_client.get(URL + "export.csv", QUERY).content.decode("utf-8-sig")
        return list(csv.reader(io.StringIO(body), delimiter=";"))

    english, finnish = rows("en"), rows("fi")
    assert len(english) == len(finnish)
    decimals = 0
    for en_row, fi_row in zip(english[3:], finnish[3:], strict=True):
        for en_cell, fi_cell in zip(en_row[1:], fi_row[1:], strict=True):
            if re.fullmatch(r"-?\d+\.\d+", en_cell):
                decimals += 1
                assert fi_cell == en_cell.replace(".", ","), (en_cell, fi_cell)
            elif re.fullmatch(r"-?\d+", en_cell):
                assert fi_cell == en_cell
    assert decimals  # averages and rates have decimals


def test_xlsx_has_one_sheet_per_breakdown_and_the_page_numbers(staff_client, dataset):
    report, totals, tables = _page_numbers(staff_client)
    response = staff_client.get(URL + "export.xlsx", QUERY)
    workbook = load_workbook(io.BytesIO(response.content))
    names = workbook.sheetnames
    assert names[:2] == ["Totals", "Summary"]
    assert len(names) == 2 + len(QUERY["breakdown"]) + 2
    for sheet in workbook.worksheets:
        assert report.period.label in sheet["A1"].value
        assert sheet["A2"].value.startswith("Exported:")
    sheet = workbook["Totals"]
    got = {row[0]: list(row[1:]) for row in sheet.iter_rows(min_row=4, values_only=True)}
    assert got == totals
    for index, name in enumerate(QUERY["breakdown"]):
        sheet = workbook.worksheets[2 + index]
        got = {row[0]: list(row[1:]) for row in sheet.iter_rows(min_row=4, values_only=True)}
        assert got == tables[name], name


@pytest.mark.parametrize("name", ["kind", "theme"])
def test_charts_are_accessible_svg(staff_client, dataset, name):
    response = staff_client.get(f"{URL}charts/{name}.svg", QUERY)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    svg = response.content.decode()
    assert svg.startswith("<svg") and 'role="img"' in svg and "aria-label=" in svg
    assert "<title>Attendance per month" in svg and "<desc>" in svg
    assert "<script" not in svg and "@font-face" not in svg
    page = staff_client.get(URL, QUERY).content.decode()
    assert f'src="/reports/charts/{name}.svg?' in page


def test_chart_data_table_matches_the_report(staff_client, dataset):
    context = staff_client.get(URL, QUERY).context
    report = context["report"]
    kind_chart = context["charts"][0]
    assert kind_chart["timeline"]["rows"][0][0] == "2025-03"
    assert (
        sum(sum(row[1:]) for row in kind_chart["timeline"]["rows"]) == report.totals["attendance"]
    )


def test_schema_documents_the_report_endpoint(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/reports/attendance/"]["get"]
    names = {parameter["name"] for parameter in operation["parameters"]}
    assert {"start", "end", "period", "year", "two_months", "breakdown"} <= names
    assert "400" in operation["responses"]


def _many_events(n: int) -> None:
    themes = ThemeFactory.create_batch(3)
    events = [
        EventFactory.build(
            starts_at=at(dt.date(2025, 3, 1) + dt.timedelta(days=i % 60)),
            ends_at=at(dt.date(2025, 3, 1) + dt.timedelta(days=i % 60), 15),
            theme=themes[i % 3],
            anonymous_attendees=i % 4,
        )
        for i in range(n)
    ]
    Event.objects.bulk_create(events)
    Registration.objects.bulk_create(
        RegistrationFactory.build(
            event=event, user=None, email=f"p{i % 40}@example.fi", attended=i % 3 > 0
        )
        for i, event in enumerate(Event.objects.all())
    )


@pytest.mark.parametrize("n", [10, 500])
def test_fixed_query_count(staff_client, django_assert_num_queries, n):
    _many_events(n)
    staff_client.get(URL, QUERY)  # warm up the session and role caches
    with django_assert_num_queries(11):
        response = staff_client.get(URL, QUERY)
    assert response.context["report"].totals["events"] == n

"""The funder's report as a tagged PDF and as XLSX: the page's numbers, the period and the time
it was made on every page, in the user's language."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.translation import gettext
from openpyxl import load_workbook
from pypdf import PdfReader

from events.models import EventKind
from tests.factories import HELSINKI, EventFactory, RegistrationFactory, ThemeFactory

from .conftest import at

URL = "/reports/"
PDF, XLSX = URL + "funder.pdf", URL + "funder.xlsx"
AUTUMN = {"period": "two_months", "year": "2026", "two_months": "5"}  # September–October 2026
MADE = dt.datetime(2026, 11, 2, 9, 30, tzinfo=HELSINKI)


@pytest.fixture
def autumn(db, time_machine):
    """Two kinds of event in September–October 2026, and one in the previous period."""
    time_machine.move_to(MADE, tick=False)
    kohtaamo = EventFactory(
        kind=EventKind.KOHTAAMO,
        theme=ThemeFactory(title="Työhyvinvointi"),
        starts_at=at(dt.date(2026, 9, 8)),
        ends_at=at(dt.date(2026, 9, 8), 15),
        anonymous_attendees=37,
    )
    for attended in (True, True, True, False):
        RegistrationFactory(event=kohtaamo, attended=attended)
    EventFactory(
        kind=EventKind.WORKSHOP,
        title="Esihenkilön työpaja",
        theme=ThemeFactory(title="Esihenkilötyö"),
        starts_at=at(dt.date(2026, 10, 14)),
        ends_at=at(dt.date(2026, 10, 14), 15),
        headcount=58,
    )
    EventFactory(
        kind=EventKind.WORKSHOP,
        starts_at=at(dt.date(2026, 8, 20)),
        ends_at=at(dt.date(2026, 8, 20), 15),
        headcount=11,
    )


def _signed_in(client, user, language: str):
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


def _pages(content: bytes) -> tuple[PdfReader, list[str]]:
    reader = PdfReader(io.BytesIO(content))
    return reader, [page.extract_text() for page in reader.pages]


def test_finnish_pdf_is_tagged_and_has_the_pages_numbers_on_every_page(client, reporting, autumn):
    client = _signed_in(client, reporting, "fi")
    page = client.get(URL, AUTUMN).context
    report = page["report"]
    assert report.period.label == "syyskuu–lokakuu 2026"
    assert report.totals["attendance"] == 3 + 37 + 58
    response = client.get(PDF, {**AUTUMN, "final": "1"})  # with the final report's tables
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "funder-report-20260901-20261031.pdf" in response["Content-Disposition"]

    reader, pages = _pages(response.content)
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "fi"
    assert bool(root["/MarkInfo"]["/Marked"])
    tags = _structure_tags(root["/StructTreeRoot"])
    assert {"/H1", "/H2", "/Table", "/Caption", "/TH", "/TD", "/Figure"} <= tags
    with translation.override("fi"):
        title = gettext("Funder's report: %(period)s") % {"period": "syyskuu–lokakuu 2026"}
    assert reader.metadata.title == title

    assert len(pages) >= 2
    for text in pages:  # the running header of every page
        assert title in text
        assert "syyskuu–lokakuu 2026" in text
        assert "2.11.2026 klo 9.30" in text
    text = "\n".join(pages)
    for line in report.summary_lines:  # "Kohtaamot: 1 tilaisuus, 1 teema, 40 osallistujaa"
        assert line["text"] in text
    assert "Yhteensä 2 2 98" in text  # the totals row of the table per kind of event
    assert "Osallistujamäärä yhteensä 98" in text
    assert "Saapumatta jääneet 1" in text
    assert "Saapumatta jääneiden osuus (%) 25,0" in text
    # a row of the table by kind, with every figure; then the chart's data table
    assert "Kohtaamo 1 1 4 4 0 0 3 0 37 40 3 40,0 1 25,0 0 – – 0 0,00" in text
    assert "Kuukausi Työpaja Kohtaamo\n2026-09 0 40\n2026-10 58 0" in text
    assert "Esihenkilön työpaja" in text  # a per-event line of the final report's tables


def _structure_tags(node, seen=None) -> set[str]:
    seen = set() if seen is None else seen
    node = node.get_object()
    if "/S" in node:
        seen.add(str(node["/S"]))
    kids = node.get("/K", [])
    for kid in kids if isinstance(kids, list) else [kids]:
        child = kid.get_object() if hasattr(kid, "get_object") else kid
        if isinstance(child, dict):
            _structure_tags(child, seen)
    return seen


def test_swedish_pdf_is_in_swedish(client, reporting, autumn):
    response = _signed_in(client, reporting, "sv").get(PDF, AUTUMN)
    reader, pages = _pages(response.content)
    assert reader.trailer["/Root"]["/Lang"] == "sv"
    text = "\n".join(pages)
    assert "Hur siffrorna räknas" in text  # the heading of the definitions
    assert "Närvaro totalt 98" in text
    assert "september–oktober 2026" in text


def test_xlsx_has_the_pages_numbers_and_a_chart_with_its_data(client, reporting, autumn):
    client = _signed_in(client, reporting, "en")
    page = client.get(URL, AUTUMN).context
    response = client.get(XLSX, AUTUMN)
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames[:2] == ["Period", "Per kind of event"]
    for sheet in workbook.worksheets:
        assert sheet["A1"].value == "Funder's report: September–October 2026"
        assert sheet["A2"].value == "Made 2.11.2026 09:30"
        assert sheet.oddHeader.left.text == sheet["A1"].value
    comparison = workbook["Comparison"]
    got = {row[0]: list(row[1:]) for row in comparison.iter_rows(min_row=5, values_only=True)}
    want = {row["label"]: [_plain(cell) for cell in row["cells"]] for row in page["totals_rows"]}
    assert got == want
    kinds = list(workbook["Per kind of event"].iter_rows(min_row=5, values_only=True))
    assert kinds == [("Kohtaamo sessions", 1, 1, 40), ("Workshops", 1, 1, 58), ("Total", 2, 2, 98)]
    by_kind = workbook["By month and kind"]
    rows = list(by_kind.iter_rows(min_row=5, values_only=True))
    assert rows == [
        ("Month", "Workshop", "Kohtaamo session"),
        ("2026-09", 0, 40),
        ("2026-10", 58, 0),
    ]
    assert page["charts"][0]["timeline"]["rows"] == [list(row) for row in rows[1:]]
    (chart,) = by_kind._charts
    assert chart.grouping == "stacked"
    assert [series.val.numRef.f for series in chart.series] == [
        "'By month and kind'!$B$6:$B$7",
        "'By month and kind'!$C$6:$C$7",
    ]
    assert not any("Esihenkilön työpaja" in str(cell) for cell in _cells(workbook))


def test_xlsx_adds_the_final_report_tables_when_asked(client, reporting, autumn):
    client = _signed_in(client, reporting, "en")
    response = client.get(XLSX, {**AUTUMN, "final": "1"})
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames.count("Per kind of event") == 1
    lines = [row for row in _rows(workbook) if "Esihenkilön työpaja" in row]
    assert len(lines) == 1
    assert 58 in lines[0]  # the workshop's participants


def _rows(workbook):
    for sheet in workbook.worksheets:
        yield from sheet.iter_rows(values_only=True)


def _cells(workbook):
    for row in _rows(workbook):
        yield from row


def _plain(value):
    return float(value) if value is not None and not isinstance(value, int | float) else value


@pytest.mark.parametrize("url", [PDF, XLSX])
def test_documents_need_the_reporting_ability(client, user, url):
    assert client.get(url).status_code == 302
    client.force_login(user)
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("url", [PDF, XLSX])
def test_bad_input_gives_the_form_with_its_message(client, reporting, url):
    response = _signed_in(client, reporting, "en").get(url, {"period": "year", "year": "19999"})
    assert response.status_code == 200
    assert response.context["report"] is None
    assert 'class="error-summary"' in response.content.decode()


def test_xlsx_query_count_does_not_grow_with_the_events(client, reporting, autumn):
    client = _signed_in(client, reporting, "en")
    with CaptureQueriesContext(connection) as few:
        assert client.get(XLSX, AUTUMN).status_code == 200
    for day in range(1, 21):
        event = EventFactory(
            kind=EventKind.WORKSHOP,
            theme=ThemeFactory(),
            starts_at=at(dt.date(2026, 9, day)),
            ends_at=at(dt.date(2026, 9, day), 15),
        )
        RegistrationFactory(event=event, attended=True)
    with CaptureQueriesContext(connection) as many:
        response = client.get(XLSX, AUTUMN)
    kinds = load_workbook(io.BytesIO(response.content))["Per kind of event"]
    assert kinds["A6"].value == "Workshops" and kinds["B6"].value == 21
    assert len(many) == len(few)

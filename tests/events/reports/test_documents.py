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

from events.models import Event, EventKind
from events.reports import final, forms
from events.reports.compute import attendance_report
from reach.models import CountKind, DailyCount, TargetType
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
    assert workbook.sheetnames[:3] == ["Period", "Per kind of event", "Per event"]
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
    # the per-event lines are a section of their own, with or without the final report's tables
    lines = list(workbook["Per event"].iter_rows(min_row=5, values_only=True))
    text = "Esihenkilön työpaja workshop, 58 participants"
    assert lines == [("Workshop", "Esihenkilön työpaja", "2026-10-14", 58, text)]


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


# --- communications reach, and the report computed once -------------------------------------


@pytest.fixture
def reach(autumn):
    """Page counts of September–October 2026 and of July–August, the period before."""
    workshop = Event.objects.get(title="Esihenkilön työpaja")
    counts = {  # kind: (this period, the period before)
        CountKind.PAGE_VIEW: (120, 80),
        CountKind.UNIQUE_VISITOR: (90, 60),
        CountKind.MEETING_LINK: (30, 8),
        CountKind.SLIDES: (12, 0),
    }
    for kind, (now, before) in counts.items():
        for day, count in ((dt.date(2026, 10, 1), now), (dt.date(2026, 7, 15), before)):
            DailyCount.objects.create(day=day, kind=kind, target_type=TargetType.EVENT,
                                      target_id=workshop.pk, count=count)  # fmt: skip
    DailyCount.objects.create(day=dt.date(2026, 9, 30), kind=CountKind.PAGE_VIEW,
                              target_type=TargetType.UPCOMING, target_id=0, count=40)  # fmt: skip
    DailyCount.objects.create(day=dt.date(2026, 11, 1), kind=CountKind.PAGE_VIEW,
                              target_type=TargetType.UPCOMING, target_id=0, count=999)  # fmt: skip
    return workshop


def test_pdf_has_the_communications_reach_compared_with_the_period_before(client, reporting, reach):
    response = _signed_in(client, reporting, "en").get(PDF, AUTUMN)
    reader, pages = _pages(response.content)
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en" and bool(root["/MarkInfo"]["/Marked"])
    assert {"/Table", "/Caption", "/TH", "/TD"} <= _structure_tags(root["/StructTreeRoot"])
    text = "\n".join(pages)
    assert "Communications reach" in text
    assert "compared with 7/1/2026–8/31/2026" in text or "compared with 1.7.2026" in text
    # the totals: this period, the period before, the change and the change in per cent
    assert "Visits 160 80 80 100.0" in text  # the workshop's 120 and the upcoming list's 40
    assert "Unique visitors 90 60 30 50.0" in text
    assert "Meeting link clicks 30 8 22 275.0" in text
    assert "Went on to the meeting link (%) 18.8 10.0 8.8 –" in text
    assert "Material downloads 12 0 12 –" in text
    # per page, the total last; November's visits are not counted
    assert "Esihenkilön työpaja 120 90 25.0 % (30) 10.0 % (12)" in text
    assert "Upcoming events 40 0 0.0 % (0) 0.0 % (0)" in text
    assert "All pages 160 90 18.8 % (30) 7.5 % (12)" in text
    assert "999" not in text and "1159" not in text
    assert text.index("Communications reach") < text.index("Comparison with the previous period")


def test_xlsx_has_the_reach_sheets(client, reporting, reach):
    response = _signed_in(client, reporting, "en").get(XLSX, AUTUMN)
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook["Communications reach"]
    assert sheet["A1"].value == "Funder's report: September–October 2026"
    assert sheet["A2"].value == "Made 2.11.2026 09:30"
    rows = {row[0]: row[1:] for row in sheet.iter_rows(min_row=5, values_only=True)}
    assert rows["Visits"] == (160, 80, 80, 100.0)
    assert rows["Went on to the meeting link (%)"] == (18.8, 10.0, 8.8, None)
    assert rows["Material downloads"] == (12, 0, 12, None)
    header = next(sheet.iter_rows(min_row=4, max_row=4, values_only=True))
    assert header[1] == "This period (September–October 2026)"
    assert header[2].startswith("Previous period (")
    pages = workbook["Reach per page"]
    header = next(pages.iter_rows(min_row=4, max_row=4, values_only=True))
    assert header[:6] == ("Page", "Visits", "Unique visitors", "Meeting link clicks",
                          "Went on to the meeting link (%)", "Material downloads")  # fmt: skip
    rows = {row[0]: row for row in pages.iter_rows(min_row=5, values_only=True)}
    assert rows["Esihenkilön työpaja"][1:7] == (120, 90, 30, 25.0, 12, 10.0)
    assert rows["Esihenkilön työpaja"][-2:] == (80, 40)  # the visits before, and the change
    assert rows["All pages"][1:3] == (160, 90)
    assert pages["E5"].number_format == "#,##0.0"


def test_documents_without_any_reach_say_so(client, reporting, autumn):
    response = _signed_in(client, reporting, "en").get(PDF, AUTUMN)
    text = "\n".join(_pages(response.content)[1])
    assert "No visits were counted in this period or the previous one." in text
    assert "Visits 0 0 0 –" in text


@pytest.fixture
def report_runs(monkeypatch):
    """How many times a request computes the attendance report."""
    calls = []

    def counted(**kwargs):
        calls.append(kwargs)
        return attendance_report(**kwargs)

    monkeypatch.setattr(forms, "attendance_report", counted)
    monkeypatch.setattr(final, "attendance_report", counted)
    return calls


@pytest.mark.parametrize("url", [URL, PDF, XLSX, URL + "export.xlsx"])
def test_the_report_is_computed_once_with_the_final_tables(client, reporting, autumn, url,
                                                           report_runs):  # fmt: skip
    response = _signed_in(client, reporting, "en").get(url, {**AUTUMN, "final": "1"})
    assert response.status_code == 200
    assert len(report_runs) == 1


def test_final_tables_from_the_pages_report_are_the_same_as_their_own(autumn):
    for breakdowns in (["kind", "theme"], ["theme"], []):
        report = attendance_report(start=dt.date(2026, 9, 1), end=dt.date(2026, 10, 31),
                                   breakdowns=breakdowns, as_of=MADE)  # fmt: skip
        own = final.final_report_tables(start=report.period.start, end=report.period.end,
                                        as_of=MADE, label=report.period.label)  # fmt: skip
        assert final.final_report_tables(report).as_dict() == own.as_dict(), breakdowns
    with pytest.raises(ValueError, match="another period"):
        final.final_report_tables(report, start=dt.date(2026, 9, 2))


def test_final_tables_from_a_report_read_only_what_it_lacks(autumn, django_assert_num_queries):
    report = attendance_report(start=dt.date(2026, 9, 1), end=dt.date(2026, 10, 31),
                               breakdowns=["kind"], as_of=MADE)  # fmt: skip
    with django_assert_num_queries(3):  # the titles, the recordings, the caption orders
        final.final_report_tables(report)

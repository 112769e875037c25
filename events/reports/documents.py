"""The funder's two-month report as documents: a tagged PDF (WeasyPrint, PDF/UA-1 variant) and
an XLSX workbook with one sheet per section and native charts.

Both are laid out from one `Report` of `events.reports.compute.attendance_report`, the same
object the report page shows, so no figure is computed here: this module only arranges them.
"""

from __future__ import annotations

import base64
import io
from decimal import Decimal

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from kohtaamo.exports import _safe_cell

from .charts import timeline_svg
from .compute import BREAKDOWN_LABELS, FIGURE_KEYS, Report
from .final import FinalTables, final_sheets

PDF_TEMPLATE = "events/reports/funder_report.html"
CHARTS = ("kind", "theme")
# The report's totals, grouped as the funder's report lists them.
SECTIONS = [
    (
        "attendance",
        _("Registrations, attendance and no-shows"),
        [
            "registrations", "confirmed", "waitlisted", "events_with_waitlist",
            "identified_attendees", "headcount", "anonymous_attendees", "attendance",
            "unique_participants", "average_attendance", "no_shows", "no_show_rate",
        ],
    ),
    ("feedback", _("Feedback and NPS"), ["feedback_answers", "average_usefulness", "nps"]),
    ("recordings", _("Recordings, views and caption cost"), ["recording_views", "caption_cost"]),
]  # fmt: skip
EURO_FIGURES = frozenset({"caption_cost"})
DECIMAL_FIGURES = frozenset({"average_attendance", "no_show_rate", "average_usefulness"})
CENT = Decimal("0.01")
INTEGER_FORMAT, DECIMAL_FORMAT, EURO_FORMAT = "#,##0", "#,##0.0", '#,##0.00" €"'


def chart_info(report: Report, name: str) -> dict:
    """Title and text alternative of a chart, from the same numbers as its data table."""
    timeline = report.timelines[name]
    per = gettext("per kind of event") if name == "kind" else gettext("per theme (five largest)")
    title = gettext("Attendance per month %(per)s, %(period)s") % {
        "per": per,
        "period": report.period.label,
    }
    totals = [
        (column, sum(row[i + 1] for row in timeline["rows"]))
        for i, column in enumerate(timeline["columns"])
    ]
    if not totals:
        description = gettext("No attendance in this period.")
    else:
        description = "; ".join(
            gettext("%(series)s: %(total)s in total") % {"series": column, "total": total}
            for column, total in totals
        )
    return {"title": title, "description": description}


def funder_report_pdf(report: Report, *, language: str, final: FinalTables | None = None) -> bytes:
    """The report (and the final report's tables, if given) as a tagged PDF (PDF/UA-1
    variant) in `language`; nothing is fetched while rendering."""
    with translation.override(language):
        context = {**document_context(report), "final": final}
        for chart in context["charts"]:
            svg = timeline_svg(
                report.timelines[chart["name"]],
                title=chart["title"],
                description=chart["description"],
                y_label=gettext("Attendance"),
            )
            chart["src"] = "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
        html = render_to_string(PDF_TEMPLATE, {**context, "language": language})
    document = HTML(string=html, url_fetcher=URLFetcher(allowed_protocols={"data"}))
    return document.write_pdf(pdf_variant="pdf/ua-1")


def document_context(report: Report) -> dict:
    """The report's numbers arranged in the funder's sections (in the active language)."""
    labels = dict(report.figure_labels())
    return {
        "report": report,
        "title": gettext("Funder's report: %(period)s") % {"period": report.period.label},
        "made_at": date_format(timezone.localtime(report.generated_at), "SHORT_DATETIME_FORMAT"),
        "kinds": report.summary_lines,
        "sections": [
            {
                "name": name,
                "title": str(title),
                "rows": [(labels[key], _value(key, report.totals[key])) for key in keys],
            }
            for name, title, keys in SECTIONS
        ],
        "comparison_rows": [
            (label, _comparison_cells(report, key)) for key, label in report.figure_labels()
        ],
        "tables": [
            {
                "name": name,
                "label": str(BREAKDOWN_LABELS[name]),
                "rows": [
                    (row["label"], [_value(key, row[key]) for key in FIGURE_KEYS])
                    for row in report.tables[name]
                ],
            }
            for name in report.breakdowns
        ],
        "figure_labels": [label for _key, label in report.figure_labels()],
        "charts": [
            {"name": name, **chart_info(report, name), "timeline": report.timelines[name]}
            for name in CHARTS
        ],
    }


def _comparison_cells(report: Report, key: str) -> list:
    cells = [_value(key, report.totals[key])]
    for comparison in report.comparisons:
        change = comparison["changes"][key]
        cells += [
            _value(key, comparison["totals"][key]),
            _value(key, change["change"]),
            change["percent"],
        ]
    return cells


def _value(key: str, value):
    """Euros as a two-decimal Decimal (shown as 195,20), the rest as the report has them."""
    if key in EURO_FIGURES and value is not None:
        return Decimal(str(value)).quantize(CENT)
    return value


# --- XLSX ---------------------------------------------------------------------------------


def funder_report_xlsx(report: Report, *, language: str, final: FinalTables | None = None) -> bytes:
    """The report as a workbook: one sheet per section, number formats, two native charts;
    then the final report's tables, if given."""
    with translation.override(language):
        context = document_context(report)
        workbook = Workbook()
        workbook.remove(workbook.active)
        _period_sheet(workbook, context)
        _kinds_sheet(workbook, context)
        for section in context["sections"]:
            sheet = _sheet(workbook, section["title"], context)
            _table(sheet, [gettext("Figure"), gettext("This period")], section["rows"])
        _comparison_sheet(workbook, context)
        for table in context["tables"]:
            sheet = _sheet(workbook, table["label"], context)
            rows = [(label, *values) for label, values in table["rows"]]
            _table(sheet, [table["label"], *context["figure_labels"]], rows, keys=FIGURE_KEYS)
        for chart in context["charts"]:
            _chart_sheet(workbook, chart, context)
        if final is not None:
            _final_sheets(workbook, final, context)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sheet(workbook: Workbook, title: str, context: dict):
    """A sheet whose first two rows, and printed header and footer, give the period and time."""
    sheet = workbook.create_sheet(title=title[:31])
    made = gettext("Made %(time)s") % {"time": context["made_at"]}
    sheet.append([context["title"]])
    sheet.append([made])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.oddHeader.left.text = context["title"]
    sheet.oddHeader.right.text = made
    sheet.oddFooter.right.text = "&P / &N"
    return sheet


def _table(sheet, header: list, rows, *, keys=None) -> None:
    """Header row at row 4, then the rows; numbers get a format by their figure."""
    sheet.append([])
    sheet.append([str(name) for name in header])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_safe_cell(v) if isinstance(v, str) else _excel(v) for v in row])
        cells = sheet[sheet.max_row]
        for index, cell in enumerate(cells[1:]):
            number_format = _number_format(keys[index] if keys else None, cell.value)
            if number_format:
                cell.number_format = number_format
    sheet.column_dimensions["A"].width = max(
        [len(str(sheet.cell(row=r, column=1).value or "")) for r in range(4, sheet.max_row + 1)]
        + [24]
    )
    for index in range(2, len(header) + 1):
        sheet.column_dimensions[get_column_letter(index)].width = max(
            12, len(str(header[index - 1])) + 2
        )


def _excel(value):
    return float(value) if isinstance(value, Decimal) else value


def _number_format(key: str | None, value) -> str | None:
    """By the figure when known; integers with a thousands separator; else the cell's own
    (General for other numbers, yyyy-mm-dd for dates)."""
    if key in EURO_FIGURES:
        return EURO_FORMAT
    if key in DECIMAL_FIGURES:
        return DECIMAL_FORMAT
    if isinstance(value, int) and not isinstance(value, bool):
        return INTEGER_FORMAT
    return None


def _period_sheet(workbook: Workbook, context: dict) -> None:
    report = context["report"]
    sheet = _sheet(workbook, gettext("Period"), context)
    rows = [
        (gettext("Period"), report.period.label),
        (gettext("First day"), report.period.start),
        (gettext("Last day"), report.period.end),
    ] + [(comparison["label"], comparison["period"]["label"]) for comparison in report.comparisons]
    _table(sheet, [gettext("Figure"), gettext("Value")], rows)


def _kinds_sheet(workbook: Workbook, context: dict) -> None:
    report = context["report"]
    sheet = _sheet(workbook, gettext("Per kind of event"), context)
    header = [gettext("Kind of event"), gettext("Events held"), gettext("Distinct themes"),
              gettext("Participants")]  # fmt: skip
    rows = [(line["label"], line["events"], line["themes"], line["participants"])
            for line in report.summary_lines]  # fmt: skip
    rows.append(
        (gettext("Total"), report.totals["events"], report.totals["themes"],
         report.totals["attendance"])
    )  # fmt: skip
    _table(sheet, header, rows)


def _comparison_sheet(workbook: Workbook, context: dict) -> None:
    report = context["report"]
    sheet = _sheet(workbook, gettext("Comparison"), context)
    header = [gettext("Figure"), gettext("This period")]
    for comparison in report.comparisons:
        header += [
            f"{comparison['label']} ({comparison['period']['label']})",
            translation.pgettext("difference between periods", "Change"),
            gettext("Change (%)"),
        ]
    rows = [(label, *cells) for label, cells in context["comparison_rows"]]
    _table(sheet, header, rows)


def _chart_sheet(workbook: Workbook, chart: dict, context: dict) -> None:
    """The chart's data table and, next to it, a stacked bar chart drawn from those cells."""
    timeline = chart["timeline"]
    titles = {"kind": gettext("By month and kind"), "theme": gettext("By month and theme")}
    sheet = _sheet(workbook, titles[chart["name"]], context)
    sheet.append([chart["title"]])
    _table(sheet, [gettext("Month"), *timeline["columns"]], timeline["rows"])
    header_row = 5
    if not timeline["columns"]:
        return
    bars = BarChart()
    bars.type, bars.grouping, bars.overlap = "col", "stacked", 100
    bars.title = chart["title"]
    bars.y_axis.title = gettext("Attendance")
    bars.x_axis.title = gettext("Month")
    last_row = header_row + len(timeline["rows"])
    data = Reference(sheet, min_col=2, max_col=1 + len(timeline["columns"]),
                     min_row=header_row, max_row=last_row)  # fmt: skip
    bars.add_data(data, titles_from_data=True)
    bars.set_categories(Reference(sheet, min_col=1, min_row=header_row + 1, max_row=last_row))
    bars.width, bars.height = 18, 9
    sheet.add_chart(bars, f"{get_column_letter(len(timeline['columns']) + 3)}4")


def _final_sheets(workbook: Workbook, final: FinalTables, context: dict) -> None:
    """The final report's tables (events.reports.final), after the funder's sections; one
    whose title is already a sheet (per kind of event) is that same table."""
    for title, header, rows, _preamble in final_sheets(final):
        if title[:31] in workbook.sheetnames:
            continue
        _table(_sheet(workbook, title, context), list(header), rows)

"""The funder's two-month report as documents: a tagged PDF (WeasyPrint, PDF/UA-1 variant) and
an XLSX workbook with one sheet per section and native charts.

Both are laid out from one `Report` of `events.reports.compute.attendance_report`, the same
object the report page shows (and, with the final report's tables, the `FinalTables` made
from that same report), so no attendance figure is computed here: this module only arranges
them. The page uses the same arrangement (`totals_rows`, `breakdown_tables`, `report_charts`)
and the same table partials. Communications reach comes from `reach.selectors.reach_report`
for the period and for the period before it.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from decimal import Decimal

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from kohtaamo.exports import _safe_cell
from reach.selectors import ReachReport, reach_report

from .charts import timeline_svg
from .compute import BREAKDOWN_LABELS, FIGURE_KEYS, Report
from .final import FinalTables, event_lines, event_lines_sheet, final_sheets
from .periods import Period, range_label

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
PERCENT = "percent"  # a column of shares in per cent (one decimal), in the reach sheets
DECIMAL_FIGURES = frozenset({"average_attendance", "no_show_rate", "average_usefulness", PERCENT})
CENT = Decimal("0.01")
INTEGER_FORMAT, DECIMAL_FORMAT, EURO_FORMAT = "#,##0", "#,##0.0", '#,##0.00" €"'


@dataclass(frozen=True)
class ReachFigure:
    """A count of `reach.selectors.ReachRow` (its attribute `name`) and, for the clicks on
    from a page, the share of its visits that the row gives as `share`."""

    name: str
    label: object
    share: str | None = None
    share_label: object = None
    column: object = None  # the per-page table's heading, where share and count are one cell


# The reach report's figures, in the order the funder's report lists them. A figure the
# selector's rows do not have (an older `ReachRow`) is left out, not shown as zero.
REACH_FIGURES = [
    ReachFigure("visits", _("Visits")),
    ReachFigure("unique_visitors", _("Unique visitors")),
    ReachFigure("meeting_link", _("Meeting link clicks"), "meeting_share",
                _("Went on to the meeting link (%)"), _("Went on to the meeting link")),
    ReachFigure("slides", _("Material downloads"), "slides_share",
                _("Went on to the materials (%)"), _("Went on to the materials")),
    ReachFigure("recording_plays", _("Recording plays"), "plays_share",
                _("Played a recording (%)"), _("Played a recording")),
]  # fmt: skip


def display_value(key: str, value):
    """A figure as the page and the documents show it. Euros become a two-decimal Decimal
    (shown as 195,20) that still equals the exported number; the rest as the report has them."""
    if key in EURO_FIGURES and value is not None:
        return Decimal(str(value)).quantize(CENT)
    return value


# --- the arrangement shared by the page and the documents ----------------------------------


def totals_rows(report: Report) -> list[dict]:
    """Every total of the period, then per comparison: its total, the change and the change
    in per cent — the rows of the `_totals_table.html` partial and of the Comparison sheet."""
    rows = []
    for key, label in report.figure_labels():
        cells = [display_value(key, report.totals[key])]
        for comparison in report.comparisons:
            change = comparison["changes"][key]
            cells += [
                display_value(key, comparison["totals"][key]),
                display_value(key, change["change"]),
                change["percent"],
            ]
        rows.append({"label": label, "cells": cells})
    return rows


def breakdown_tables(report: Report) -> list[dict]:
    """The breakdown tables asked for (`_breakdown_table.html`): a row per group, every figure."""
    return [
        {
            "name": name,
            "label": str(BREAKDOWN_LABELS[name]),
            "rows": [
                {"label": row["label"], "values": [display_value(k, row[k]) for k in FIGURE_KEYS]}
                for row in report.tables[name]
            ],
        }
        for name in report.breakdowns
    ]


def report_charts(report: Report) -> list[dict]:
    """The two charts (per kind, per theme) with their text alternative and data table."""
    return [
        {"name": name, **chart_info(report, name), "timeline": report.timelines[name]}
        for name in CHARTS
    ]


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


# --- communications reach -------------------------------------------------------------------


def reach_section(period: Period) -> dict:
    """Communications reach of the period's pages, from `reach_report` for the period and for
    the period just before it (the selector's own rule), in the active language: the totals
    compared, and the figures per page with the visits of the period before."""
    current = reach_report(period.start, period.end)
    previous = reach_report(current.previous_start, current.previous_end)
    figures = [figure for figure in REACH_FIGURES if hasattr(current.total, figure.name)]
    return {
        "report": current,
        "previous": previous,
        "figures": figures,
        "columns": [str(figure.column or figure.label) for figure in figures],
        "comparison": _reach_comparison(figures, current, previous),
        "rows": [_reach_row(figures, row) for row in current.rows],
        "total": _reach_row(figures, current.total),
    }


def _reach_comparison(figures, current: ReachReport, previous: ReachReport) -> list[dict]:
    """Per figure: this period, the period before, the change and the change in per cent;
    per share: the two shares and the change in percentage points."""
    rows = []
    for figure in figures:
        mine, old = getattr(current.total, figure.name), getattr(previous.total, figure.name)
        change = mine - old
        percent = round(change / old * 100, 1) if old else None
        rows.append({"label": str(figure.label), "cells": [mine, old, change, percent]})
        if figure.share:
            mine, old = getattr(current.total, figure.share), getattr(previous.total, figure.share)
            change = None if mine is None or old is None else round(mine - old, 1)
            rows.append({"label": str(figure.share_label), "cells": [mine, old, change, None]})
    return rows


def _reach_row(figures, row) -> dict:
    return {
        "label": row.label,
        "cells": [
            {
                "count": getattr(row, figure.name),
                "share": getattr(row, figure.share) if figure.share else None,
                "has_share": bool(figure.share),
            }
            for figure in figures
        ],
        "previous_visits": row.previous_visits,
        "change": row.change,
    }


# --- PDF ------------------------------------------------------------------------------------


def funder_report_pdf(report: Report, *, language: str, final: FinalTables | None = None) -> bytes:
    """The report (and the final report's tables, if given) as a tagged PDF (PDF/UA-1
    variant) in `language`; nothing is fetched while rendering. `final` should be made from
    the same `report` (`final_report_tables(report)`)."""
    with translation.override(language):
        context = document_context(report, final=final)
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


def document_context(report: Report, *, final: FinalTables | None = None) -> dict:
    """The report's numbers arranged in the funder's sections (in the active language)."""
    labels = dict(report.figure_labels())
    return {
        "report": report,
        "final": final,
        "title": gettext("Funder's report: %(period)s") % {"period": report.period.label},
        "made_at": date_format(timezone.localtime(report.generated_at), "SHORT_DATETIME_FORMAT"),
        "kinds": report.summary_lines,
        "event_lines": final.event_lines if final is not None else event_lines(report),
        "sections": [
            {
                "name": name,
                "title": str(title),
                "keys": keys,
                "rows": [(labels[key], display_value(key, report.totals[key])) for key in keys],
            }
            for name, title, keys in SECTIONS
        ],
        "reach": reach_section(report.period),
        "totals_rows": totals_rows(report),
        "tables": breakdown_tables(report),
        "figures": report.figure_labels(),
        "charts": report_charts(report),
    }


# --- XLSX ---------------------------------------------------------------------------------


def funder_report_xlsx(report: Report, *, language: str, final: FinalTables | None = None) -> bytes:
    """The report as a workbook: one sheet per section, number formats, two native charts;
    then the final report's tables, if given (made from the same `report`)."""
    with translation.override(language):
        context = document_context(report, final=final)
        workbook = Workbook()
        workbook.remove(workbook.active)
        _period_sheet(workbook, context)
        _kinds_sheet(workbook, context)
        title, header, rows = event_lines_sheet(context["event_lines"])
        _table(_sheet(workbook, title, context), header, rows)
        for section in context["sections"]:
            sheet = _sheet(workbook, section["title"], context)
            header = [gettext("Figure"), gettext("This period")]
            _table(sheet, header, section["rows"], row_keys=section["keys"])
        _reach_sheets(workbook, context)
        _comparison_sheet(workbook, context)
        figure_labels = [label for _key, label in context["figures"]]
        for table in context["tables"]:
            sheet = _sheet(workbook, table["label"], context)
            rows = [(row["label"], *row["values"]) for row in table["rows"]]
            _table(sheet, [table["label"], *figure_labels], rows, keys=FIGURE_KEYS)
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


def _table(sheet, header: list, rows, *, keys=None, row_keys=None) -> None:
    """Header row at row 4, then the rows; numbers get a format by their figure: the
    column's (`keys`, one per column after the first) or the row's (`row_keys`)."""
    sheet.append([])
    sheet.append([str(name) for name in header])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for number, row in enumerate(rows):
        sheet.append([_safe_cell(v) if isinstance(v, str) else _excel(v) for v in row])
        cells = sheet[sheet.max_row]
        for index, cell in enumerate(cells[1:]):
            key = keys[index] if keys else (row_keys[number] if row_keys else None)
            number_format = _number_format(key, cell.value)
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


def _reach_sheets(workbook: Workbook, context: dict) -> None:
    """Communications reach: the totals against the period before, then the pages."""
    reach = context["reach"]
    previous = reach["previous"]
    sheet = _sheet(workbook, gettext("Communications reach"), context)
    header = [
        gettext("Figure"),
        gettext("This period (%(range)s)") % {"range": context["report"].period.label},
        gettext("Previous period (%(range)s)")
        % {"range": range_label(previous.start, previous.end)},
        pgettext("difference between periods", "Change"),
        gettext("Change (%)"),
    ]
    rows = [(row["label"], *row["cells"]) for row in reach["comparison"]]
    _table(sheet, header, rows)
    sheet = _sheet(workbook, gettext("Reach per page"), context)
    header, keys = [gettext("Page")], []
    for figure in reach["figures"]:
        header.append(str(figure.label))
        keys.append(None)
        if figure.share:
            header.append(str(figure.share_label))
            keys.append(PERCENT)
    header += [gettext("Visits in the previous period"),
               pgettext("difference between periods", "Change")]  # fmt: skip
    keys += [None, None]
    rows = []
    for row in [*reach["rows"], reach["total"]]:
        cells = []
        for cell in row["cells"]:
            cells += [cell["count"], cell["share"]] if cell["has_share"] else [cell["count"]]
        rows.append((row["label"], *cells, row["previous_visits"], row["change"]))
    _table(sheet, header, rows, keys=keys)


def _comparison_sheet(workbook: Workbook, context: dict) -> None:
    report = context["report"]
    sheet = _sheet(workbook, gettext("Comparison"), context)
    header = [gettext("Figure"), gettext("This period")]
    for comparison in report.comparisons:
        header += [
            f"{comparison['label']} ({comparison['period']['label']})",
            pgettext("difference between periods", "Change"),
            gettext("Change (%)"),
        ]
    rows = [(row["label"], *row["cells"]) for row in context["totals_rows"]]
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

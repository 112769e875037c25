"""Attendance report pages: the summary, CSV/XLSX exports and SVG charts. Thin: parse, call
`ReportForm.report()` (→ `events.reports.compute.attendance_report`), render."""

from __future__ import annotations

from decimal import Decimal

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.permissions import ability_required
from accounts.roles import Ability
from kohtaamo.exports import csv_response, xlsx_response

from .charts import timeline_svg
from .compute import BREAKDOWN_LABELS, FIGURE_KEYS, Report, export_sheets
from .forms import ReportForm
from .periods import ReportInputError

CHARTS = ("kind", "theme")
EURO_FIGURES = frozenset({"caption_cost"})  # shown with two decimals: 195,20
CENT = Decimal("0.01")
TEMPLATE = "events/reports/attendance.html"


def _report(form: ReportForm, *, compare: bool = True) -> Report | None:
    if not form.is_valid():
        return None
    try:
        return form.report(compare=compare)
    except ReportInputError as error:
        form.add_error(None, error.message)
        return None


def _page(request: HttpRequest, form: ReportForm, report: Report | None) -> HttpResponse:
    return render(request, TEMPLATE, {"form": form, **page_context(request, report)})


@require_GET
@ability_required(Ability.VIEW_REPORTS)
def attendance(request: HttpRequest) -> HttpResponse:
    form = ReportForm(request.GET)
    return _page(request, form, _report(form))


@require_GET
@ability_required(Ability.VIEW_REPORTS)
def export(request: HttpRequest, fmt: str) -> HttpResponse:
    form = ReportForm(request.GET)
    report = _report(form)
    if report is None:
        return _page(request, form, None)
    sheets = export_sheets(report)
    name = f"attendance-{report.period.start:%Y%m%d}-{report.period.end:%Y%m%d}"
    if fmt == "xlsx":
        return xlsx_response(filename=f"{name}.xlsx", sheets=sheets)
    _title, header, rows, preamble = sheets[0]
    flat = [[line] for line in preamble] + [list(header)] + list(rows)
    for _title, header, rows, _preamble in sheets[1:]:
        flat += [[], list(header), *rows]
    return csv_response(filename=f"{name}.csv", header=flat[0], rows=flat[1:])


@require_GET
@ability_required(Ability.VIEW_REPORTS)
def chart(request: HttpRequest, name: str) -> HttpResponse:
    form = ReportForm(request.GET)
    report = _report(form, compare=False)
    if report is None:
        return _page(request, form, None)
    info = chart_info(report, name)
    svg = timeline_svg(
        report.timelines[name],
        title=info["title"],
        description=info["description"],
        y_label=_("Attendance"),
    )
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response


def chart_info(report: Report, name: str) -> dict:
    """Title and text alternative of a chart, from the same numbers as its data table."""
    timeline = report.timelines[name]
    per = _("per kind of event") if name == "kind" else _("per theme (five largest)")
    title = _("Attendance per month %(per)s, %(period)s") % {
        "per": per,
        "period": report.period.label,
    }
    totals = [
        (column, sum(row[i + 1] for row in timeline["rows"]))
        for i, column in enumerate(timeline["columns"])
    ]
    if not totals:
        description = _("No attendance in this period.")
    else:
        description = "; ".join(
            _("%(series)s: %(total)s in total") % {"series": column, "total": total}
            for column, total in totals
        )
    return {"title": title, "description": description}


def page_context(request: HttpRequest, report: Report | None) -> dict:
    if report is None:
        return {"report": None}
    query = request.GET.urlencode()
    return {
        "report": report,
        "query": query,
        "figures": report.figure_labels(),
        "totals_rows": _totals_rows(report),
        "tables": [
            {
                "name": name,
                "label": BREAKDOWN_LABELS[name],
                "rows": [
                    {"label": row["label"], "values": [_cell(key, row[key]) for key in FIGURE_KEYS]}
                    for row in report.tables[name]
                ],
            }
            for name in report.breakdowns
        ],
        "charts": [
            {"name": name, **chart_info(report, name), "timeline": report.timelines[name]}
            for name in CHARTS
        ],
        "generated_at": date_format(
            timezone.localtime(report.generated_at), "SHORT_DATETIME_FORMAT"
        ),
    }


def _totals_rows(report: Report) -> list[dict]:
    rows = []
    for key, label in report.figure_labels():
        cells = [_cell(key, report.totals[key])]
        for comparison in report.comparisons:
            change = comparison["changes"][key]
            cells += [
                _cell(key, comparison["totals"][key]),
                _cell(key, change["change"]),
                change["percent"],
            ]
        rows.append({"label": label, "cells": cells})
    return rows


def _cell(key: str, value):
    """A figure as the page shows it. Euros become a two-decimal Decimal, which the
    template localises to "195,20" while it still equals the exported number."""
    if key in EURO_FIGURES and value is not None:
        return Decimal(str(value)).quantize(CENT)
    return value

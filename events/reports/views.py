"""Attendance report pages: the summary, CSV/XLSX exports and SVG charts. Thin: parse, call
`ReportForm.report()` (→ `events.reports.compute.attendance_report`), render."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.permissions import ability_required
from accounts.roles import Ability
from kohtaamo.exports import XLSX_MIME

from .charts import timeline_svg
from .compute import Report
from .documents import (
    breakdown_tables,
    chart_info,
    funder_report_pdf,
    funder_report_xlsx,
    report_charts,
    totals_rows,
)
from .exports import attendance_export
from .final import FinalTables, final_report_tables
from .forms import ReportForm
from .periods import ReportInputError

TEMPLATE = "events/reports/attendance.html"
FUNDER_DOCUMENTS = {
    "pdf": (funder_report_pdf, "application/pdf"),
    "xlsx": (funder_report_xlsx, XLSX_MIME),
}


def _report(form: ReportForm, *, compare: bool = True) -> Report | None:
    if not form.is_valid():
        return None
    try:
        return form.report(compare=compare)
    except ReportInputError as error:
        form.add_error(None, error.message)
        return None


def _page(request: HttpRequest, form: ReportForm, report: Report | None) -> HttpResponse:
    context = {"form": form, **page_context(request, report), **final_context(request, report)}
    return render(request, TEMPLATE, context)


def _final_tables(request: HttpRequest, report: Report | None) -> FinalTables | None:
    """The final report's tables, asked for with `final=1`, made from the request's one
    report (the attendance report is not computed again)."""
    if report is None or request.GET.get("final") != "1":
        return None
    return final_report_tables(report)


def final_context(request: HttpRequest, report: Report | None) -> dict:
    tables = _final_tables(request, report)
    if tables is None:
        return {"final": None, "final_query": _with_final(request)}
    return {"final": tables}


def _with_final(request: HttpRequest) -> str:
    query = request.GET.copy()
    query["final"] = "1"
    return query.urlencode()


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
    return attendance_export(report, fmt=fmt, final=request.GET.get("final") == "1")


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


@require_GET
@ability_required(Ability.VIEW_REPORTS)
def funder_document(request: HttpRequest, fmt: str) -> HttpResponse:
    """The funder's report as a PDF or an XLSX file, in the user's language."""
    form = ReportForm(request.GET)
    report = _report(form)
    if report is None:
        return _page(request, form, None)
    build, content_type = FUNDER_DOCUMENTS[fmt]
    document = build(report, language=get_language(), final=_final_tables(request, report))
    response = HttpResponse(document, content_type=content_type)
    name = f"funder-report-{report.period.start:%Y%m%d}-{report.period.end:%Y%m%d}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def page_context(request: HttpRequest, report: Report | None) -> dict:
    """The page's tables, arranged as the funder's documents arrange them (the same partials)."""
    if report is None:
        return {"report": None}
    query = request.GET.urlencode()
    charts = report_charts(report)
    for chart in charts:
        chart["src"] = f"{reverse('reports:chart', args=[chart['name']])}?{query}"
    return {
        "report": report,
        "query": query,
        "figures": report.figure_labels(),
        "totals_rows": totals_rows(report),
        "tables": breakdown_tables(report),
        "charts": charts,
        "generated_at": date_format(
            timezone.localtime(report.generated_at), "SHORT_DATETIME_FORMAT"
        ),
    }

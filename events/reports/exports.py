"""The attendance report's CSV and XLSX downloads: one function behind the page's export
links (/reports/export.csv, .xlsx) and the API's (/api/v1/reports/attendance/export.csv)."""

from __future__ import annotations

from django.http import HttpResponse

from kohtaamo.exports import csv_response, xlsx_response

from .compute import Report, export_sheets
from .final import final_report_tables, final_sheets

EXPORT_FORMATS = ("csv", "xlsx")


def attendance_export(report: Report, *, fmt: str, final: bool = False) -> HttpResponse:
    """The report as a download: XLSX one sheet per table; CSV the sheets one after another,
    a blank line between. `final`: the final report's tables too (the page's `final=1`)."""
    sheets = export_sheets(report)
    if final:
        sheets += final_sheets(final_report_tables(report))
    name = f"attendance-{report.period.start:%Y%m%d}-{report.period.end:%Y%m%d}"
    if fmt == "xlsx":
        return xlsx_response(filename=f"{name}.xlsx", sheets=sheets)
    _title, header, rows, preamble = sheets[0]
    flat = [[line] for line in preamble] + [list(header)] + list(rows)
    for _title, header, rows, _preamble in sheets[1:]:
        flat += [[], list(header), *rows]
    return csv_response(filename=f"{name}.csv", header=flat[0], rows=flat[1:])

"""CSV and XLSX downloads of tabular data, shared by every export in the site."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.http import HttpResponse
from django.utils.formats import number_format
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _safe_cell(value):
    """Defuse spreadsheet formula injection in text cells (CSV and XLSX)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _csv_cell(value):
    """A CSV cell: text defused, a decimal number with the active language's separator
    (12,5 in Finnish and Swedish: the file is `;`-separated for Excel in those languages,
    where 12.5 would be read as a date). XLSX keeps numbers as numbers."""
    if isinstance(value, float | Decimal):
        return number_format(value, use_l10n=True, force_grouping=False)
    return _safe_cell(value)


def csv_response(*, filename: str, header: Sequence[str], rows: Iterable[Sequence]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # BOM so that Excel opens UTF-8 correctly
    writer = csv.writer(response, delimiter=";")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_csv_cell(v) for v in row])
    return response


Sheet = tuple[str, Sequence[str], Iterable[Sequence], Sequence[str]]


def xlsx_bytes(sheets: Sequence[Sheet]) -> bytes:
    """sheets: (title, header, rows, preamble lines written above the header)."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, header, rows, preamble in sheets:
        sheet = workbook.create_sheet(title=title[:31])
        for line in preamble:
            sheet.append([line])
        sheet.append(list(header))
        for row in rows:
            sheet.append([_safe_cell(v) for v in row])
        for index, name in enumerate(header, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = max(12, len(str(name)) + 2)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_response(*, filename: str, sheets) -> HttpResponse:
    response = HttpResponse(xlsx_bytes(sheets), content_type=XLSX_MIME)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response

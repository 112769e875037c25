"""GET /api/v1/reports/attendance/: the attendance report as JSON (same function as the page);
/api/v1/reports/attendance/export.csv and .xlsx: the page's downloads (events.reports.exports)."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import serializers
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import HasAbility
from accounts.roles import Ability
from kohtaamo.exports import XLSX_MIME

from .exports import attendance_export
from .forms import PERIOD_CHOICES, ReportForm
from .periods import ReportInputError
from .selectors import BREAKDOWNS


class ReportErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


PARAMETERS = [
    OpenApiParameter(
        "period",
        str,
        description="two_months, year, programme or range (default: range when start/end are "
        "given, else the current two-month period).",
        enum=[value for value, _label in PERIOD_CHOICES],
    ),
    OpenApiParameter(
        "two_months",
        int,
        description="1 = January–February … 6 = Nov–Dec.",
        enum=[1, 2, 3, 4, 5, 6],
    ),
    OpenApiParameter("year", int, description="Year of the two-month period or calendar year."),
    OpenApiParameter("start", OpenApiTypes.DATE, description="First day (Helsinki), YYYY-MM-DD."),
    OpenApiParameter("end", OpenApiTypes.DATE, description="Last day (Helsinki), YYYY-MM-DD."),
    OpenApiParameter(
        "breakdown",
        {"type": "array", "items": {"type": "string", "enum": list(BREAKDOWNS)}},
        description="Repeat for several breakdowns (default: kind and theme).",
        explode=True,
        style="form",
    ),
]


class AttendanceReportAPI(APIView):
    permission_classes = [HasAbility(Ability.VIEW_REPORTS)]

    @extend_schema(
        summary="Attendance report",
        description="Counts only, no personal data. The same numbers as /reports/ and its "
        "CSV/XLSX exports.",
        parameters=PARAMETERS,
        responses={
            200: OpenApiResponse(OpenApiTypes.OBJECT, description="The report."),
            400: OpenApiResponse(ReportErrorSerializer, description="Bad parameters."),
            403: OpenApiResponse(description="Not signed in, or no right to see reports."),
        },
    )
    def get(self, request):
        report = _report(request)
        if isinstance(report, Response):
            return report
        return Response(report.as_dict())


def _report(request):
    """The report the query asks for (the page's form), or the 400 answer saying why not."""
    form = ReportForm(request.query_params)
    if not form.is_valid():
        errors = {name: [str(e) for e in errs] for name, errs in form.errors.items()}
        return Response({"detail": form.error_text(), "errors": errors}, status=400)
    try:
        return form.report()
    except ReportInputError as error:
        return Response({"detail": str(error.message), "errors": {}}, status=400)


class FileOrJSONErrors(BaseContentNegotiation):
    """A download is the answer whatever Accept says (text/csv, a spreadsheet's type or
    none); refusals and bad parameters are always JSON."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


FINAL = OpenApiParameter(
    "final", int, enum=[1], description="1: the final report's tables too (as on the page)."
)


def _export_schema(fmt: str, media_type: str):
    return extend_schema_view(
        get=extend_schema(
            operation_id=f"reports_attendance_export_{fmt}",
            summary=f"Attendance report as {fmt.upper()}",
            description=f"The file that /reports/export.{fmt} downloads, made by the same "
            "function from the same parameters. Counts only, no personal data.",
            parameters=[*PARAMETERS, FINAL],
            responses={
                (200, media_type): OpenApiResponse(OpenApiTypes.BINARY, description="The file."),
                400: OpenApiResponse(ReportErrorSerializer, description="Bad parameters."),
                403: OpenApiResponse(description="Not signed in, or no right to see reports."),
            },
        )
    )


class AttendanceExportAPI(APIView):
    permission_classes = [HasAbility(Ability.VIEW_REPORTS)]
    renderer_classes = [JSONRenderer]
    content_negotiation_class = FileOrJSONErrors
    fmt = "csv"

    def get(self, request):
        report = _report(request)
        if isinstance(report, Response):
            return report
        final = request.query_params.get("final") == "1"
        return attendance_export(report, fmt=self.fmt, final=final)


@_export_schema("csv", "text/csv")
class AttendanceCSVAPI(AttendanceExportAPI):
    fmt = "csv"


@_export_schema("xlsx", XLSX_MIME)
class AttendanceXLSXAPI(AttendanceExportAPI):
    fmt = "xlsx"

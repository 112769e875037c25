"""GET /api/v1/reports/attendance/: the attendance report as JSON (same function as the page)."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import HasAbility
from accounts.roles import Ability

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
        form = ReportForm(request.query_params)
        if not form.is_valid():
            errors = {name: [str(e) for e in errs] for name, errs in form.errors.items()}
            return Response({"detail": form.error_text(), "errors": errors}, status=400)
        try:
            report = form.report()
        except ReportInputError as error:
            return Response({"detail": str(error.message), "errors": {}}, status=400)
        return Response(report.as_dict())

"""The signed-in person's own data by API, as the pages /profile/data/ and /profile/delete/.

/api/v1/me/data/     everything the service holds about me (GET; the page's JSON download)
/api/v1/me/delete/   delete my account (POST {"email"}: the page's confirmation)
"""

from __future__ import annotations

from collections.abc import Mapping

from django.contrib.auth import logout
from django.http import HttpResponse
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from .forms import DeleteAccountForm
from .models import AccessChannel
from .services import delete_account, export_personal_data


class DeleteAccountSerializer(serializers.Serializer):
    """accounts.forms.DeleteAccountForm, which checks it (the page's one rule)."""

    email = serializers.EmailField(
        help_text="The e-mail address of your account, typed again to confirm."
    )


class MyDataAPI(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Export my data",
        description="Everything Kohtaamo holds about you: the same JSON as the download on "
        "/profile/data/ (profile, registrations, feedback, memberships, messages, staff "
        "records, audit entries). Each export is written to the access log.",
        responses={
            200: OpenApiResponse(OpenApiTypes.OBJECT, description="Your data."),
            403: OpenApiResponse(description="Not signed in."),
        },
    )
    def get(self, request):
        body = export_personal_data(user=request.user, channel=AccessChannel.API)
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
        response["Cache-Control"] = "private, no-store"
        return response


class DeleteMyAccountAPI(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Delete my account",
        description="The same as /profile/delete/, with the same confirmation: the e-mail "
        "address of the account typed again. Registrations, attendance and memberships stay "
        "as anonymous rows (the totals of past reports do not change); places at coming "
        "events are cancelled. The API token stops working. Cannot be undone.",
        request={"application/json": DeleteAccountSerializer},
        responses={
            204: OpenApiResponse(description="The account was deleted."),
            400: OpenApiResponse(
                description="The confirmation is missing or is not the account's address; "
                "nothing was deleted."
            ),
            403: OpenApiResponse(description="Not signed in."),
        },
    )
    def post(self, request):
        data = request.data if isinstance(request.data, Mapping) else {}
        form = DeleteAccountForm(data, user=request.user)
        if not form.is_valid():  # the API's one error shape (settings' EXCEPTION_HANDLER)
            raise ValidationError(
                {name: [str(e) for e in errs] for name, errs in form.errors.items()}
            )
        delete_account(user=request.user)
        logout(request._request)  # a signed-in session ends, as on the page
        return Response(status=status.HTTP_204_NO_CONTENT)


def register(router) -> None:
    """No viewsets: the endpoints below act on the caller only."""


urlpatterns = [
    path("me/data/", MyDataAPI.as_view(), name="api-me-data"),
    path("me/delete/", DeleteMyAccountAPI.as_view(), name="api-me-delete"),
]

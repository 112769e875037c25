"""The events API (/api/v1/events/, themes, registrations, the attendance report): viewsets
that call the rooms' services and selectors. kohtaamo/api.py mounts it (settings.API_MODULES)."""

from __future__ import annotations

from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle

from accounts.audit import record_access
from accounts.models import AccessChannel
from accounts.permissions import HasAbility
from accounts.roles import Ability, can

from . import selectors
from .attendance import services as attendance_services
from .errors import EventsError
from .models import Event, Presenter, Theme
from .registration import selectors as registration_selectors
from .registration import services as registration_services
from .registration.api import (
    CountsSerializer,
    ErrorSerializer,
    ParticipantsSerializer,
    RegisterInputSerializer,
    RegistrationSerializer,
    RegistrationViewSet,
    domain_error,
)
from .registration.rules import meeting_link
from .reports.api import AttendanceCSVAPI, AttendanceReportAPI, AttendanceXLSXAPI


class ThemeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Theme
        fields = ["id", "title", "slug", "description", "keywords"]


class PresenterSerializer(serializers.ModelSerializer):
    class Meta:
        model = Presenter
        fields = ["id", "name", "title", "organisation"]


class BriefThemeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Theme
        fields = ["id", "title", "slug"]


class AvailabilitySerializer(serializers.Serializer):
    """events.registration.services.RegistrationAvailability, as the event page shows it."""

    may_register = serializers.BooleanField()
    reason = serializers.CharField(
        help_text="Why not: cancelled, not_published, past, drop_in, registered, not_open, "
        "closed, audience or full; empty when the person may register."
    )
    message = serializers.CharField(allow_null=True, help_text="The reason in words.")
    seats_left = serializers.IntegerField(allow_null=True)
    waitlist_open = serializers.BooleanField(help_text="A new registration goes on the waitlist.")
    status = serializers.CharField(help_text="The caller's registration status, if any.")

    def to_representation(self, availability):
        data = super().to_representation(availability)
        data["message"] = str(availability.message) if availability.message else None
        return data


class QuestionsSerializer(serializers.Serializer):
    """Which registration questions the event asks (answers go in register's `answers`)."""

    accessibility_needs = serializers.BooleanField()
    interpretation = serializers.BooleanField()
    diet = serializers.BooleanField()
    question = serializers.CharField(help_text="The organiser's own question; empty: none.")


class EventSerializer(serializers.ModelSerializer):
    title = serializers.CharField(source="display_title", read_only=True)
    questions = serializers.SerializerMethodField()
    theme = BriefThemeSerializer(read_only=True, allow_null=True)
    series = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    presenters = PresenterSerializer(many=True, read_only=True)
    seats_left = serializers.SerializerMethodField()
    availability = serializers.SerializerMethodField()
    meeting_url = serializers.SerializerMethodField()
    my_registration_status = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Event
        fields = [
            "id",
            "title",
            "kind",
            "status",
            "theme",
            "series",
            "presenters",
            "description",
            "starts_at",
            "ends_at",
            "format",
            "place",
            "meeting_url",
            "language",
            "registration_mode",
            "registration_opens_at",
            "registration_closes_at",
            "capacity",
            "seats_left",
            "availability",
            "questions",
            "my_registration_status",
            "url",
        ]

    @extend_schema_field(QuestionsSerializer)
    def get_questions(self, event: Event) -> dict:
        asked = event.asked_questions
        return {
            "accessibility_needs": "accessibility_needs" in asked,
            "interpretation": "interpretation" in asked,
            "diet": "diet" in asked,
            "question": event.custom_question,
        }

    def get_seats_left(self, event: Event) -> int | None:
        return registration_selectors.seats_left(event)

    @extend_schema_field(AvailabilitySerializer)
    def get_availability(self, event: Event) -> dict:
        """May the caller register now (events.registration.services.registration_availability)."""
        request = self.context.get("request")
        availability = registration_services.registration_availability(
            event=event, person=request.user if request else None
        )
        return AvailabilitySerializer(availability).data

    def get_meeting_url(self, event: Event) -> str | None:
        """The link if the caller may see it (events/registration/rules.py), else null."""
        request = self.context.get("request")
        return meeting_link(
            event=event,
            person=request.user if request else None,
            registration=getattr(event, "my_status", None),
        )

    def get_my_registration_status(self, event: Event) -> str | None:
        mine = getattr(event, "my_status", None)
        return mine or None

    def get_url(self, event: Event) -> str:
        request = self.context.get("request")
        path = event.get_absolute_url()
        return request.build_absolute_uri(path) if request else path


class AttendanceInputSerializer(serializers.Serializer):
    registrations = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, allow_empty=False
    )
    attended = serializers.BooleanField(required=False)
    headcount = serializers.IntegerField(min_value=0, required=False, allow_null=True)

    def validate(self, attrs):
        if "registrations" in attrs and "attended" not in attrs:
            raise ValidationError({"attended": _("Say whether they attended (true or false).")})
        if "registrations" not in attrs and "headcount" not in attrs:
            raise ValidationError(_("Give either registrations and attended, or a headcount."))
        return attrs


class AttendanceResultSerializer(serializers.Serializer):
    changed = serializers.IntegerField()
    counts = CountsSerializer()


FILTER_PARAMETERS = [
    OpenApiParameter("kind", OpenApiTypes.STR, description="Kind of event"),
    OpenApiParameter("theme", OpenApiTypes.STR, description="Theme slug or id"),
    OpenApiParameter("series", OpenApiTypes.STR, description="Series slug or id"),
    OpenApiParameter("format", OpenApiTypes.STR, description="online, in_person or hybrid"),
    OpenApiParameter(
        "from",
        OpenApiTypes.DATE,
        description="First day (YYYY-MM-DD). Without from/to only upcoming events are listed.",
    ),
    OpenApiParameter("to", OpenApiTypes.DATE, description="Last day (YYYY-MM-DD)"),
    OpenApiParameter("q", OpenApiTypes.STR, description="Free text"),
]


@extend_schema_view(
    list=extend_schema(
        parameters=FILTER_PARAMETERS,
        responses={
            200: EventSerializer(many=True),
            400: OpenApiResponse(description="A filter's value is not valid (errors by name)."),
        },
    )
)
class EventViewSet(viewsets.ReadOnlyModelViewSet):
    """Published events (network-only ones for their members) with the list page's filters."""

    serializer_class = EventSerializer
    filter_backends: list = []
    throttle_scope = "registration"  # used only by actions with ScopedRateThrottle
    queryset = Event.objects.none()

    def get_queryset(self):
        user = self.request.user
        if can(user, Ability.MANAGE_EVENTS) and self.action != "list":
            events = Event.objects.all()
        else:
            events = selectors.visible_events(user=user)
        if self.action == "register":
            # `register` locks and reads the row itself: only who may see it matters here.
            return events
        events = selectors.with_availability(
            events.select_related("theme", "series").prefetch_related("presenters"), user=user
        ).order_by("starts_at", "pk")
        if self.action == "list":
            params = self.request.query_params
            if not (params.get("from") or params.get("to")):
                events = events.filter(ends_at__gte=timezone.now())
            try:
                events = selectors.filter_events(events, params)
            except selectors.InvalidFilterError as error:
                raise ValidationError({error.field: [str(error.message)]}) from error
        return events

    def _event_to_register_for(self) -> Event:
        """`get_object` for `register`, asking for the caller's roles (a query) only when the
        event is not one everyone may see: the same answer, one query fewer for most."""
        # Only the pk: `register_person` reads the row again under its lock.
        visible = selectors.visible_events(user=self.request.user).only("pk")
        pk = self.kwargs["pk"]
        event = visible.filter(pk=pk).first() if pk.isdigit() else None
        if event is None:
            event = self.get_object()
        self.check_object_permissions(self.request, event)
        return event

    @extend_schema(
        request=RegisterInputSerializer,
        responses={200: RegistrationSerializer, 201: RegistrationSerializer, 400: ErrorSerializer},
        description="Register the signed-in person (confirmed or waitlisted at once), with "
        "optional `answers` to the event's `questions`. A second call returns the existing "
        "registration with 200.",
    )
    @action(
        detail=True,
        methods=["post"],
        permission_classes=[IsAuthenticated],
        throttle_classes=[ScopedRateThrottle],
    )
    def register(self, request, pk=None):
        event = self._event_to_register_for()
        payload = RegisterInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        answers = payload.validated_data.get("answers")
        try:
            outcome = registration_services.register_person(
                event=event,
                person=request.user,
                answers=registration_services.RegistrationAnswers(**answers) if answers else None,
            )
        except EventsError as error:
            return domain_error(error)
        registration = outcome.registration
        code = status.HTTP_201_CREATED if outcome.created else status.HTTP_200_OK
        return Response(RegistrationSerializer(registration).data, status=code)

    @extend_schema(responses={200: ParticipantsSerializer})
    @action(
        detail=True,
        methods=["get"],
        permission_classes=[HasAbility(Ability.VIEW_PARTICIPANTS)],
        pagination_class=None,
    )
    def participants(self, request, pk=None):
        event = self.get_object()
        registrations = list(registration_selectors.participants(event=event))
        counts = registration_selectors.registration_counts(
            event=event, registrations=registrations
        )
        data = {"counts": counts, "participants": registrations}
        record_access(
            actor=request.user,
            action="participants.viewed",
            target=event,
            count=len(registrations),
            channel=AccessChannel.API,
        )
        return Response(ParticipantsSerializer(data).data)

    @extend_schema(
        methods=["GET"], request=None, responses={200: CountsSerializer}, description="Counts."
    )
    @extend_schema(
        methods=["POST"],
        request=AttendanceInputSerializer,
        responses={200: AttendanceResultSerializer, 400: ErrorSerializer},
        description="Mark registrations attended or not, or record a drop-in headcount.",
    )
    @action(
        detail=True,
        methods=["get", "post"],
        permission_classes=[HasAbility(Ability.MANAGE_ATTENDANCE)],
        pagination_class=None,
    )
    def attendance(self, request, pk=None):
        event = self.get_object()
        changed = 0
        if request.method == "POST":
            payload = AttendanceInputSerializer(data=request.data)
            payload.is_valid(raise_exception=True)
            data = payload.validated_data
            try:
                if "registrations" in data:
                    chosen = event.registrations.filter(pk__in=data["registrations"])
                    changed = attendance_services.mark_attendance(
                        registrations=chosen, attended=data["attended"], by=request.user
                    )
                if "headcount" in data:
                    attendance_services.record_headcount(
                        event=event, headcount=data["headcount"], by=request.user
                    )
                    changed += 1
            except EventsError as error:
                return domain_error(error)
        registrations = list(registration_selectors.participants(event=event))
        counts = registration_selectors.registration_counts(
            event=event, registrations=registrations
        )
        if request.method == "GET":
            return Response(CountsSerializer(counts).data)
        return Response(AttendanceResultSerializer({"changed": changed, "counts": counts}).data)


class ThemeViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ThemeSerializer
    queryset = Theme.objects.order_by("title")
    filter_backends: list = []


def register(router) -> None:
    router.register("events", EventViewSet, basename="event")
    router.register("themes", ThemeViewSet, basename="theme")
    router.register("registrations", RegistrationViewSet, basename="registration")


urlpatterns = [
    path(
        "reports/attendance/",
        AttendanceReportAPI.as_view(),
        name="api-reports-attendance",
    ),
    path(
        "reports/attendance/export.csv",
        AttendanceCSVAPI.as_view(),
        name="api-reports-attendance-csv",
    ),
    path(
        "reports/attendance/export.xlsx",
        AttendanceXLSXAPI.as_view(),
        name="api-reports-attendance-xlsx",
    ),
]

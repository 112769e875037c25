"""The registration part of the API: serializers, the registrations endpoint and the
domain-error answer shared by the events API."""

from __future__ import annotations

from drf_spectacular.utils import (
    extend_schema,
    extend_schema_field,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle

from ..errors import EventsError
from ..models import ANSWER_FIELDS, InterpretationNeed, Registration
from . import services


class RegistrationSerializer(serializers.ModelSerializer):
    event_title = serializers.CharField(source="event.display_title", read_only=True)
    event_starts_at = serializers.DateTimeField(source="event.starts_at", read_only=True)

    class Meta:
        model = Registration
        fields = [
            "id",
            "event",
            "event_title",
            "event_starts_at",
            "status",
            "created_at",
            "confirmed_at",
            "cancelled_at",
            "attended",
        ]
        read_only_fields = fields


class AnswersSerializer(serializers.Serializer):
    """Answers to the event's registration questions (all optional; answers to questions
    the event does not ask are not stored)."""

    accessibility_needs = serializers.CharField(
        required=False, allow_blank=True, max_length=services.ANSWER_LIMITS["accessibility_needs"]
    )
    interpretation = serializers.ChoiceField(
        choices=InterpretationNeed.choices, required=False, allow_blank=True
    )
    diet = serializers.CharField(
        required=False, allow_blank=True, max_length=services.ANSWER_LIMITS["diet"]
    )
    question_answer = serializers.CharField(
        required=False, allow_blank=True, max_length=services.ANSWER_LIMITS["question_answer"]
    )

    def answers(self) -> services.RegistrationAnswers:
        return services.RegistrationAnswers(**self.validated_data)


class RegisterInputSerializer(serializers.Serializer):
    answers = AnswersSerializer(required=False)


class ParticipantSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="display_name", read_only=True)
    organisation = serializers.SerializerMethodField()
    is_guest = serializers.BooleanField(read_only=True)
    answers = serializers.SerializerMethodField()

    class Meta:
        model = Registration
        fields = [
            "id",
            "name",
            "email",
            "organisation",
            "status",
            "is_guest",
            "created_at",
            "attended",
            "attendance_source",
            "answers",
        ]
        read_only_fields = fields

    @extend_schema_field(AnswersSerializer)
    def get_answers(self, registration: Registration) -> dict[str, str]:
        """Answers to the registration questions (only those who see the list see them)."""
        return {name: getattr(registration, name) for name in ANSWER_FIELDS}

    def get_organisation(self, registration: Registration) -> str:
        if registration.organisation_id:
            return registration.organisation.name
        return registration.organisation_name


class CountsSerializer(serializers.Serializer):
    registered = serializers.IntegerField()
    confirmed = serializers.IntegerField()
    waitlisted = serializers.IntegerField()
    pending = serializers.IntegerField()
    cancelled = serializers.IntegerField()
    attended = serializers.IntegerField()
    no_shows = serializers.IntegerField()
    headcount = serializers.IntegerField(allow_null=True)
    anonymous_attendees = serializers.IntegerField()


class ParticipantsSerializer(serializers.Serializer):
    counts = CountsSerializer()
    participants = ParticipantSerializer(many=True)


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


def domain_error(error: EventsError) -> Response:
    body = {"detail": str(error.message)}
    if isinstance(error, services.RegistrationClosedError):
        body["reason"] = error.reason
    return Response(body, status=status.HTTP_400_BAD_REQUEST)


class RegistrationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The signed-in person's own registrations (another person's id answers 404)."""

    serializer_class = RegistrationSerializer
    permission_classes = [IsAuthenticated]
    filter_backends: list = []
    throttle_scope = "registration"  # used only by actions with ScopedRateThrottle
    queryset = Registration.objects.none()

    def get_queryset(self):
        if not self.request.user.is_authenticated:
            return Registration.objects.none()
        return (
            Registration.objects.filter(user=self.request.user)
            .select_related("event__theme")
            .order_by("-event__starts_at", "pk")
        )

    @extend_schema(
        request=None,
        responses={200: RegistrationSerializer, 400: ErrorSerializer},
        description="Cancel one of your own registrations; the first on the waitlist "
        "gets the seat.",
    )
    @action(
        detail=True,
        methods=["post"],
        throttle_classes=[ScopedRateThrottle],
    )
    def cancel(self, request, pk=None):
        registration = self.get_object()
        try:
            registration = services.cancel_registration(registration=registration, by=request.user)
        except EventsError as error:
            return domain_error(error)
        return Response(RegistrationSerializer(registration).data)

"""API of recordings: full status and findings for staff, published recordings for everyone."""

from __future__ import annotations

from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from accessibility import services as access
from accessibility.checks import message_for, rule_name
from accessibility.compliance import compliance_of
from accessibility.models import CaptionPolicy
from accounts.permissions import HasAbility
from accounts.roles import Ability

from . import selectors
from .models import CaptionTrack, Recording
from .templatetags.recordings_tags import embed_url

urlpatterns: list = []


class FindingSerializer(serializers.Serializer):
    severity = serializers.CharField()
    code = serializers.CharField()
    message = serializers.CharField()
    time = serializers.CharField(allow_blank=True)
    line = serializers.IntegerField(allow_null=True)


def _finding(f: dict) -> dict:
    return {
        "severity": f.get("severity", ""),
        "code": f.get("code", ""),
        "message": message_for(f.get("code", ""), f.get("params") or {}),
        "time": f.get("time", ""),
        "line": f.get("line"),
    }


class FindingGroupSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    severity = serializers.CharField()
    count = serializers.IntegerField()
    errors = serializers.IntegerField()
    warnings = serializers.IntegerField()
    examples = FindingSerializer(many=True)


class TrackSerializer(serializers.ModelSerializer):
    """A track with counts and its findings grouped by rule (the stored summary, a few
    examples each); every finding is behind `findings_url`, 100 a page."""

    findings_summary = serializers.SerializerMethodField()
    findings_url = serializers.SerializerMethodField()

    class Meta:
        model = CaptionTrack
        fields = [
            "id",
            "language",
            "kind",
            "source",
            "status",
            "error_count",
            "warning_count",
            "coverage",
            "checked_at",
            "reviewed_at",
            "findings_summary",
            "findings_url",
        ]

    @extend_schema(responses=FindingGroupSerializer(many=True))
    def get_findings_summary(self, track) -> list[dict]:
        return [
            {
                "code": group.get("code", ""),
                "name": str(rule_name(group.get("code", ""))),
                "severity": group.get("severity", ""),
                "count": group.get("count", 0),
                "errors": group.get("errors", 0),
                "warnings": group.get("warnings", 0),
                "examples": [
                    _finding({**example, "code": group.get("code", "")})
                    for example in group.get("examples", [])
                ],
            }
            for group in track.findings_summary or []
        ]

    def get_findings_url(self, track) -> str:
        path = reverse("recording-findings", args=[track.recording_id, track.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class FindingsPagination(PageNumberPagination):
    page_size = 100


class FindingsPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = FindingSerializer(many=True)


class ComplianceSerializer(serializers.Serializer):
    status = serializers.CharField()
    label = serializers.CharField()
    languages = serializers.DictField(child=serializers.CharField())
    deadline = serializers.DateField(allow_null=True)
    days_left = serializers.IntegerField(allow_null=True)
    deadline_state = serializers.CharField(allow_blank=True)
    reasons = serializers.ListField(child=serializers.CharField())


class RecordingSerializer(serializers.ModelSerializer):
    compliance = serializers.SerializerMethodField()
    tracks = TrackSerializer(many=True, read_only=True)
    caption_cost = serializers.SerializerMethodField()

    class Meta:
        model = Recording
        fields = [
            "id",
            "event",
            "url",
            "video_id",
            "title",
            "duration_seconds",
            "recorded_on",
            "uploaded_on",
            "is_live_recording",
            "availability",
            "publication_state",
            "published_at",
            "view_count",
            "views_read_at",
            "last_error",
            "compliance",
            "caption_cost",
            "tracks",
        ]

    @extend_schema(responses=ComplianceSerializer)
    def get_compliance(self, recording) -> dict:
        result = compliance_of(
            recording, policy=self.context["policy"], today=self.context["today"]
        )
        return {
            "status": result.status,
            "label": result.label,
            "languages": result.languages,
            "deadline": result.deadline,
            "days_left": result.days_left,
            "deadline_state": result.deadline_state,
            "reasons": result.reasons(),
        }

    def get_caption_cost(self, recording) -> str:
        return str(sum((o.total for o in recording.orders.all()), 0))


class PublishSerializer(serializers.Serializer):
    override_reason = serializers.CharField(required=False, allow_blank=True)


class RecordingViewSet(viewsets.ReadOnlyModelViewSet):
    """Staff: every recording with its compliance status, tracks and check findings."""

    serializer_class = RecordingSerializer
    permission_classes = [HasAbility(Ability.MANAGE_RECORDINGS)]

    def get_queryset(self):
        return selectors.recordings_for_api()

    def get_serializer_context(self):
        return {
            **super().get_serializer_context(),
            "policy": CaptionPolicy.load(),
            "today": timezone.localdate(),
        }

    @extend_schema(request=PublishSerializer, responses=RecordingSerializer)
    @action(
        detail=True, methods=["post"], permission_classes=[HasAbility(Ability.PUBLISH_RECORDINGS)]
    )
    def publish(self, request, pk=None):
        """Publish through the gate; 400 with the reasons when it does not comply."""
        recording = self.get_object()
        data = PublishSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            access.publish(
                recording=recording,
                by=request.user,
                override_reason=data.validated_data.get("override_reason") or None,
            )
        except access.PublicationBlockedError as exc:
            return Response(
                {"detail": " ".join(exc.reasons), "reasons": exc.reasons},
                status=status.HTTP_400_BAD_REQUEST,
            )
        recording = self.get_queryset().get(pk=recording.pk)
        return Response(self.get_serializer(recording).data)

    @extend_schema(
        parameters=[
            OpenApiParameter("track_pk", OpenApiTypes.INT, OpenApiParameter.PATH),
            OpenApiParameter("rule", OpenApiTypes.STR, description="Only this rule's findings"),
            OpenApiParameter("page", OpenApiTypes.INT),
        ],
        responses=FindingsPageSerializer,
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=r"tracks/(?P<track_pk>[0-9]+)/findings",
        url_name="findings",
    )
    def findings(self, request, pk=None, track_pk=None):
        """Every finding of one track, 100 a page; `?rule=<code>` for one rule."""
        try:
            track = selectors.track_with_findings(recording_pk=int(pk), track_pk=int(track_pk))
        except (CaptionTrack.DoesNotExist, ValueError) as exc:
            raise Http404 from exc
        rule = request.query_params.get("rule", "")
        rows = [f for f in track.findings or [] if not rule or f.get("code") == rule]
        paginator = FindingsPagination()
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response([_finding(f) for f in page])


class PublishedRecordingSerializer(serializers.ModelSerializer):
    embed_url = serializers.SerializerMethodField()
    transcript_url = serializers.SerializerMethodField()
    event_title = serializers.SerializerMethodField()

    class Meta:
        model = Recording
        fields = [
            "id",
            "title",
            "event",
            "event_title",
            "url",
            "recorded_on",
            "duration_seconds",
            "embed_url",
            "transcript_url",
        ]

    def get_embed_url(self, recording) -> str:
        return embed_url(recording)

    def get_transcript_url(self, recording) -> str:
        return reverse("recordings:transcript", args=[recording.pk])

    def get_event_title(self, recording) -> str:
        return recording.event.display_title if recording.event else ""


class PublishedRecordingViewSet(viewsets.ReadOnlyModelViewSet):
    """Everyone: recordings published in Kohtaamo (they passed the caption gate)."""

    serializer_class = PublishedRecordingSerializer
    permission_classes = [AllowAny]

    def get_queryset(self):
        return selectors.published_recordings()


def register(router) -> None:
    router.register("recordings", RecordingViewSet, basename="recording")
    router.register(
        "published-recordings", PublishedRecordingViewSet, basename="published-recording"
    )

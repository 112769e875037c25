"""API of recordings: full status and findings for staff, published recordings for everyone.

Staff (MANAGE_RECORDINGS) also write what the recording page writes, through its services:
POST /api/v1/recordings/<id>/tracks/                        upload a caption file
POST /api/v1/recordings/<id>/tracks/<track_id>/review/      start the review, or approve
POST /api/v1/recordings/<id>/orders/                        record a caption order
POST /api/v1/recordings/<id>/orders/<order_id>/delivery/    the vendor's file for an order
"""

from __future__ import annotations

from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.generics import get_object_or_404
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from accessibility import services as access
from accessibility.checks import message_for, rule_name
from accessibility.compliance import compliance_of
from accessibility.models import CaptionPolicy
from accounts.permissions import HasAbility
from accounts.roles import Ability

from . import selectors, services
from .forms import CaptionUploadForm, DeliveryForm, OrderForm
from .models import CaptionOrder, CaptionTrack, Recording
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


class CaptionUploadSerializer(serializers.Serializer):
    """recordings.forms.CaptionUploadForm, which checks it (the page's rules)."""

    language = serializers.CharField(help_text="fi, sv, en … (the page's choices).")
    file = serializers.FileField(help_text="WebVTT (.vtt) or SubRip (.srt), UTF-8, at most 2 MB.")


class DeliverySerializer(serializers.Serializer):
    """recordings.forms.DeliveryForm."""

    file = serializers.FileField(help_text="WebVTT (.vtt) or SubRip (.srt), UTF-8, at most 2 MB.")


class ReviewSerializer(serializers.Serializer):
    action = serializers.ChoiceField(
        choices=[("review", "review"), ("approve", "approve")],
        help_text="review: the captions are in review; approve: a person watched the video "
        "with them and accepts them.",
    )
    expected_version = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        help_text="approve: the version number you reviewed; when the captions have changed "
        "since, nothing is approved.",
    )


class OrderInputSerializer(serializers.Serializer):
    """recordings.forms.OrderForm, which checks it."""

    vendor = serializers.CharField(max_length=200)
    language = serializers.CharField(required=False, default="fi")
    due_on = serializers.DateField(required=False, allow_null=True)
    minutes = serializers.DecimalField(
        max_digits=8,
        decimal_places=2,
        required=False,
        allow_null=True,
        help_text="Leave out to use the video's duration.",
    )
    price_per_minute = serializers.DecimalField(max_digits=8, decimal_places=2)


class CaptionOrderSerializer(serializers.ModelSerializer):
    total = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)

    class Meta:
        model = CaptionOrder
        fields = [
            "id",
            "recording",
            "vendor",
            "language",
            "ordered_on",
            "due_on",
            "delivered_on",
            "minutes",
            "price_per_minute",
            "total",
        ]
        read_only_fields = fields


def _form_errors(form) -> ValidationError:
    """A page form's errors as the API's validation error (field: messages)."""
    return ValidationError({name: [str(e) for e in errs] for name, errs in form.errors.items()})


def _answer(error: services.RecordingError) -> Response:
    """A refused file: its reasons by field, as the page shows them; any other refusal: why."""
    if isinstance(error, services.CaptionFileRejectedError):
        raise ValidationError({"file": [str(m) for m in error.messages]})
    return Response({"detail": str(error.message)}, status=status.HTTP_400_BAD_REQUEST)


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

    def _recording(self) -> Recording:
        return get_object_or_404(Recording.objects.all(), pk=self.kwargs["pk"])

    def _track_answer(self, track: CaptionTrack, code: int = status.HTTP_200_OK) -> Response:
        track = CaptionTrack.objects.get(pk=track.pk)
        return Response(TrackSerializer(track, context={"request": self.request}).data, code)

    @extend_schema(
        summary="Upload a caption file",
        description="The same as the recording page's upload: the file is checked and stored "
        "as the language's human track (a new version when one exists); its findings are in "
        "the answer. A file that cannot be read is refused with the reasons, nothing stored.",
        request={"multipart/form-data": CaptionUploadSerializer},
        responses={201: TrackSerializer, 400: OpenApiResponse(description="The file is refused.")},
    )
    @action(detail=True, methods=["post"])
    def tracks(self, request, pk=None):
        recording = self._recording()
        form = CaptionUploadForm(request.data, request.FILES)
        if not form.is_valid():
            raise _form_errors(form)
        upload = form.cleaned_data["file"]
        try:
            track = services.store_track(
                recording=recording,
                language=form.cleaned_data["language"],
                content=upload.read(),
                file_name=upload.name,
                by=request.user,
            )
        except services.RecordingError as error:
            return _answer(error)
        return self._track_answer(track, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Start the review of captions, or approve them",
        description="The recording page's review buttons. Only human captions without errors "
        "can be approved; with `expected_version`, only the version you reviewed.",
        parameters=[OpenApiParameter("track_pk", OpenApiTypes.INT, OpenApiParameter.PATH)],
        request={"application/json": ReviewSerializer},
        responses={200: TrackSerializer, 400: OpenApiResponse(description="Refused: why.")},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"tracks/(?P<track_pk>[0-9]+)/review",
        url_name="review",
    )
    def review(self, request, pk=None, track_pk=None):
        # The recording first: a foreign-key lookup has no guard against ids out of range.
        track = get_object_or_404(self._recording().tracks.all(), pk=track_pk)
        data = ReviewSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            if data.validated_data["action"] == "approve":
                services.approve_track(
                    track=track,
                    by=request.user,
                    expected_version=data.validated_data.get("expected_version"),
                )
            else:
                services.start_review(track=track, by=request.user)
        except services.RecordingError as error:
            return _answer(error)
        return self._track_answer(track)

    @extend_schema(
        summary="Record a caption order",
        description="The recording page's order form: the vendor, the language, the price "
        "per minute and (left out) the video's duration as minutes.",
        request={"application/json": OrderInputSerializer},
        responses={201: CaptionOrderSerializer, 400: OpenApiResponse(description="Why not.")},
    )
    @action(detail=True, methods=["post"])
    def orders(self, request, pk=None):
        recording = self._recording()
        form = OrderForm(request.data if isinstance(request.data, dict) else {})
        if not form.is_valid():
            raise _form_errors(form)
        try:
            order = services.order_captions(
                recording=recording, by=request.user, **form.cleaned_data
            )
        except services.RecordingError as error:
            return _answer(error)
        return Response(CaptionOrderSerializer(order).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Deliver an order's caption file",
        description="The vendor's file for an order: the same checks as any upload, stored "
        "as a vendor track of the order's language; the order is marked delivered.",
        parameters=[OpenApiParameter("order_pk", OpenApiTypes.INT, OpenApiParameter.PATH)],
        request={"multipart/form-data": DeliverySerializer},
        responses={201: TrackSerializer, 400: OpenApiResponse(description="The file is refused.")},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"orders/(?P<order_pk>[0-9]+)/delivery",
        url_name="delivery",
    )
    def delivery(self, request, pk=None, order_pk=None):
        order = get_object_or_404(
            CaptionOrder.objects.filter(recording=self._recording()), pk=order_pk
        )
        form = DeliveryForm(request.data, request.FILES)
        if not form.is_valid():
            raise _form_errors(form)
        upload = form.cleaned_data["file"]
        try:
            track = services.deliver_order(
                order=order, content=upload.read(), file_name=upload.name, by=request.user
            )
        except services.RecordingError as error:
            return _answer(error)
        return self._track_answer(track, status.HTTP_201_CREATED)

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

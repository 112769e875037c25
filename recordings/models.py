"""Recordings of events, their caption tracks and caption orders."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accessibility.checks import group_findings


class Availability(models.TextChoices):
    UNKNOWN = "", _("Not read yet")
    PUBLIC = "public", _("Public")
    UNLISTED = "unlisted", _("Unlisted")
    PRIVATE = "private", _("Private")
    UNAVAILABLE = "unavailable", _("Not available")


class PublicationState(models.TextChoices):
    NOT_PUBLISHED = "not_published", _("Not published")
    PUBLISHED = "published", _("Published")


class ErrorKind(models.TextChoices):
    NONE = "", _("No error")
    NEEDS_PERSON = "needs_person", _("Needs a person (private, removed or login required)")
    TEMPORARY = "temporary", _("Temporary (network or platform), retried")


class Recording(models.Model):
    event = models.ForeignKey(
        "events.Event",
        verbose_name=_("event"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="recordings",
    )
    url = models.URLField(_("video address"), max_length=500)
    video_id = models.CharField(_("video id on the platform"), max_length=100, blank=True)
    platform = models.CharField(_("platform"), max_length=50, blank=True)
    title = models.CharField(_("title"), max_length=300, blank=True)
    duration_seconds = models.PositiveIntegerField(_("duration (s)"), null=True, blank=True)
    recorded_on = models.DateField(_("recorded on"), null=True, blank=True)
    uploaded_on = models.DateField(_("uploaded on"), null=True, blank=True)
    is_live_recording = models.BooleanField(
        _("recording of a live broadcast"),
        default=True,
        help_text=_("Recordings of live sessions may be captioned within the deadline."),
    )
    availability = models.CharField(
        _("availability on the platform"), max_length=20, choices=Availability.choices, blank=True
    )
    publication_state = models.CharField(
        _("publication in Kohtaamo"),
        max_length=20,
        choices=PublicationState.choices,
        default=PublicationState.NOT_PUBLISHED,
        db_index=True,
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    override_reason = models.TextField(_("reason for publishing without compliance"), blank=True)
    view_count = models.PositiveIntegerField(_("views"), null=True, blank=True)
    views_read_at = models.DateTimeField(_("views read"), null=True, blank=True)
    last_synced_at = models.DateTimeField(_("last read from the platform"), null=True, blank=True)
    last_error = models.TextField(_("last error from the platform"), blank=True)
    last_error_kind = models.CharField(
        _("kind of the last error"), max_length=20, choices=ErrorKind.choices, blank=True
    )
    deadline_alert_sent_on = models.DateField(_("deadline alert sent"), null=True, blank=True)
    platform_info = models.JSONField(_("platform metadata"), default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("recording")
        verbose_name_plural = _("recordings")
        ordering = ["-recorded_on", "-pk"]

    def __str__(self) -> str:
        return self.title or self.url


class TrackKind(models.TextChoices):
    HUMAN = "human", _("Made by a person")
    AUTOMATIC = "automatic", _("Automatic")


class TrackSource(models.TextChoices):
    UPLOADED = "uploaded", _("Uploaded")
    PLATFORM = "platform", _("From the platform")
    VENDOR = "vendor", _("From the vendor")


class TrackStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    IN_REVIEW = "in_review", _("In review")
    APPROVED = "approved", _("Approved")


class CaptionTrack(models.Model):
    recording = models.ForeignKey(Recording, on_delete=models.CASCADE, related_name="tracks")
    language = models.CharField(_("language"), max_length=15)
    kind = models.CharField(
        _("kind"), max_length=20, choices=TrackKind.choices, default=TrackKind.HUMAN
    )
    source = models.CharField(
        _("source"), max_length=20, choices=TrackSource.choices, default=TrackSource.UPLOADED
    )
    status = models.CharField(
        _("status"), max_length=20, choices=TrackStatus.choices, default=TrackStatus.RECEIVED
    )
    vtt = models.TextField(_("WebVTT content"), blank=True)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    findings = models.JSONField(_("check findings"), default=list, blank=True)
    # The findings grouped by rule with the first few of each (`checks.group_findings`):
    # what the recording page shows, so that it never loads a long findings list. Kept in
    # step with `findings` by save().
    findings_summary = models.JSONField(_("check findings by rule"), default=list, blank=True)
    error_count = models.PositiveIntegerField(default=0)
    warning_count = models.PositiveIntegerField(default=0)
    coverage = models.FloatField(_("coverage"), null=True, blank=True)
    checked_at = models.DateTimeField(_("checked"), null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    order = models.ForeignKey(
        "CaptionOrder",
        verbose_name=_("caption order"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tracks",
    )
    # The newest version (its text is `vtt`) and the version a person approved. Both are
    # kept by recordings.services; `version_count` is the newest version's number, so pages
    # can show "Versions (n)" without a query per track.
    current_version = models.ForeignKey(
        "CaptionTrackVersion",
        verbose_name=_("current version"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_version = models.ForeignKey(
        "CaptionTrackVersion",
        verbose_name=_("approved version"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    version_count = models.PositiveIntegerField(_("versions"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("caption track")
        verbose_name_plural = _("caption tracks")
        ordering = ["recording", "language", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["recording", "language", "kind"], name="one_track_per_language_and_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recording} [{self.language}, {self.get_kind_display()}]"

    def save(self, *args, **kwargs) -> None:
        """The summary follows the findings whenever they are saved (never when deferred)."""
        update_fields = kwargs.get("update_fields")
        if "findings" not in self.get_deferred_fields() and (
            update_fields is None or "findings" in update_fields
        ):
            self.findings_summary = group_findings(self.findings or [])
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "findings_summary"}
        super().save(*args, **kwargs)

    @property
    def approved_version_number(self) -> int | None:
        """The number of the approved version while the track is approved (no query).

        Any new version resets the approval, so an approved track's approved version is its
        current one."""
        if self.status != TrackStatus.APPROVED or self.approved_version_id is None:
            return None
        if self.approved_version_id != self.current_version_id:
            return None
        return self.version_count


class VersionKind(models.TextChoices):
    UPLOADED = "uploaded", _("Uploaded")
    DELIVERED = "delivered", _("Delivered by the vendor")
    PLATFORM = "platform", _("From the platform")
    EDITED = "edited", _("Edited")
    RESTORED = "restored", _("Restored")


# The version kind of a stored file, by the track's source.
VERSION_KIND_OF_SOURCE = {
    TrackSource.UPLOADED: VersionKind.UPLOADED,
    TrackSource.VENDOR: VersionKind.DELIVERED,
    TrackSource.PLATFORM: VersionKind.PLATFORM,
}


class CaptionTrackVersion(models.Model):
    """One state of a human track's text: who made it, when and why. Never changed."""

    track = models.ForeignKey(CaptionTrack, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("number"))
    kind = models.CharField(_("kind"), max_length=20, choices=VersionKind.choices)
    note = models.CharField(_("reason"), max_length=300, blank=True)
    vtt = models.TextField(_("WebVTT content"))
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("made by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    made_at = models.DateTimeField(_("made"), default=timezone.now)
    error_count = models.PositiveIntegerField(default=0)
    warning_count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("caption track version")
        verbose_name_plural = _("caption track versions")
        ordering = ["track", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["track", "number"], name="one_version_number_per_track"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.track_id} v{self.number}"


class CaptionOrder(models.Model):
    recording = models.ForeignKey(Recording, on_delete=models.CASCADE, related_name="orders")
    vendor = models.CharField(_("vendor"), max_length=200)
    language = models.CharField(_("language"), max_length=15, default="fi")
    ordered_on = models.DateField(_("ordered on"))
    due_on = models.DateField(_("due"), null=True, blank=True)
    delivered_on = models.DateField(_("delivered on"), null=True, blank=True)
    minutes = models.DecimalField(_("minutes"), max_digits=8, decimal_places=2)
    price_per_minute = models.DecimalField(
        _("price per minute (€)"), max_digits=8, decimal_places=2, default=Decimal("3.20")
    )
    ordered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("caption order")
        verbose_name_plural = _("caption orders")
        ordering = ["-ordered_on"]
        constraints = [
            models.CheckConstraint(condition=Q(minutes__gt=0), name="order_minutes_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.vendor} {self.ordered_on}"

    @property
    def total(self) -> Decimal:
        return (self.minutes * self.price_per_minute).quantize(Decimal("0.01"))

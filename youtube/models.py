"""The connected channel (one row) and the day's quota ledger."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from . import crypto

SINGLETON_ID = 1


class ChannelConnection(models.Model):
    """The county's channel, connected once by an administrator.

    Only one row (id 1). The refresh token is stored encrypted (``crypto``, Fernet under
    YOUTUBE_TOKEN_KEY), never in plain text, and never logged. ``revoked_at`` is set when an
    administrator disconnects or when Google no longer accepts the token (invalid_grant): the
    channel must then be connected again.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON_ID, editable=False)
    channel_id = models.CharField(_("channel id"), max_length=64, blank=True)
    channel_title = models.CharField(_("channel title"), max_length=200, blank=True)
    encrypted_refresh_token = models.TextField(blank=True, editable=False)
    scopes = models.JSONField(_("scopes"), default=list, blank=True)
    connected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("connected by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    connected_at = models.DateTimeField(_("connected at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("YouTube channel connection")
        verbose_name_plural = _("YouTube channel connections")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(id=SINGLETON_ID), name="youtube_single_channel_connection"
            )
        ]

    def __str__(self) -> str:
        return self.channel_title or self.channel_id or "YouTube"

    def __repr__(self) -> str:  # never the token
        return f"<ChannelConnection {self.channel_id!r} active={self.is_active}>"

    @classmethod
    def current(cls) -> ChannelConnection | None:
        return cls.objects.filter(pk=SINGLETON_ID).first()

    @property
    def is_active(self) -> bool:
        return bool(self.encrypted_refresh_token) and self.revoked_at is None

    @property
    def refresh_token(self) -> str:
        """The plain refresh token (raises crypto.InvalidToken when the key changed)."""
        return crypto.decrypt(self.encrypted_refresh_token) if self.encrypted_refresh_token else ""

    def set_refresh_token(self, plain: str) -> None:
        self.encrypted_refresh_token = crypto.encrypt(plain) if plain else ""


class QuotaUse(models.Model):
    """The units spent on one day as Google counts it (midnight to midnight Pacific time)."""

    day = models.DateField(_("day (Pacific time)"), unique=True)
    units = models.PositiveIntegerField(_("units used"), default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("YouTube quota use")
        verbose_name_plural = _("YouTube quota use")
        ordering = ["-day"]

    def __str__(self) -> str:
        return f"{self.day}: {self.units}"


class ChannelVideo(models.Model):
    """A recording's video as the channel connection last read it (videos.list).

    YouTube-side state only: what Kohtaamo shows and decides from stays on the recording
    (availability, duration, views are copied there by youtube.sync). ``privacy_before_
    publication`` is what the video was before Kohtaamo published it, so unpublishing can take
    it back; ``gone_at`` is set when YouTube no longer returns the video (deleted).
    """

    recording = models.OneToOneField(
        "recordings.Recording",
        verbose_name=_("recording"),
        on_delete=models.CASCADE,
        related_name="channel_video",
    )
    video_id = models.CharField(_("video id"), max_length=64, db_index=True)
    privacy_status = models.CharField(_("privacy on YouTube"), max_length=20, blank=True)
    privacy_before_publication = models.CharField(
        _("privacy before publication"), max_length=20, blank=True
    )
    duration_seconds = models.PositiveIntegerField(_("duration (s)"), null=True, blank=True)
    view_count = models.PositiveIntegerField(_("views"), null=True, blank=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    gone_at = models.DateTimeField(_("no longer on YouTube"), null=True, blank=True)
    # {"fi": "standard", "sv": "asr"}: the best kind of track YouTube has per language
    # (captions.list; read on demand or after an upload).
    caption_kinds = models.JSONField(_("caption tracks on YouTube"), default=dict, blank=True)
    captions_read_at = models.DateTimeField(_("caption tracks read"), null=True, blank=True)

    class Meta:
        verbose_name = _("video on the channel")
        verbose_name_plural = _("videos on the channel")

    def __str__(self) -> str:
        return self.video_id


class UploadedCaption(models.Model):
    """The caption track Kohtaamo put on a video, per language: the next approved version of
    that language replaces its text (captions.update) instead of adding a track."""

    recording = models.ForeignKey(
        "recordings.Recording",
        verbose_name=_("recording"),
        on_delete=models.CASCADE,
        related_name="uploaded_captions",
    )
    language = models.CharField(_("language"), max_length=15)
    caption_id = models.CharField(_("caption id on YouTube"), max_length=100)
    track = models.ForeignKey(
        "recordings.CaptionTrack",
        verbose_name=_("caption track"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    version = models.ForeignKey(
        "recordings.CaptionTrackVersion",
        verbose_name=_("version uploaded"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    version_number = models.PositiveIntegerField(_("version number"), null=True, blank=True)
    uploaded_at = models.DateTimeField(_("uploaded"))

    class Meta:
        verbose_name = _("caption uploaded to YouTube")
        verbose_name_plural = _("captions uploaded to YouTube")
        ordering = ["recording", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["recording", "language"], name="youtube_one_uploaded_caption_per_language"
            )
        ]

    def __str__(self) -> str:
        return f"{self.recording_id} {self.language} v{self.version_number}"

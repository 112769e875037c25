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

"""The transactional outbox: work that must follow a change, stored with the change.

A row is written in the same database transaction as the change it follows (a registration,
a cancellation, a membership decision, ...), so the work is never lost when the broker is
down and never done for a change that was rolled back. Its unique ``key`` makes it happen at
most once. See outbox/services.py and docs/deploy.md ("Outbox").
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    SENDING = "sending", _("sending")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")


class OutboxMessage(models.Model):
    """One piece of after-commit work: run the Celery task ``task`` with ``args``, once."""

    task = models.CharField(_("task"), max_length=100)
    args = models.JSONField(_("arguments"), default=list, blank=True)
    key = models.CharField(_("idempotency key"), max_length=200, unique=True)
    status = models.CharField(
        _("status"), max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    available_at = models.DateTimeField(_("available from"), default=timezone.now)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        indexes = [
            # The dispatcher's scans: pending by availability, stale claims by claim time.
            models.Index(fields=["status", "available_at"], name="outbox_status_available"),
            models.Index(fields=["status", "claimed_at"], name="outbox_status_claimed"),
        ]

    def __str__(self) -> str:
        return f"{self.task} {self.key} ({self.status})"

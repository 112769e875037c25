"""An archive asked for on the reports page: built by a background task, kept in private
storage (ARCHIVE_ROOT), downloaded through a permission-checked view."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ArchiveStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Being made")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class ArchiveRequest(models.Model):
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    keep_personal_data = models.BooleanField(_("personal data kept"), default=False)
    language = models.CharField(_("language"), max_length=10, default="fi")
    status = models.CharField(
        _("status"), max_length=10, choices=ArchiveStatus.choices, default=ArchiveStatus.PENDING
    )
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    size = models.PositiveBigIntegerField(_("size in bytes"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("programme archive")
        verbose_name_plural = _("programme archives")
        ordering = ["-requested_at", "-pk"]

    def __str__(self) -> str:
        return f"archive {self.pk} ({self.status})"

    @property
    def is_ready(self) -> bool:
        return self.status == ArchiveStatus.DONE and bool(self.file_name)

"""Counts per day only: no address, user agent, user or hash is ever stored here."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CountKind(models.TextChoices):
    PAGE_VIEW = "page_view", _("Visits")
    UNIQUE_VISITOR = "unique_visitor", _("Unique visitors")
    MEETING_LINK = "meeting_link", _("Meeting link clicks")
    SLIDES = "slides", _("Material downloads")
    RECORDING_PLAY = "recording_play", _("Recording plays")


class TargetType(models.TextChoices):
    EVENT = "event", _("Event")
    THEME = "theme", _("Theme")
    UPCOMING = "upcoming", _("Upcoming events")


class DailyCount(models.Model):
    """How many of one kind one page had on one day (written by `reach.flush_counts`)."""

    day = models.DateField()
    kind = models.CharField(max_length=20, choices=CountKind.choices)
    target_type = models.CharField(max_length=20, choices=TargetType.choices)
    target_id = models.PositiveIntegerField(help_text=_("0 for the upcoming events list."))
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "kind", "target_type", "target_id"], name="reach_one_count_per_day"
            )
        ]
        indexes = [models.Index(fields=["target_type", "target_id", "day"])]

    def __str__(self) -> str:
        return f"{self.day} {self.kind} {self.target_type}:{self.target_id} = {self.count}"

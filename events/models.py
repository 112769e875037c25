"""Events: themes, presenters, series, events, registrations, attendance and feedback."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


def new_token() -> str:
    return secrets.token_urlsafe(32)


class EventKind(models.TextChoices):
    KOHTAAMO = "kohtaamo", _("Kohtaamo session")
    WORKSHOP = "workshop", _("Workshop")
    TRAINING = "training", _("Training")
    INFO_SESSION = "info_session", _("Info session")
    NETWORK_MEETING = "network_meeting", _("Network meeting")
    COFFEE_HOUR = "coffee_hour", _("Coffee hour")
    SEMINAR = "seminar", _("Seminar")


class EventFormat(models.TextChoices):
    ONLINE = "online", _("Online")
    IN_PERSON = "in_person", _("In person")
    HYBRID = "hybrid", _("Hybrid")


# Formats with an online part: the ones a meeting link (and a Teams meeting) is for.
ONLINE_FORMATS = (EventFormat.ONLINE, EventFormat.HYBRID)


class RegistrationMode(models.TextChoices):
    DROP_IN = "drop_in", _("Drop-in, no registration")
    REGISTRATION = "registration", _("Registration")
    WAITLIST = "waitlist", _("Registration with a waitlist")


class InterpretationNeed(models.TextChoices):
    """What a participant needs to follow the event (a registration question)."""

    SIGN_LANGUAGE = "sign_language", _("Sign language interpretation")
    CAPTIONING = "captioning", _("Captioning (speech-to-text interpretation)")


# Formats where people meet in a place: the ones the diet question is for.
IN_PERSON_FORMATS = (EventFormat.IN_PERSON, EventFormat.HYBRID)


class Audience(models.TextChoices):
    EVERYONE = "everyone", _("Everyone")
    NETWORKS = "networks", _("Members of chosen networks")


class EventStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    CANCELLED = "cancelled", _("Cancelled")


class TeamsSyncState(models.TextChoices):
    """How the event's Teams meeting stands with Microsoft 365 (events.meetings.services)."""

    NONE = "none", _("No Teams meeting")
    PENDING = "pending", _("Waiting to be sent to Teams")
    OK = "ok", _("In step with Teams")
    FAILED = "failed", _("Teams could not be updated")
    CANCELLED = "cancelled", _("Cancelled in Teams")


class TeamsAttendanceState(models.TextChoices):
    """Where the attendance report fetched from Teams stands (events.meetings.services)."""

    NONE = "none", _("Not fetched")
    NOT_READY = "not_ready", _("Not available yet")
    READY = "ready", _("Ready for review")
    SAVED = "saved", _("Saved")
    FAILED = "failed", _("Could not be fetched")


class Theme(models.Model):
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=220, unique=True)
    description = models.TextField(_("description"), blank=True)
    keywords = models.CharField(_("keywords"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Theme, self.title)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("events:theme", kwargs={"slug": self.slug})


class Presenter(models.Model):
    name = models.CharField(_("name"), max_length=150)
    title = models.CharField(_("title"), max_length=150, blank=True)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    bio = models.TextField(_("short bio"), blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="presenter_profiles",
    )
    # A public page (events:presenter) only with the presenter's consent, which an organiser
    # records (events.planning.services.save_presenter stamps when and by whom).
    public_page_consent = models.BooleanField(
        _("The presenter agreed to a public page"),
        default=False,
        help_text=_(
            "Tick only when the presenter has agreed that their name, title, organisation, "
            "introduction and talks are shown on a public page. Your name and the time are "
            "recorded."
        ),
    )
    consent_recorded_at = models.DateTimeField(
        _("consent recorded"), null=True, blank=True, editable=False
    )
    consent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("consent recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    class Meta:
        verbose_name = _("presenter")
        verbose_name_plural = _("presenters")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        """The public page; only for a presenter who agreed to one (else the page is 404)."""
        return reverse("events:presenter", kwargs={"pk": self.pk})


class Series(models.Model):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=220, unique=True)
    kind = models.CharField(
        _("kind of event"), max_length=20, choices=EventKind.choices, default=EventKind.KOHTAAMO
    )
    description = models.TextField(_("description"), blank=True)
    weekday = models.PositiveSmallIntegerField(
        _("weekday"),
        choices=[
            (0, _("Monday")),
            (1, _("Tuesday")),
            (2, _("Wednesday")),
            (3, _("Thursday")),
            (4, _("Friday")),
            (5, _("Saturday")),
            (6, _("Sunday")),
        ],
        default=2,
    )
    start_time = models.TimeField(_("start time"), default="14:00")
    duration_minutes = models.PositiveIntegerField(_("length in minutes"), default=60)
    format = models.CharField(
        _("format"), max_length=20, choices=EventFormat.choices, default=EventFormat.ONLINE
    )
    meeting_url = models.URLField(_("online meeting link"), max_length=500, blank=True)
    place = models.CharField(_("place"), max_length=300, blank=True)
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    registration_mode = models.CharField(
        _("registration"),
        max_length=20,
        choices=RegistrationMode.choices,
        default=RegistrationMode.DROP_IN,
    )
    organisers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("organisers"),
        blank=True,
        related_name="organised_series",
    )
    teams_meetings_by_default = models.BooleanField(
        _("Create a Teams meeting for every session"),
        default=False,
        help_text=_("Each online session planned for the series gets its own Teams meeting."),
    )
    teams_attendance_autosave = models.BooleanField(
        _("Save Teams attendance automatically"),
        default=False,
        help_text=_(
            "After a session, its Teams attendance is saved without review when nothing "
            "needs a person's decision (another meeting's report, a merge)."
        ),
    )

    class Meta:
        verbose_name = _("series")
        verbose_name_plural = _("series")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Series, self.name)
        super().save(*args, **kwargs)


class Event(models.Model):
    kind = models.CharField(
        _("kind of event"),
        max_length=20,
        choices=EventKind.choices,
        default=EventKind.KOHTAAMO,
        db_index=True,
    )
    series = models.ForeignKey(
        Series,
        verbose_name=_("series"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
    )
    theme = models.ForeignKey(
        Theme,
        verbose_name=_("theme"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
    )
    title = models.CharField(
        _("title"), max_length=200, blank=True, help_text=_("Leave empty to use the theme's title.")
    )
    description = models.TextField(_("description"), blank=True)
    presenters = models.ManyToManyField(
        Presenter, verbose_name=_("presenters"), blank=True, related_name="events"
    )
    starts_at = models.DateTimeField(_("starts"), db_index=True)
    ends_at = models.DateTimeField(_("ends"))
    format = models.CharField(
        _("format"), max_length=20, choices=EventFormat.choices, default=EventFormat.ONLINE
    )
    meeting_url = models.URLField(_("online meeting link"), max_length=500, blank=True)
    teams_meeting_wanted = models.BooleanField(
        _("Create a Teams meeting"),
        default=False,
        help_text=_(
            "For an online event: Kohtaamo creates the Teams meeting, keeps its time and "
            "title in step and cancels it with the event. Its link replaces the link above."
        ),
    )
    teams_calendar_event_id = models.CharField(
        _("Teams calendar event id"), max_length=500, blank=True, editable=False
    )
    teams_online_meeting_id = models.CharField(
        _("Teams online meeting id"), max_length=500, blank=True, editable=False
    )
    teams_sync_state = models.CharField(
        _("Teams meeting"),
        max_length=20,
        choices=TeamsSyncState.choices,
        default=TeamsSyncState.NONE,
        editable=False,
    )
    teams_sync_error = models.TextField(_("last Teams error"), blank=True, editable=False)
    teams_synced_at = models.DateTimeField(
        _("last sent to Teams"), null=True, blank=True, editable=False
    )
    # What the meeting was last given (subject, start, end), so a run that finds nothing
    # new sends nothing.
    teams_synced_digest = models.CharField(max_length=64, blank=True, editable=False)
    teams_attendance_state = models.CharField(
        _("Teams attendance"),
        max_length=20,
        choices=TeamsAttendanceState.choices,
        default=TeamsAttendanceState.NONE,
        editable=False,
    )
    teams_attendance_error = models.TextField(
        _("last Teams attendance message"), blank=True, editable=False
    )
    teams_attendance_checked_at = models.DateTimeField(
        _("Teams attendance last fetched"), null=True, blank=True, editable=False
    )
    place = models.CharField(_("place"), max_length=300, blank=True)
    capacity = models.PositiveIntegerField(
        _("capacity"), null=True, blank=True, help_text=_("Empty means no limit.")
    )
    registration_mode = models.CharField(
        _("registration"),
        max_length=20,
        choices=RegistrationMode.choices,
        default=RegistrationMode.REGISTRATION,
    )
    registration_opens_at = models.DateTimeField(_("registration opens"), null=True, blank=True)
    registration_closes_at = models.DateTimeField(_("registration closes"), null=True, blank=True)
    audience = models.CharField(
        _("audience"), max_length=20, choices=Audience.choices, default=Audience.EVERYONE
    )
    audience_networks = models.ManyToManyField(
        "networks.Network", verbose_name=_("networks"), blank=True, related_name="events"
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=EventStatus.choices,
        default=EventStatus.DRAFT,
        db_index=True,
    )
    language = models.CharField(
        _("language"), max_length=5, choices=settings.LANGUAGES, default="fi"
    )
    # Registration questions: which ones people are asked (their answers are optional).
    asks_accessibility_needs = models.BooleanField(
        _("Ask about accessibility needs"), default=False
    )
    asks_interpretation = models.BooleanField(
        _("Ask about interpretation or captioning"), default=False
    )
    asks_diet = models.BooleanField(
        _("Ask about diets"),
        default=False,
        help_text=_("Only for in-person and hybrid events."),
    )
    custom_question = models.CharField(
        _("Your own question"),
        max_length=300,
        blank=True,
        help_text=_("Optional: one more question people may answer when they register."),
    )
    headcount = models.PositiveIntegerField(
        _("headcount"),
        null=True,
        blank=True,
        help_text=_("For drop-in sessions: how many took part."),
    )
    anonymous_attendees = models.PositiveIntegerField(
        _("attendees without registration"),
        default=0,
        help_text=_("Counted from Teams attendance reports; no person is stored."),
    )
    feedback_token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    sequence = models.PositiveIntegerField(
        _("calendar sequence"),
        default=0,
        editable=False,
        help_text=_("Raised whenever time, place or link change (iCalendar SEQUENCE)."),
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True, editable=False)
    cancellation_reason = models.TextField(
        _("reason for cancellation"),
        blank=True,
        editable=False,
        help_text=_("Shown on the public page of the cancelled event."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="event_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.display_title

    def get_absolute_url(self) -> str:
        return reverse("events:detail", kwargs={"pk": self.pk})

    @property
    def display_title(self) -> str:
        if self.title:
            return self.title
        if self.theme_id:
            return self.theme.title
        return str(self.get_kind_display())

    def clean(self):
        errors = {}
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = _("The event must end after it starts.")
        if (
            self.registration_opens_at
            and self.registration_closes_at
            and self.registration_closes_at < self.registration_opens_at
        ):
            errors["registration_closes_at"] = _("Registration must close after it opens.")
        if self.format in (EventFormat.IN_PERSON, EventFormat.HYBRID) and not self.place:
            errors["place"] = _("An in-person or hybrid event needs a place.")
        if self.teams_meeting_wanted and self.format not in ONLINE_FORMATS:
            errors["teams_meeting_wanted"] = _("A Teams meeting is for online and hybrid events.")
        if self.asks_diet and self.format not in IN_PERSON_FORMATS:
            errors["asks_diet"] = _("Diets are asked only for in-person and hybrid events.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_past(self) -> bool:
        return self.ends_at < timezone.now()

    @property
    def is_cancelled(self) -> bool:
        return self.status == EventStatus.CANCELLED

    @property
    def is_online(self) -> bool:
        return self.format in ONLINE_FORMATS

    @property
    def has_teams_meeting(self) -> bool:
        return bool(self.teams_calendar_event_id)

    @property
    def takes_registrations(self) -> bool:
        return self.registration_mode != RegistrationMode.DROP_IN

    @property
    def diet_asked(self) -> bool:
        """The diet question is asked only where people meet in a place."""
        return self.asks_diet and self.format in IN_PERSON_FORMATS

    @property
    def asked_questions(self) -> tuple[str, ...]:
        """The registration answers this event asks for (Registration field names)."""
        asked = {
            "accessibility_needs": self.asks_accessibility_needs,
            "interpretation": self.asks_interpretation,
            "diet": self.diet_asked,
            "question_answer": bool(self.custom_question),
        }
        return tuple(name for name, on in asked.items() if on)


class EventMaterial(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="materials")
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to="materials/%Y/", blank=True)
    url = models.URLField(_("link"), max_length=500, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("material")
        verbose_name_plural = _("materials")
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(file="") | ~Q(url=""), name="material_has_file_or_url"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def href(self) -> str:
        return self.file.url if self.file else self.url


class EventChange(models.Model):
    """Change history of a published event."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="changes")
    changed_at = models.DateTimeField(auto_now_add=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changes = models.JSONField(default=dict, help_text="{field: [old, new]}")

    class Meta:
        verbose_name = _("event change")
        verbose_name_plural = _("event changes")
        ordering = ["-changed_at"]

    def __str__(self) -> str:
        return f"{self.event_id} {self.changed_at:%Y-%m-%d %H:%M}"


class RegistrationStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for e-mail confirmation")
    CONFIRMED = "confirmed", _("Confirmed")
    WAITLISTED = "waitlisted", _("On the waitlist")
    CANCELLED = "cancelled", pgettext_lazy("registration", "Cancelled")


class AttendanceSource(models.TextChoices):
    CHECK_IN = "check_in", _("Check-in")
    TEAMS = "teams", _("Teams attendance report")


class Registration(models.Model):
    """One person's place at one event. Anonymised, never deleted, so totals survive."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="registrations",
    )
    name = models.CharField(_("name"), max_length=150, blank=True)
    email = models.EmailField(
        _("e-mail"), blank=True, help_text=_("Lower-case; used to match Teams attendance.")
    )
    organisation_name = models.CharField(_("organisation"), max_length=200, blank=True)
    organisation = models.ForeignKey(
        "networks.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="registrations",
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=RegistrationStatus.choices,
        default=RegistrationStatus.CONFIRMED,
        db_index=True,
    )
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    created_at = models.DateTimeField(_("registered"), default=timezone.now, db_index=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    attended = models.BooleanField(_("attended"), null=True, blank=True)
    attendance_source = models.CharField(
        _("attendance from"), max_length=20, choices=AttendanceSource.choices, blank=True
    )
    minutes_attended = models.PositiveIntegerField(
        _("minutes in the meeting"), null=True, blank=True
    )
    anonymised_at = models.DateTimeField(null=True, blank=True, editable=False)
    language = models.CharField(
        _("language for e-mail"),
        max_length=5,
        blank=True,
        help_text=_("For guests: the language they registered in. People use their profile's."),
    )
    reminder_sent_at = models.DateTimeField(
        _("reminder sent"), null=True, blank=True, editable=False
    )
    feedback_requested_at = models.DateTimeField(
        _("feedback request sent"), null=True, blank=True, editable=False
    )
    # Answers to the event's registration questions (optional). Only those who may see the
    # participant list see them; cancelling or anonymising the registration erases them.
    accessibility_needs = models.TextField(_("accessibility needs"), blank=True)
    interpretation = models.CharField(
        _("interpretation or captioning"),
        max_length=20,
        choices=InterpretationNeed.choices,
        blank=True,
    )
    diet = models.CharField(_("diet"), max_length=300, blank=True)
    question_answer = models.TextField(_("answer to the organiser's question"), blank=True)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "user"],
                name="one_registration_per_user",
                condition=Q(user__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["event", "email"], name="one_registration_per_email", condition=~Q(email="")
            ),
        ]
        indexes = [models.Index(fields=["event", "status"])]

    def __str__(self) -> str:
        return f"{self.display_name} – {self.event}"

    @property
    def display_name(self) -> str:
        if self.anonymised_at:
            return str(_("(removed)"))
        return self.name or self.email

    @property
    def is_guest(self) -> bool:
        return self.user_id is None

    @property
    def mail_language(self) -> str:
        """The language of every e-mail to this person (Finnish by default)."""
        if self.user_id and self.user.language:
            return self.user.language
        return self.language or settings.LANGUAGE_CODE

    @property
    def has_answers(self) -> bool:
        return any(getattr(self, name) for name in ANSWER_FIELDS)

    @property
    def mail_address(self) -> str:
        if self.user_id:
            return self.user.email
        return self.email


# The answers a registration may hold (Event.asked_questions names the asked ones).
ANSWER_FIELDS = ("accessibility_needs", "interpretation", "diet", "question_answer")


class AttendanceImport(models.Model):
    """One Teams attendance report imported for an event (same file twice is refused)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="attendance_imports")
    file_sha256 = models.CharField(max_length=64)
    file_name = models.CharField(max_length=255, blank=True)
    imported_at = models.DateTimeField(auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    report_format = models.CharField(max_length=40, blank=True)
    counted = models.PositiveIntegerField(default=0)
    matched = models.PositiveIntegerField(default=0)
    unmatched = models.PositiveIntegerField(default=0)
    too_short = models.PositiveIntegerField(default=0)
    summary = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("attendance import")
        verbose_name_plural = _("attendance imports")
        ordering = ["-imported_at"]
        constraints = [
            models.UniqueConstraint(fields=["event", "file_sha256"], name="one_import_per_file"),
        ]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.event_id})"


class Feedback(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="feedback")
    registration = models.OneToOneField(
        Registration, on_delete=models.SET_NULL, null=True, blank=True, related_name="feedback"
    )
    usefulness = models.PositiveSmallIntegerField(
        _("how useful was it (1–5)"), choices=[(i, str(i)) for i in range(1, 6)]
    )
    recommend = models.PositiveSmallIntegerField(
        _("how likely would you recommend it to a colleague (0–10)"),
        choices=[(i, str(i)) for i in range(11)],
    )
    comment = models.TextField(_("comments"), blank=True)
    submitted_at = models.DateTimeField(auto_now_add=True)
    session_key = models.CharField(
        max_length=64, blank=True, help_text="For anonymous answers via the public link."
    )

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        ordering = ["-submitted_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(usefulness__gte=1, usefulness__lte=5), name="feedback_usefulness_1_5"
            ),
            models.CheckConstraint(
                condition=Q(recommend__gte=0, recommend__lte=10), name="feedback_recommend_0_10"
            ),
            models.UniqueConstraint(
                fields=["event", "session_key"],
                name="one_feedback_per_link_session",
                condition=~Q(session_key=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_id}: {self.usefulness}/5, {self.recommend}/10"


class CalendarEntry(models.Model):
    """An event's VEVENT as the calendar feeds write it, kept per language.

    A feed joins these stored texts instead of writing a thousand events on every request.
    An entry is used only while `rendered_for` equals the event's `updated_at` and `layout`
    matches the current layout (format version, site address and the translated fixed texts);
    anything else is written again (events/calendars/feeds.py).

    Three variants, each with the meeting link only where events/registration/rules.py allows
    it: `text` for public and network feeds (a link only for drop-in sessions),
    `confirmed_text` for a confirmed person's personal feed (None when it is the same as
    `text`), `waitlisted_text` for a waitlisted one. `text` and `waitlisted_text` hold
    nothing that is not already public on the event page.
    """

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="calendar_entries")
    language = models.CharField(max_length=10)
    layout = models.CharField(max_length=16)
    rendered_for = models.DateTimeField()
    text = models.TextField()
    confirmed_text = models.TextField(null=True, blank=True)  # None: the same as text
    waitlisted_text = models.TextField()
    # A digest of each variant's UTF-8 bytes (calendars.feeds.entry_hash): a feed's ETag is
    # worked out from these, not by hashing a body of megabytes on every build.
    text_hash = models.BinaryField(max_length=16, default=b"")
    confirmed_hash = models.BinaryField(max_length=16, null=True, blank=True)
    waitlisted_hash = models.BinaryField(max_length=16, default=b"")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["event", "language"], name="one_calendar_entry_per_language"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} ({self.language})"


class CalendarSpan(models.Model):
    """A month of a feed's stored entries, joined and compressed once (events/calendars/feeds.py).

    Found by what it holds: `members` is a digest of its events' ids and `updated_at` in feed
    order, worked out by the feed's own query, so a span is used only while those events are
    exactly the month's events of the feed being built and none has changed; any feed with
    the same events in a month shares it. Public (`text`) entries only: personal feeds are
    joined from the entries. `deflated` is `text` as a piece of a gzip body
    (events/calendars/packing.py), with its CRC-32, length and length factor.
    """

    language = models.CharField(max_length=10)
    layout = models.CharField(max_length=16)
    members = models.BinaryField(max_length=16)
    text = models.TextField()
    hashes = models.BinaryField()  # the entries' digests (CalendarEntry.text_hash), in order
    deflated = models.BinaryField()
    crc = models.BigIntegerField()
    size = models.BigIntegerField()
    shift = models.BigIntegerField()
    stored_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["language", "layout", "members"], name="one_calendar_span_per_members"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.language} {bytes(self.members).hex()}"


def unique_slug(model, text: str) -> str:
    base = slugify(text)[:200] or "x"
    slug, n = base, 2
    while model.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug

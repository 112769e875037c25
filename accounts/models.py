"""People: the user account with its profile, and the staff audit log."""

import secrets

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


def new_token() -> str:
    """A URL-safe secret of 256 bits, for private feeds and guest links."""
    return secrets.token_urlsafe(32)


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """A person who signs in with an e-mail address; no username."""

    username = None
    first_name = None
    last_name = None
    email = models.EmailField(_("e-mail address"), unique=True)
    display_name = models.CharField(_("name"), max_length=150, blank=True)
    title = models.CharField(_("title"), max_length=150, blank=True)
    organisation_name = models.CharField(
        _("organisation (free text)"),
        max_length=200,
        blank=True,
        help_text=_("Used when your organisation is not in the list."),
    )
    organisation = models.ForeignKey(
        "networks.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="people",
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    language = models.CharField(
        _("language"),
        max_length=5,
        choices=[("fi", _("Finnish")), ("sv", _("Swedish")), ("en", _("English"))],
        default="fi",
    )
    calendar_token = models.CharField(
        _("personal calendar token"), max_length=64, unique=True, default=new_token, editable=False
    )
    reminders_enabled = models.BooleanField(_("send me reminders before events"), default=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["display_name", "email"]

    def __str__(self) -> str:
        return self.display_name or self.email

    def get_full_name(self) -> str:
        return self.display_name or self.email

    def get_short_name(self) -> str:
        return self.display_name or self.email

    @property
    def organisation_label(self) -> str:
        return self.organisation.name if self.organisation_id else self.organisation_name


class AccessChannel(models.TextChoices):
    """How personal data left the system in an access entry (see docs/privacy.md)."""

    PAGE = "page", pgettext_lazy("access channel", "Page")
    CSV = "csv", pgettext_lazy("access channel", "Export (CSV)")
    XLSX = "xlsx", pgettext_lazy("access channel", "Export (XLSX)")
    JSON = "json", pgettext_lazy("access channel", "Export (JSON)")
    API = "api", pgettext_lazy("access channel", "API")


class AuditEntry(models.Model):
    """Who did what and when. Keeps a text copy of the object, so it outlives it.

    An access entry (a `channel` is set) records that someone viewed or exported
    personal data: the object and the number of people, by ids only (never a name).
    """

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        User,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_label = models.CharField(_("by (as recorded)"), max_length=254, blank=True)
    action = models.CharField(_("action"), max_length=80, db_index=True)
    object_type = models.CharField(_("object type"), max_length=80, blank=True)
    object_id = models.CharField(_("object id"), max_length=40, blank=True)
    object_label = models.CharField(_("object"), max_length=300, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    channel = models.CharField(
        _("channel"), max_length=8, choices=AccessChannel.choices, blank=True, db_index=True
    )
    people_count = models.PositiveIntegerField(_("number of people"), null=True, blank=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_label}"

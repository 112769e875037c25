"""Organisations, networks and memberships."""

from __future__ import annotations

import secrets
import unicodedata

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def new_token() -> str:
    return secrets.token_urlsafe(32)


def alias_key(value: str) -> str:
    """How an organisation value is compared: case, spacing and Unicode form left out."""
    return " ".join(unicodedata.normalize("NFC", str(value or "")).strip().lower().split())


class Sector(models.TextChoices):
    COUNTY = "county", _("Wellbeing services county")
    MUNICIPAL_EMPLOYMENT = "municipal_employment", _("Municipal employment services")
    TE_OFFICE = "te_office", _("TE office")
    KELA = "kela", _("Kela")
    TYP = "typ", _("Multi-sector joint service (TYP)")
    NGO = "ngo", _("NGO")
    EDUCATION = "education", _("Educational institution")
    EMPLOYER = "employer", _("Employer")
    OTHER = "other", _("Other")


class Organisation(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    sector = models.CharField(
        _("sector"), max_length=30, choices=Sector.choices, default=Sector.OTHER, db_index=True
    )
    municipality = models.CharField(_("municipality"), max_length=100, blank=True)
    website = models.URLField(_("website"), blank=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class OrganisationAlias(models.Model):
    """Another way of writing an organisation in member lists ("Kela", "TE-toimisto"),
    confirmed once by a coordinator so that the next import maps it without asking."""

    value = models.CharField(_("value in the file"), max_length=200)
    key = models.CharField(max_length=200, unique=True, editable=False)  # normalised value
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="aliases",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("organisation alias")
        verbose_name_plural = _("organisation aliases")
        ordering = ["key"]

    def __str__(self) -> str:
        return f"{self.value} → {self.organisation}"

    def save(self, *args, **kwargs):
        self.key = alias_key(self.value)
        super().save(*args, **kwargs)


class JoinPolicy(models.TextChoices):
    OPEN = "open", _("Open to everyone")
    APPROVAL = "approval", _("On approval")
    INVITATION = "invitation", _("By invitation only")


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public page")
    MEMBERS = "members", _("Members only")


class Network(models.Model):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=220, unique=True)
    description = models.TextField(_("description"), blank=True)
    coordinators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("coordinators"),
        blank=True,
        related_name="coordinated_networks",
    )
    join_policy = models.CharField(
        _("joining"), max_length=20, choices=JoinPolicy.choices, default=JoinPolicy.APPROVAL
    )
    visibility = models.CharField(
        _("visibility"), max_length=20, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    calendar_token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)

    class Meta:
        verbose_name = _("network")
        verbose_name_plural = _("networks")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("networks:detail", kwargs={"slug": self.slug})


class MemberRole(models.TextChoices):
    EXPERIENCE_EXPERT = "experience_expert", _("Experience expert")
    PRACTITIONER = "practitioner", _("Practitioner")
    MANAGEMENT = "management", _("Management")
    OTHER = "other", _("Other")


class MembershipStatus(models.TextChoices):
    INVITED = "invited", _("Invited")
    PENDING = "pending", _("Waiting for approval")
    ACTIVE = "active", _("Active")
    DECLINED = "declined", _("Declined")
    LEFT = "left", _("Left")


class MessagePreference(models.TextChoices):
    EACH = "each", _("Each message")
    DIGEST = "digest", _("A weekly digest")
    NONE = "none", _("No messages")


class Membership(models.Model):
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="memberships",
    )
    invited_email = models.EmailField(_("invited e-mail"), blank=True)
    invited_name = models.CharField(_("invited name"), max_length=150, blank=True)
    invited_title = models.CharField(_("invited title"), max_length=150, blank=True)
    invitation_token = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="memberships",
    )
    role = models.CharField(
        _("role in the network"),
        max_length=30,
        choices=MemberRole.choices,
        default=MemberRole.PRACTITIONER,
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=MembershipStatus.choices,
        default=MembershipStatus.PENDING,
        db_index=True,
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    joined_on = models.DateField(_("joined"), null=True, blank=True)
    left_on = models.DateField(_("left"), null=True, blank=True)
    decision_message = models.TextField(_("message from the coordinator"), blank=True)
    show_email = models.BooleanField(_("show my e-mail to other members"), default=False)
    show_phone = models.BooleanField(_("show my phone number to other members"), default=False)
    show_title = models.BooleanField(_("show my title to other members"), default=True)
    message_preference = models.CharField(
        _("messages from this network"),
        max_length=10,
        choices=MessagePreference.choices,
        default=MessagePreference.DIGEST,
    )
    unsubscribe_token = models.CharField(
        max_length=64, unique=True, default=new_token, editable=False
    )
    anonymised_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["network", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["network", "user"],
                name="one_membership_per_user",
                condition=Q(user__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} – {self.network}"

    @property
    def display_name(self) -> str:
        if self.user_id:
            return str(self.user)
        return self.invited_name or self.invited_email

    @property
    def email(self) -> str:
        return self.user.email if self.user_id else self.invited_email

    @property
    def is_active(self) -> bool:
        return self.status == MembershipStatus.ACTIVE


class Announcement(models.Model):
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="announcements")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"))
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        ordering = ["-sent_at"]

    def __str__(self) -> str:
        return self.subject


class AnnouncementDelivery(models.Model):
    """One announcement e-mailed at once to one member: makes the sending task idempotent."""

    announcement = models.ForeignKey(
        Announcement, on_delete=models.CASCADE, related_name="deliveries"
    )
    membership = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="announcement_deliveries"
    )
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("announcement delivery")
        verbose_name_plural = _("announcement deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["announcement", "membership"], name="one_delivery_per_announcement"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.announcement} → {self.membership}"


class DigestDelivery(models.Model):
    """One weekly digest sent to one member: at most one per membership and week."""

    membership = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="digest_deliveries"
    )
    week = models.DateField(_("week (Monday)"))
    covered_until = models.DateTimeField(_("announcements up to"))
    announcement_count = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("digest delivery")
        verbose_name_plural = _("digest deliveries")
        ordering = ["-week"]
        constraints = [
            models.UniqueConstraint(fields=["membership", "week"], name="one_digest_per_week"),
        ]

    def __str__(self) -> str:
        return f"{self.membership} – {self.week}"

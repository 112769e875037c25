from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from rest_framework.authtoken.admin import TokenAdmin

from .audit import record_audit
from .models import AuditEntry, User
from .roles import acting_as
from .rules import second_factor_exists, staff_accounts_q

TokenAdmin.raw_id_fields = ["user"]


class SecondFactorFilter(admin.SimpleListFilter):
    """Who has an authenticator app or a passkey, and which staff have none."""

    title = _("second factor")
    parameter_name = "second_factor"

    def lookups(self, request, model_admin):
        return [
            ("yes", pgettext_lazy("second factor", "Set up")),
            ("no", pgettext_lazy("second factor", "None")),
            ("staff_missing", _("Staff without one")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(has_second_factor=True)
        if self.value() == "no":
            return queryset.filter(has_second_factor=False)
        if self.value() == "staff_missing":
            staff = User.objects.filter(staff_accounts_q()).values("pk")
            return queryset.filter(has_second_factor=False, pk__in=staff)
        return queryset


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = [
        "email",
        "display_name",
        "organisation",
        "is_staff",
        "second_factor",
        "is_active",
        "last_login",
    ]
    list_filter = [
        "is_staff",
        "is_superuser",
        "is_active",
        SecondFactorFilter,
        "groups",
        "language",
    ]
    search_fields = ["email", "display_name", "organisation_name", "organisation__name"]
    autocomplete_fields = ["organisation"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (
            _("Profile"),
            {
                "fields": [
                    "display_name",
                    "title",
                    "organisation",
                    "organisation_name",
                    "phone",
                    "language",
                    "reminders_enabled",
                ]
            },
        ),
        (_("Permissions"), {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(has_second_factor=second_factor_exists())

    @admin.display(boolean=True, description=_("second factor"), ordering="has_second_factor")
    def second_factor(self, obj) -> bool:
        return obj.has_second_factor

    def save_model(self, request, obj, form, change):
        was_superuser = bool(change and form.initial.get("is_superuser"))
        super().save_model(request, obj, form, change)
        if obj.is_superuser != was_superuser:
            record_audit(
                actor=request.user,
                action="role.granted" if obj.is_superuser else "role.revoked",
                obj=obj,
                role="administrator",
            )

    def save_related(self, request, form, formsets, change):
        with acting_as(request.user):  # group (role) changes are audited by accounts.signals
            super().save_related(request, form, formsets, change)


class ActorIdFilter(admin.SimpleListFilter):
    """Filter by the acting account's id (`?actor_id=42`); lists the ids found in the log."""

    title = _("by (user id)")
    parameter_name = "actor_id"

    def lookups(self, request, model_admin):
        ids = (
            AuditEntry.objects.filter(actor__isnull=False)
            .order_by("actor_id")
            .values_list("actor_id", flat=True)
            .distinct()
        )
        return [(str(pk), f"#{pk}") for pk in ids]

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        if not value.isdigit():
            raise IncorrectLookupParameters(value)
        return queryset.filter(actor_id=int(value))


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the audit log and the access log (entries with a channel)."""

    list_display = [
        "at",
        "actor_label",
        "action",
        "object_type",
        "object_id",
        "object_label",
        "channel",
        "people_count",
    ]
    list_filter = ["action", "channel", ActorIdFilter, "object_type"]
    search_fields = ["actor_label", "object_label", "action"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

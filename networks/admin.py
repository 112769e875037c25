from django.contrib import admin, messages
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .forms import MergeOrganisationsForm
from .models import (
    Announcement,
    AnnouncementDelivery,
    DigestDelivery,
    Membership,
    Network,
    Organisation,
    OrganisationAlias,
)
from .services import merge_organisations


@admin.register(OrganisationAlias)
class OrganisationAliasAdmin(admin.ModelAdmin):
    """The aliases coordinators confirmed in member-list imports: a wrong one is corrected
    (another organisation) or deleted here, and the next import asks again."""

    list_display = ["value", "organisation", "created_by", "created_at"]
    search_fields = ["value", "organisation__name"]
    autocomplete_fields = ["organisation"]
    readonly_fields = ["created_by", "created_at"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "sector", "municipality"]
    list_filter = ["sector", "municipality"]
    search_fields = ["name", "municipality"]
    actions = ["merge_selected"]

    @admin.action(description=gettext_lazy("Merge the selected organisations into one"))
    def merge_selected(self, request, queryset):
        """Step 1 shows the choice of the one to keep; step 2 (apply) calls the service."""
        if queryset.count() < 2:
            self.message_user(request, _("Choose at least two organisations."), messages.WARNING)
            return None
        form = MergeOrganisationsForm(
            request.POST if "apply" in request.POST else None, organisations=queryset
        )
        if "apply" in request.POST and form.is_valid():
            keep = form.cleaned_data["keep"]
            moved = merge_organisations(
                keep=keep, duplicates=list(queryset.exclude(pk=keep.pk)), by=request.user
            )
            self.message_user(
                request,
                _(
                    "Merged into %(name)s: %(people)s people, %(memberships)s memberships and "
                    "%(registrations)s registrations moved."
                )
                % {"name": keep.name, **moved},
                messages.SUCCESS,
            )
            return None
        return render(
            request,
            "admin/networks/organisation/merge.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Merge organisations"),
                "form": form,
                "organisations": queryset,
                "opts": self.model._meta,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )


@admin.register(Network)
class NetworkAdmin(admin.ModelAdmin):
    list_display = ["name", "join_policy", "visibility"]
    list_filter = ["join_policy", "visibility"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["coordinators"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["__str__", "role", "status", "joined_on", "message_preference"]
    list_filter = ["network", "status", "role", "message_preference", "organisation__sector"]
    search_fields = ["user__email", "user__display_name", "invited_email", "organisation__name"]
    raw_id_fields = ["user", "organisation"]


@admin.register(AnnouncementDelivery)
class AnnouncementDeliveryAdmin(admin.ModelAdmin):
    list_display = ["announcement", "membership", "sent_at"]
    raw_id_fields = ["announcement", "membership"]


@admin.register(DigestDelivery)
class DigestDeliveryAdmin(admin.ModelAdmin):
    list_display = ["membership", "week", "announcement_count", "sent_at"]
    raw_id_fields = ["membership"]


@admin.register(Announcement)
class AnnouncementAdmin(admin.ModelAdmin):
    list_display = ["subject", "network", "sent_at"]
    list_filter = ["network"]
    search_fields = ["subject", "body"]

from django.contrib import admin

from .models import Announcement, Membership, Network, Organisation


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "sector", "municipality"]
    list_filter = ["sector", "municipality"]
    search_fields = ["name", "municipality"]


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


@admin.register(Announcement)
class AnnouncementAdmin(admin.ModelAdmin):
    list_display = ["subject", "network", "sent_at"]
    list_filter = ["network"]
    search_fields = ["subject", "body"]

"""The channel connection in the admin: read-only, and never the token."""

from __future__ import annotations

from django.contrib import admin

from .models import ChannelConnection, ChannelVideo, QuotaUse, UploadedCaption


class ReadOnlyAdmin(admin.ModelAdmin):
    """What YouTube and the tasks wrote: shown, never edited here."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ChannelConnection)
class ChannelConnectionAdmin(ReadOnlyAdmin):
    # The encrypted refresh token is not a field here (editable=False, not listed).
    fields = (
        "channel_id",
        "channel_title",
        "scopes",
        "connected_by",
        "connected_at",
        "revoked_at",
        "last_error",
    )
    list_display = ("channel_title", "channel_id", "connected_at", "revoked_at")


@admin.register(QuotaUse)
class QuotaUseAdmin(ReadOnlyAdmin):
    list_display = ("day", "units", "updated_at")


@admin.register(ChannelVideo)
class ChannelVideoAdmin(ReadOnlyAdmin):
    list_display = ("video_id", "recording", "privacy_status", "view_count", "read_at", "gone_at")
    list_filter = ("privacy_status",)
    search_fields = ("video_id",)
    raw_id_fields = ("recording",)


@admin.register(UploadedCaption)
class UploadedCaptionAdmin(ReadOnlyAdmin):
    list_display = ("recording", "language", "version_number", "caption_id", "uploaded_at")
    raw_id_fields = ("recording", "track", "version")

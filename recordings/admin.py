from django.contrib import admin

from kohtaamo.admin_inlines import LabelledTabularInline

from .models import CaptionOrder, CaptionTrack, CaptionTrackVersion, Recording


class TrackInline(LabelledTabularInline):
    model = CaptionTrack
    extra = 0
    fields = ["language", "kind", "source", "status", "error_count", "warning_count"]
    readonly_fields = ["error_count", "warning_count"]


@admin.register(Recording)
class RecordingAdmin(admin.ModelAdmin):
    list_display = ["__str__", "recorded_on", "availability", "publication_state", "view_count"]
    list_filter = ["availability", "publication_state", "is_live_recording"]
    search_fields = ["title", "url", "video_id"]
    raw_id_fields = ["event", "published_by"]
    inlines = [TrackInline]
    # Publication goes through accessibility.services.publish, never a plain edit.
    readonly_fields = ["publication_state", "published_at", "published_by", "override_reason"]


@admin.register(CaptionTrack)
class CaptionTrackAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind", "source", "status", "error_count", "checked_at"]
    list_filter = ["kind", "source", "status", "language"]
    raw_id_fields = ["recording", "uploaded_by"]
    # Versions are made by recordings.services (upload, delivery, edit, restore), not here.
    readonly_fields = ["current_version", "approved_version", "version_count"]


@admin.register(CaptionTrackVersion)
class CaptionTrackVersionAdmin(admin.ModelAdmin):
    """Read only: a version is history (who, when, why) and never changes."""

    list_display = ["track", "number", "kind", "made_by", "made_at", "error_count"]
    list_filter = ["kind"]
    list_select_related = ["track__recording", "made_by"]

    def get_queryset(self, request):
        # Never the caption texts (a track's can be 2 MB) in the list.
        return (
            super()
            .get_queryset(request)
            .defer("vtt", "track__vtt", "track__findings", "track__findings_summary")
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CaptionOrder)
class CaptionOrderAdmin(admin.ModelAdmin):
    list_display = ["recording", "vendor", "ordered_on", "due_on", "delivered_on", "minutes"]
    list_filter = ["vendor", "delivered_on"]
    raw_id_fields = ["recording", "ordered_by"]

from django.contrib import admin

from .models import CaptionOrder, CaptionTrack, Recording


class TrackInline(admin.TabularInline):
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


@admin.register(CaptionOrder)
class CaptionOrderAdmin(admin.ModelAdmin):
    list_display = ["recording", "vendor", "ordered_on", "due_on", "delivered_on", "minutes"]
    list_filter = ["vendor", "delivered_on"]
    raw_id_fields = ["recording", "ordered_by"]

from django.contrib import admin

from .models import (
    AttendanceImport,
    Event,
    EventChange,
    EventMaterial,
    Feedback,
    Presenter,
    Registration,
    Series,
    Theme,
)
from .planning.services import EVENT_FIELDS, save_planning_record, save_presenter


class PlanningRecordAdmin(admin.ModelAdmin):
    """A theme, presenter or series saved here is saved by the planning service, so the
    change reaches the audit log as from the organiser pages, not only the admin's history."""

    def save_model(self, request, obj, form, change):
        save_planning_record(instance=obj, by=request.user)


@admin.register(Theme)
class ThemeAdmin(PlanningRecordAdmin):
    list_display = ["title", "slug"]
    search_fields = ["title", "keywords", "description"]
    prepopulated_fields = {"slug": ["title"]}


@admin.register(Presenter)
class PresenterAdmin(PlanningRecordAdmin):
    list_display = ["name", "title", "organisation"]
    search_fields = ["name", "organisation"]
    raw_id_fields = ["user"]
    # Consent to a public page is recorded on the organiser pages, with who and when.
    readonly_fields = ["public_page_consent", "consent_recorded_at", "consent_recorded_by"]

    def save_model(self, request, obj, form, change):
        save_presenter(instance=obj, by=request.user)


@admin.register(Series)
class SeriesAdmin(PlanningRecordAdmin):
    list_display = ["name", "kind", "weekday", "start_time", "registration_mode"]
    list_filter = ["kind", "format"]
    search_fields = ["name"]
    filter_horizontal = ["organisers"]


class MaterialInline(admin.TabularInline):
    """Shown, not added: a material is added on the organiser pages, where its file is checked
    (events.planning.services.add_material: PDF by content, the size limit)."""

    model = EventMaterial
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind", "starts_at", "status", "format", "capacity"]
    list_filter = [
        "kind",
        "status",
        "format",
        "registration_mode",
        "series",
        "audience",
        "teams_sync_state",
        "teams_attendance_state",
    ]
    search_fields = ["title", "theme__title", "description"]
    date_hierarchy = "starts_at"
    autocomplete_fields = ["theme", "presenters", "audience_networks"]
    list_select_related = ["theme"]
    inlines = [MaterialInline]
    # The Teams meeting's ids and the outcome of the last Graph calls (events.meetings).
    readonly_fields = [
        "teams_calendar_event_id",
        "teams_online_meeting_id",
        "teams_sync_state",
        "teams_sync_error",
        "teams_synced_at",
        "teams_attendance_state",
        "teams_attendance_error",
        "teams_attendance_checked_at",
    ]

    # What an organiser edits goes through events.planning.services (the change history,
    # SEQUENCE, the people told, the Teams meeting): in the admin it is shown, not edited,
    # and events are made on the organiser pages. The admin keeps the back-office fields.
    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, *EVENT_FIELDS]

    def has_add_permission(self, request):
        return False


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ["__str__", "status", "attended", "created_at"]
    list_filter = ["status", "attended", "attendance_source", "event__kind"]
    search_fields = ["name", "email", "event__title", "event__theme__title"]
    raw_id_fields = ["event", "user", "organisation"]
    list_select_related = ["event__theme"]


@admin.register(AttendanceImport)
class AttendanceImportAdmin(admin.ModelAdmin):
    list_display = ["event", "file_name", "imported_at", "counted", "matched", "unmatched"]
    raw_id_fields = ["event", "imported_by"]


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ["event", "usefulness", "recommend", "submitted_at"]
    list_filter = ["usefulness"]
    raw_id_fields = ["event", "registration"]


@admin.register(EventChange)
class EventChangeAdmin(admin.ModelAdmin):
    list_display = ["event", "changed_at", "changed_by"]
    raw_id_fields = ["event", "changed_by"]

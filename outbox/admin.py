from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .models import OutboxMessage, OutboxStatus


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    """What must follow a change (mails, follow-up tasks): failed rows are the ones to read."""

    list_display = ["key", "task", "status", "attempts", "created_at", "sent_at", "last_error"]
    list_filter = ["status", "task"]
    search_fields = ["key"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "task",
        "args",
        "key",
        "attempts",
        "created_at",
        "claimed_at",
        "sent_at",
        "last_error",
    ]
    actions = ["retry"]

    @admin.action(description=_("Send the selected failed or pending messages again"))
    def retry(self, request, queryset):
        rows = queryset.filter(status__in=[OutboxStatus.FAILED, OutboxStatus.PENDING])
        ids = list(rows.values_list("pk", flat=True))
        rows.update(status=OutboxStatus.PENDING, attempts=0, available_at=timezone.now())
        handed = services.hand_over(ids)
        self.message_user(
            request,
            ngettext(
                "%(count)d message handed over for sending.",
                "%(count)d messages handed over for sending.",
                handed,
            )
            % {"count": handed},
            messages.SUCCESS if handed == len(ids) else messages.WARNING,
        )

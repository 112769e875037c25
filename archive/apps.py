from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArchiveConfig(AppConfig):
    name = "archive"
    label = "archive"
    verbose_name = _("Programme archive")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The build task, which the outbox finds by its pinned name.
        from . import tasks  # noqa: F401, PLC0415 - registers the task on import

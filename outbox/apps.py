from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutboxConfig(AppConfig):
    name = "outbox"
    label = "outbox"
    verbose_name = _("Outbox")

    def ready(self) -> None:
        # Late: the check imports django-health-check's checks, which need the app registry.
        from kohtaamo.health import register_check  # noqa: PLC0415 - needs the app registry

        from .health import OutboxBacklog  # noqa: PLC0415 - needs the app registry

        register_check("outbox", OutboxBacklog)
        # The delivery task, which hand_over finds by its pinned name (outbox.services).
        from . import tasks  # noqa: F401, PLC0415 - registers the task on import

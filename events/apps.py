from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("Events")

    def ready(self) -> None:
        # The receivers that keep the stored feed entries current.
        from . import page_cache  # noqa: F401, PLC0415 - its receivers, in every process
        from .calendars import signals  # noqa: F401, PLC0415 - connects on import

        # Celery's autodiscovery looks for events.tasks only: register the rooms' tasks by
        # importing them, in the web process (the outbox runs tasks by name) and the worker.
        from .calendars import tasks as calendar_tasks  # noqa: F401, PLC0415 - registers
        from .meetings import tasks as meeting_tasks  # noqa: F401, PLC0415 - registers
        from .registration import tasks as registration_tasks  # noqa: F401, PLC0415 - registers

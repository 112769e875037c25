from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecordingsConfig(AppConfig):
    name = "recordings"
    verbose_name = _("Recordings")

    def ready(self) -> None:
        # The receiver that queues the platform read of a new recording (recordings.signals).
        from . import tasks  # noqa: F401, PLC0415 - connects the receiver on import

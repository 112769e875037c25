from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class YouTubeConfig(AppConfig):
    name = "youtube"
    verbose_name = _("YouTube")

    def ready(self) -> None:
        # The outbox finds a row's task by its pinned name ("youtube.upload_caption"), whose
        # module part ("youtube") is not the tasks module: register the tasks here.
        from . import tasks  # noqa: F401, PLC0415

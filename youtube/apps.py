from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class YouTubeConfig(AppConfig):
    name = "youtube"
    verbose_name = _("YouTube")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from . import rules, signals  # noqa: PLC0415 - needs the app registry

        signals.connect()
        rules.connect()

"""System checks of the deployment that Django's own `check --deploy` does not make.

The secret key signs sessions, password-reset and e-mail confirmation links, registration
links and CSRF tokens. Django's security.W009 only warns about a short key, and the key
written in kohtaamo/settings.py for the embedded mode is long enough to pass it. So:

- `manage.py check --deploy` reports the built-in, a missing or a short key as an error
  (kohtaamo.E001), in every mode;
- outside the embedded mode the settings refuse to load with such a key at all
  (`refuse_weak_secret_key`, called from kohtaamo/settings.py).
"""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.core.exceptions import ImproperlyConfigured
from django.utils.crypto import constant_time_compare

# Only for a local trial (`make run`): anyone who reads the source knows it.
EMBEDDED_SECRET_KEY = "insecure-embedded-mode-key-change-me-in-production-0123456789"  # noqa: S105 - public on purpose
MIN_SECRET_KEY_LENGTH = 50
MIN_SECRET_KEY_CHARACTERS = 5
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "testserver", "::1", "[::1]"})


def secret_key_problem(key: str | None) -> str | None:
    """Why `key` must not sign anything in production, or None when it is fit."""
    if not key:
        return "SECRET_KEY is not set"
    if constant_time_compare(key, EMBEDDED_SECRET_KEY):
        return "SECRET_KEY is not set, so the key written in kohtaamo/settings.py is used"
    if len(key) < MIN_SECRET_KEY_LENGTH or len(set(key)) < MIN_SECRET_KEY_CHARACTERS:
        return f"SECRET_KEY is too short: use at least {MIN_SECRET_KEY_LENGTH} random characters"
    return None


def is_embedded(*, database_engine: str, allowed_hosts: list[str]) -> bool:
    """The embedded mode: the SQLite database and only local host names."""
    return database_engine == "django.db.backends.sqlite3" and set(allowed_hosts) <= LOCAL_HOSTS


def refuse_weak_secret_key(*, key: str, database_engine: str, allowed_hosts: list[str]) -> None:
    """Settings-time guard: outside the embedded mode a weak key stops the site starting."""
    problem = secret_key_problem(key)
    if problem and not is_embedded(database_engine=database_engine, allowed_hosts=allowed_hosts):
        raise ImproperlyConfigured(
            f"{problem}. Outside the embedded mode (a database other than SQLite, or "
            "ALLOWED_HOSTS other than 127.0.0.1 and localhost) Kohtaamo does not start "
            "without its own key: set the environment variable SECRET_KEY to at least "
            f"{MIN_SECRET_KEY_LENGTH} random characters, e.g. the output of "
            "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`."
        )


@register(Tags.security, deploy=True)
def check_secret_key(app_configs=None, **kwargs) -> list[Error]:  # noqa: ARG001 - Django's

    problem = secret_key_problem(getattr(settings, "SECRET_KEY", ""))
    if problem is None:
        return []
    return [
        Error(
            f"{problem}.",
            hint=f"Set the environment variable SECRET_KEY to at least "
            f"{MIN_SECRET_KEY_LENGTH} random characters (docs/configuration.md).",
            id="kohtaamo.E001",
        )
    ]

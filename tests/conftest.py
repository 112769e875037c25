import pytest
from django.core.cache import cache

from accounts.roles import Role, grant_role

from .factories import UserFactory


@pytest.fixture(autouse=True)
def _isolate(settings, tmp_path):
    """Every test: fresh cache (rate limits), files under a temporary media root."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def user(db):
    return UserFactory()


def _with_role(role: Role):
    person = UserFactory(with_totp=True)  # staff must have a second factor
    grant_role(person, role)
    return person


@pytest.fixture
def organiser(db):
    return _with_role(Role.ORGANISER)


@pytest.fixture
def communications(db):
    return _with_role(Role.COMMUNICATIONS)


@pytest.fixture
def reporting(db):
    return _with_role(Role.REPORTING)


@pytest.fixture
def admin_user(db):
    return UserFactory(is_staff=True, is_superuser=True, with_totp=True)

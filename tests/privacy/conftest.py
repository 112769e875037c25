import pytest


@pytest.fixture
def en_client(client):
    """A test client that reads the pages in English (Finnish is the default)."""
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Password hashing is not under test here; keep the suite quick on a busy machine."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

import pytest


@pytest.fixture
def en_client(client):
    """A test client that reads the pages in English (Finnish is the default)."""
    client.cookies["django_language"] = "en"
    return client

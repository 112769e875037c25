"""The Django admin shows an event but does not edit what the planning services own: an
edit there would skip the change history, SEQUENCE, the people told and the Teams meeting."""

from __future__ import annotations

import pytest
from django.urls import reverse

from events.models import EventMaterial, EventStatus
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db


def test_the_admin_cannot_move_an_event_or_add_one(client, admin_user):
    event = EventFactory(status=EventStatus.PUBLISHED)
    starts = event.starts_at
    client.force_login(admin_user)
    url = reverse("admin:events_event_change", args=[event.pk])

    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert 'name="starts_at' not in body  # shown as text, not a field
    assert 'name="meeting_url"' not in body
    event.refresh_from_db()
    assert event.starts_at == starts
    assert client.get(reverse("admin:events_event_add")).status_code == 403


def test_the_admin_cannot_add_a_material_without_the_upload_check(client, admin_user):
    event = EventFactory()
    client.force_login(admin_user)
    page = client.get(reverse("admin:events_event_change", args=[event.pk])).content.decode()
    assert "materials-__prefix__" not in page  # no empty form to add one from
    assert "materials-TOTAL_FORMS" in page  # the inline itself is there, read-only
    assert not EventMaterial.objects.exists()

"""The Django admin shows an event but does not edit what the planning services own: an
edit there would skip the change history, SEQUENCE, the people told and the Teams meeting.
Themes, presenters and series it does edit, through the planning services (audited)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import AuditEntry
from events.models import EventMaterial, EventStatus
from tests.factories import EventFactory, PresenterFactory, SeriesFactory, ThemeFactory

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


def _change_form_data(page) -> dict:
    """The admin change form's fields as the browser would send them back unchanged."""
    form = page.context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None:
            continue
        data[name] = (
            [str(v.pk if hasattr(v, "pk") else v) for v in value]
            if isinstance(value, list | tuple)
            else value
        )
    return data


@pytest.mark.parametrize(
    ("factory", "model_name", "label"),
    [
        (ThemeFactory, "theme", "title"),
        (PresenterFactory, "presenter", "name"),
        (SeriesFactory, "series", "name"),
    ],
)
def test_a_planning_record_saved_in_the_admin_is_audited_as_on_the_organiser_pages(
    client, admin_user, factory, model_name, label
):
    record = factory()
    client.force_login(admin_user)
    url = reverse(f"admin:events_{model_name}_change", args=[record.pk])
    data = _change_form_data(client.get(url))
    data[label] = "Renamed in the admin"

    response = client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    record.refresh_from_db()
    assert getattr(record, label) == "Renamed in the admin"
    entry = AuditEntry.objects.get(action=f"{model_name}.updated")
    assert (entry.actor, entry.object_id) == (admin_user, str(record.pk))

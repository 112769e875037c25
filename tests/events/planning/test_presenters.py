"""Presenters on the organiser pages: consent to a public page recorded (who and when), and
two presenters who are one person merged into one."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from accounts.models import AuditEntry
from events.models import Event, EventChange, EventStatus, Presenter
from events.planning import services as planning_services
from tests.factories import HELSINKI, EventFactory, PresenterFactory, UserFactory

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 4, 12, 0, tzinfo=HELSINKI)


@pytest.fixture
def staff_client(client, organiser):
    client.force_login(organiser)
    client.cookies["django_language"] = "en"
    return client


def _presenter_post(presenter, **overrides):
    data = {
        "name": presenter.name,
        "title": presenter.title,
        "organisation": presenter.organisation,
        "bio": presenter.bio,
        "user_email": "",
    }
    data.update(overrides)
    return data


@time_machine.travel(NOW, tick=False)
def test_an_organiser_records_the_consent_and_its_withdrawal(staff_client, organiser):
    presenter = PresenterFactory(name="Riikka Koskinen")
    edit = reverse("events:organise_presenter_edit", args=[presenter.pk])
    page = reverse("events:presenter", args=[presenter.pk])
    assert staff_client.get(page).status_code == 404  # off by default

    response = staff_client.post(edit, _presenter_post(presenter, public_page_consent="on"))

    assert response.status_code == 302
    presenter.refresh_from_db()
    assert presenter.public_page_consent
    assert (presenter.consent_recorded_at, presenter.consent_recorded_by) == (NOW, organiser)
    assert staff_client.get(page).status_code == 200
    form = staff_client.get(edit).content.decode()
    assert f"Consent recorded 4.11.2026 12:00 by {organiser.email}." in form
    assert (
        f'href="{page}"'
        in staff_client.get(reverse("events:organise_presenter_list")).content.decode()
    )

    staff_client.post(edit, _presenter_post(presenter))  # the box unticked

    presenter.refresh_from_db()
    assert not presenter.public_page_consent
    assert staff_client.get(page).status_code == 404
    actions = AuditEntry.objects.filter(object_id=str(presenter.pk)).values_list(
        "action", flat=True
    )
    assert {"presenter.consent_given", "presenter.consent_withdrawn"} <= set(actions)


def test_saving_other_details_does_not_touch_the_consent_record(staff_client, organiser):
    recorder = UserFactory()
    presenter = PresenterFactory(public_page_consent=True, consent_recorded_by=recorder)
    edit = reverse("events:organise_presenter_edit", args=[presenter.pk])

    staff_client.post(edit, _presenter_post(presenter, title="Uusi", public_page_consent="on"))

    presenter.refresh_from_db()
    assert (presenter.title, presenter.consent_recorded_by) == ("Uusi", recorder)


@pytest.fixture
def namesakes():
    keep = PresenterFactory(name="Riikka Koskinen", organisation="Kela", public_page_consent=True)
    other = PresenterFactory(name="Riikka Koskinen", title="Sosiaalityöntekijä")
    return keep, other


def test_the_list_flags_namesakes_and_the_merge_page_offers_them_first(staff_client, namesakes):
    keep, other = namesakes
    PresenterFactory(name="Aino Aalto")
    listing = staff_client.get(reverse("events:organise_presenter_list")).content.decode()
    assert listing.count("possible duplicate") == 2
    assert reverse("events:organise_presenter_merge", args=[keep.pk]) in listing

    page = staff_client.get(reverse("events:organise_presenter_merge", args=[keep.pk]))

    assert page.status_code == 200
    choices = list(page.context["form"].fields["other"].queryset)
    assert choices[0] == other  # the namesake before "Aino Aalto"
    assert page.context["form"]["other"].value() == other.pk


def test_merging_moves_every_talk_and_deletes_the_duplicate(staff_client, organiser, namesakes):
    keep, other = namesakes
    shared = EventFactory(title="Both")  # both were put on one event
    shared.presenters.add(keep, other)
    published = EventFactory(title="Other's published")
    published.presenters.add(other)
    draft = EventFactory(title="Other's draft", status=EventStatus.DRAFT)
    draft.presenters.add(other)
    url = reverse("events:organise_presenter_merge", args=[keep.pk])

    check = staff_client.post(url, {"other": other.pk, "keep": "this", "action": "preview"})
    assert check.status_code == 200
    assert "Check before merging" in check.content.decode()
    assert Presenter.objects.filter(pk=other.pk).exists()  # nothing done yet

    done = staff_client.post(url, {"other": other.pk, "keep": "this", "action": "confirm"})

    assert done.status_code == 302
    assert done["Location"] == reverse("events:organise_presenter_edit", args=[keep.pk])
    assert not Presenter.objects.filter(pk=other.pk).exists()
    for event in (shared, published, draft):
        assert list(event.presenters.all()) == [keep]
    keep.refresh_from_db()
    assert keep.title == "Sosiaalityöntekijä"  # filled in from the duplicate
    assert keep.organisation == "Kela"  # the kept one's own details stay
    entry = AuditEntry.objects.get(action="presenter.merged")
    assert (entry.actor, entry.object_id) == (organiser, str(keep.pk))
    assert entry.details["merged_id"] == other.pk
    assert sorted(entry.details["events"]) == sorted([shared.pk, published.pk, draft.pk])
    # Published events keep the change in their history; the draft has none.
    assert EventChange.objects.filter(event=published).count() == 1
    assert not EventChange.objects.filter(event=draft).exists()
    change = EventChange.objects.get(event=published).changes["presenters"]
    assert change == [["Riikka Koskinen"], ["Riikka Koskinen (Kela)"]]
    public = staff_client.get(reverse("events:presenter", args=[keep.pk]))
    assert len(public.context["upcoming"]) == 2  # the draft is not public


def test_the_other_one_may_be_kept(staff_client, namesakes):
    first, second = namesakes
    event = EventFactory()
    event.presenters.add(first)
    url = reverse("events:organise_presenter_merge", args=[first.pk])

    staff_client.post(url, {"other": second.pk, "keep": "other", "action": "confirm"})

    assert list(Presenter.objects.all()) == [second]
    assert list(event.presenters.all()) == [second]
    second.refresh_from_db()
    assert not second.public_page_consent  # the kept one's consent stays as recorded


def test_a_presenter_cannot_be_merged_with_itself(organiser, namesakes):
    keep, _other = namesakes
    with pytest.raises(planning_services.PlanningError):
        planning_services.merge_presenters(keep=keep, duplicate=keep, by=organiser)
    assert Presenter.objects.filter(pk=keep.pk).exists()


def test_only_organisers_may_merge(client, user, namesakes):
    keep, other = namesakes
    event = EventFactory()
    event.presenters.add(other)
    url = reverse("events:organise_presenter_merge", args=[keep.pk])
    data = {"other": other.pk, "keep": "this", "action": "confirm"}

    anonymous = client.post(url, data)
    client.force_login(user)
    member = client.post(url, data)

    assert anonymous.status_code == 302  # to sign in
    assert member.status_code == 403
    assert Presenter.objects.count() == 2
    assert list(Event.objects.get(pk=event.pk).presenters.all()) == [other]
    assert not AuditEntry.objects.filter(action="presenter.merged").exists()


def test_without_javascript_the_event_form_is_a_multi_select_that_saves(staff_client):
    event = EventFactory(title="Työpaja")
    kela = PresenterFactory(name="Riikka Koskinen", organisation="Kela")
    PresenterFactory(name="Riikka Koskinen", organisation="Hyvinvointialue")
    url = reverse("events:organise_event_edit", args=[event.pk])

    html = staff_client.get(url).content.decode()

    assert 'name="presenters"' in html and "multiple" in html and "data-picker" in html
    assert "Riikka Koskinen, Kela" in html and "Riikka Koskinen, Hyvinvointialue" in html
    form = staff_client.get(url).context["form"]
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    for name in ("starts_at", "ends_at"):
        data[name] = form[name].value().astimezone(HELSINKI).strftime("%Y-%m-%dT%H:%M")
    data["presenters"] = [kela.pk]
    data.pop("audience_networks", None)

    assert staff_client.post(url, data).status_code == 302
    assert list(event.presenters.all()) == [kela]


def test_the_admin_shows_the_consent_but_does_not_edit_it(client, admin_user):
    presenter = PresenterFactory(public_page_consent=True)
    client.force_login(admin_user)

    page = client.get(reverse("admin:events_presenter_change", args=[presenter.pk]))

    assert page.status_code == 200
    assert 'name="public_page_consent"' not in page.content.decode()

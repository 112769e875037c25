"""Keep calendar feeds honest when what they show changes, however it is changed.

Model signals, so the organiser pages, the admin and the services are all covered. Feeds
trust a remembered version (ETag) only until `feeds.feeds_changed()` says otherwise, and a
stored feed entry only while its event's `updated_at` is unchanged (events/calendars/feeds.py).
"""

from __future__ import annotations

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.dispatch import receiver

from ..models import Event, Presenter, Registration, Series, Theme
from . import feeds

# Before a clear the cleared rows can still be found; after add/remove pk_set names them.
M2M_CHANGES = {"post_add", "post_remove", "pre_clear"}


@receiver(post_save, sender=Event)
@receiver(post_delete, sender=Event)
@receiver(post_save, sender=Registration)
@receiver(post_delete, sender=Registration)
@receiver(post_delete, sender=Series)
def _feed_rows_changed(sender, **kwargs) -> None:
    feeds.feeds_changed()


@receiver(m2m_changed, sender=Event.audience_networks.through)
def _audience_changed(sender, action: str, **kwargs) -> None:
    if action in M2M_CHANGES:
        feeds.feeds_changed()


@receiver(m2m_changed, sender=Event.presenters.through)
def _presenters_changed(sender, instance, action: str, reverse: bool, pk_set, **kwargs) -> None:
    if action not in M2M_CHANGES:
        return
    if reverse:  # a presenter's events changed; on a clear pk_set is None: all their events
        events = Event.objects.filter(pk__in=pk_set) if pk_set else instance.events.all()
    else:
        events = Event.objects.filter(pk=instance.pk)
    feeds.events_text_changed(events)


@receiver(post_save, sender=Theme)
@receiver(pre_delete, sender=Theme)
def _theme_changed(sender, instance: Theme, **kwargs) -> None:
    feeds.events_text_changed(Event.objects.filter(theme=instance))


@receiver(post_save, sender=Presenter)
@receiver(pre_delete, sender=Presenter)
def _presenter_changed(sender, instance: Presenter, **kwargs) -> None:
    feeds.events_text_changed(Event.objects.filter(presenters=instance))

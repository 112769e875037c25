"""Path parameters for every URL name of the permission matrix, from real objects."""

from __future__ import annotations

from django.core.files.base import ContentFile

from accessibility.models import AccessibilityFeedback
from archive.models import ArchiveRequest, ArchiveStatus
from archive.services import archive_storage
from events.models import Presenter


def params_for(name: str, world) -> dict:
    event, network, recording = world.event, world.network, world.recording
    table = {
        "events:organise_theme_edit": {"pk": world.theme.pk},
        "events:organise_presenter_edit": {"pk": world.presenter.pk},
        "events:organise_presenter_merge": {"pk": world.presenter.pk},
        "events:organise_series_edit": {"pk": world.series.pk},
        "events:organise_assign_themes": {"pk": world.series.pk},
        "events:organise_material_delete": {"pk": event.pk, "material_pk": world.material.pk},
        "events:organise_attendance_import": {"pk": world.past.pk},
        "events:organise_feedback_results": {"pk": world.past.pk},
        "events:feedback": {"token": world.past_registration.token},
        "events:public_feedback": {"pk": world.past.pk, "token": world.past.feedback_token},
        "events:participants_promote": {"pk": event.pk, "registration_pk": world.guest.pk},
        "events:participants_cancel": {"pk": event.pk, "registration_pk": world.guest.pk},
        "events:participants_export": {"pk": event.pk, "fmt": "csv"},
        "events:registration": {"token": world.guest.token},
        "events:theme": {"slug": world.theme.slug},
        "calendar:series": {"slug": world.series.slug},
        "calendar:kind": {"kind": "workshop"},
        "calendar:theme": {"slug": world.theme.slug},
        "calendar:network": {"slug": network.slug, "token": network.calendar_token},
        "calendar:personal": {"token": world.people["member"].calendar_token},
        "networks:unsubscribe": {"token": world.membership.unsubscribe_token},
        "networks:invitation": {"token": world.invited.invitation_token},
        "networks:membership": {"pk": world.membership.pk},
        "networks:leave": {"pk": world.membership.pk},
        "networks:decide": {"pk": world.pending.pk},
        "networks:export": {"slug": network.slug, "fmt": "csv"},
        "recordings:fetch_track": {"pk": recording.pk, "language": "fi"},
        "youtube:read_captions": {"pk": recording.pk},
        "recordings:review": {"pk": recording.pk, "track_pk": world.track.pk},
        "recordings:findings": {"pk": recording.pk, "track_pk": world.track.pk},
        "recording-findings": {"pk": recording.pk, "track_pk": world.track.pk},
        "recording-tracks": {"pk": recording.pk},
        "recording-review": {"pk": recording.pk, "track_pk": world.track.pk},
        "recording-orders": {"pk": recording.pk},
        "recording-delivery": {"pk": recording.pk, "order_pk": world.order.pk},
        "recordings:workbench": {"pk": recording.pk, "track_pk": world.track.pk},
        "recordings:workbench_cue_edit": {
            "pk": recording.pk,
            "track_pk": world.track.pk,
            "index": 0,
        },
        "recordings:versions": {"pk": recording.pk, "track_pk": world.track.pk},
        "recordings:compare": {"pk": recording.pk, "track_pk": world.track.pk},
        "recordings:restore_version": {"pk": recording.pk, "track_pk": world.track.pk},
        "recordings:version_download": {
            "pk": recording.pk,
            "track_pk": world.track.pk,
            "number": 1,
            "fmt": "srt",
        },
        "recordings:deliver": {"pk": recording.pk, "order_pk": world.order.pk},
        "reports:chart": {"name": "kind"},
        "reach:meeting": {"pk": event.pk},
        "reach:material": {"pk": world.material.pk},
        "reach:play": {"pk": recording.pk},
        "event-attendance": {"pk": world.past.pk},
        "event-participants": {"pk": event.pk},
        "registration-detail": {"pk": world.registration.pk},
        "registration-cancel": {"pk": world.registration.pk},
        "membership-detail": {"pk": world.membership.pk},
        "membership-approve": {"pk": world.pending.pk},
        "membership-decline": {"pk": world.pending.pk},
        "membership-preferences": {"pk": world.membership.pk},
        "membership-leave": {"pk": world.membership.pk},
        "network-invitations": {"pk": network.pk},
        "network-announcements": {"pk": network.pk},
        "invitation-accept": {"token": world.invited.invitation_token},
        "invitation-decline": {"token": world.invited.invitation_token},
        "network-detail": {"pk": network.pk},
        "network-directory": {"pk": network.pk},
        "network-join": {"pk": network.pk},
        "published-recording-detail": {"pk": recording.pk},
        "mfa_remove_webauthn": {"pk": world.authenticator.pk},
        "mfa_edit_webauthn": {"pk": world.authenticator.pk},
    }
    if name == "accessibility:feedback_answer":
        return {"pk": _accessibility_feedback().pk}
    if name == "archive:download":
        return {"pk": _archive().pk}
    if name == "events:presenter":
        return {"pk": _consenting_presenter(world).pk}
    if name in table:
        return table[name]
    if name.startswith("networks:") and name != "networks:list":
        return {"slug": network.slug}
    if name.startswith("recordings:") and name not in ("recordings:dashboard", "recordings:add"):
        return {"pk": recording.pk}
    if name.startswith("events:organise_event") and name != "events:organise_event_create":
        return {"pk": event.pk}
    if name in (
        "events:detail", "events:register", "events:cancel", "events:participants",
        "events:participants_add", "events:participants_print", "events:capacity",
        "events:check_in", "events:headcount",
        "calendar:event", "event-detail", "event-register", "theme-detail",
        "recording-detail", "recording-publish",
    ):  # fmt: skip
        obj = {"theme-detail": world.theme, "recording-detail": recording,
               "recording-publish": recording}.get(name, event)  # fmt: skip
        return {"pk": obj.pk}
    return {}


def _accessibility_feedback():
    """One unanswered feedback item (made on demand: the world has none)."""
    return AccessibilityFeedback.objects.filter(answered_on__isnull=True).first() or (
        AccessibilityFeedback.objects.create(received_on="2026-12-01", message="Matrix")
    )


def _consenting_presenter(world):
    """A presenter who agreed to a public page, presenting the world's event."""
    presenter = Presenter.objects.filter(public_page_consent=True).first()
    if presenter is None:
        presenter = Presenter.objects.create(name="Julkinen Alustaja", public_page_consent=True)
        world.event.presenters.add(presenter)
    return presenter


def _archive():
    """One finished programme archive with its (tiny) file in private storage."""
    done = ArchiveRequest.objects.filter(status=ArchiveStatus.DONE).first()
    if done is None:
        stored = archive_storage().save("matrix.zip", ContentFile(b"PK\x05\x06" + bytes(18)))
        done = ArchiveRequest.objects.create(status=ArchiveStatus.DONE, file_name=stored, size=22)
    return done

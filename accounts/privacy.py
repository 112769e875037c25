"""Reads for the data subject: everything the service holds about one person.

`personal_data(user=...)` feeds both the readable page and the JSON download
(`personal_data_json`, which services.export_personal_data hands to the page's download
and to the API's /api/v1/me/data/ and writes to the access log), so they always show the
same thing. Writes (deletion, retention, the export's log line) are in accounts/services.py.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q

from events.models import (
    AttendanceImport,
    Event,
    EventChange,
    Feedback,
    Presenter,
    Registration,
    Series,
)
from networks.models import Announcement, Membership, Network
from recordings.models import CaptionOrder, CaptionTrack, Recording

from .models import AuditEntry, User


def _profile(user: User) -> dict[str, Any]:
    return {
        "id": user.pk,
        "email": user.email,
        "name": user.display_name,
        "title": user.title,
        "organisation": user.organisation.name if user.organisation_id else None,
        "organisation_name": user.organisation_name,
        "phone": user.phone,
        "language": user.language,
        "reminders_enabled": user.reminders_enabled,
        "date_joined": user.date_joined,
        "last_login": user.last_login,
        "roles": sorted(user.groups.values_list("name", flat=True)),
        "is_administrator": user.is_superuser,
    }


def _registrations(user: User) -> list[dict[str, Any]]:
    rows = (
        Registration.objects.filter(user=user)
        .select_related("event__theme", "organisation")
        .order_by("event__starts_at", "pk")
    )
    return [
        {
            "id": r.pk,
            "event_id": r.event_id,
            "event": r.event.display_title,
            "event_starts_at": r.event.starts_at,
            "name": r.name,
            "email": r.email,
            "organisation": r.organisation.name if r.organisation_id else r.organisation_name,
            "status": r.status,
            "registered_at": r.created_at,
            "confirmed_at": r.confirmed_at,
            "cancelled_at": r.cancelled_at,
            "answers": {
                "accessibility_needs": r.accessibility_needs,
                "interpretation": r.interpretation,
                "diet": r.diet,
                "question_answer": r.question_answer,
            },
            "attendance": {
                "attended": r.attended,
                "source": r.attendance_source,
                "minutes": r.minutes_attended,
            },
        }
        for r in rows
    ]


def _feedback(user: User) -> list[dict[str, Any]]:
    rows = Feedback.objects.filter(registration__user=user).order_by("submitted_at", "pk")
    return [
        {
            "id": f.pk,
            "event_id": f.event_id,
            "usefulness": f.usefulness,
            "recommend": f.recommend,
            "comment": f.comment,
            "submitted_at": f.submitted_at,
        }
        for f in rows
    ]


def _memberships(user: User) -> list[dict[str, Any]]:
    rows = (
        Membership.objects.filter(user=user)
        .select_related("network", "organisation")
        .order_by("network__name", "pk")
    )
    return [
        {
            "id": m.pk,
            "network": m.network.name,
            "organisation": m.organisation.name if m.organisation_id else None,
            "role": m.role,
            "status": m.status,
            "requested_at": m.requested_at,
            "joined_on": m.joined_on,
            "left_on": m.left_on,
            "decision_message": m.decision_message,
            "consents": {
                "show_email": m.show_email,
                "show_phone": m.show_phone,
                "show_title": m.show_title,
            },
            "message_preference": m.message_preference,
        }
        for m in rows
    ]


def _messages(user: User) -> list[dict[str, Any]]:
    rows = Announcement.objects.filter(author=user).select_related("network").order_by("sent_at")
    return [
        {
            "id": a.pk,
            "network": a.network.name,
            "subject": a.subject,
            "body": a.body,
            "sent_at": a.sent_at,
        }
        for a in rows
    ]


def _caption_track_ids(user: User) -> list[int]:
    return list(
        CaptionTrack.objects.filter(uploaded_by=user).order_by("pk").values_list("pk", flat=True)
    )


def _staff_records(user: User) -> dict[str, list[int]]:
    """Ids of rows that name this person as the one who did something (staff work)."""

    def ids(queryset) -> list[int]:
        return list(queryset.order_by("pk").values_list("pk", flat=True))

    return {
        "events_created": ids(Event.objects.filter(created_by=user)),
        "event_changes": ids(EventChange.objects.filter(changed_by=user)),
        "attendance_imports": ids(AttendanceImport.objects.filter(imported_by=user)),
        "series_organised": ids(Series.objects.filter(organisers=user)),
        "networks_coordinated": ids(Network.objects.filter(coordinators=user)),
        "recordings_published": ids(Recording.objects.filter(published_by=user)),
        "caption_tracks_reviewed": ids(CaptionTrack.objects.filter(reviewed_by=user)),
        "caption_orders": ids(CaptionOrder.objects.filter(ordered_by=user)),
    }


def _presenter_profiles(user: User) -> list[dict[str, Any]]:
    return [
        {"id": p.pk, "name": p.name, "title": p.title, "organisation": p.organisation}
        for p in Presenter.objects.filter(user=user).order_by("pk")
    ]


def audit_entries_about(user: User):
    """Audit lines whose object is this person (for example a role they were given)."""
    return AuditEntry.objects.filter(
        Q(object_type=User._meta.label, object_id=str(user.pk))
    ).order_by("at", "pk")


def _audit(user: User) -> list[dict[str, Any]]:
    return [
        {
            "at": e.at,
            "action": e.action,
            "by": e.actor_label,
            "details": e.details,
        }
        for e in audit_entries_about(user)
    ]


def personal_data(*, user: User) -> dict[str, Any]:
    """Everything the service holds about `user` (dates as date/datetime objects).

    A fixed number of queries, whatever the number of rows.
    """
    user = User.objects.select_related("organisation").get(pk=user.pk)
    return {
        "profile": _profile(user),
        "registrations": _registrations(user),
        "feedback": _feedback(user),
        "memberships": _memberships(user),
        "network_messages": _messages(user),
        "presenter_profiles": _presenter_profiles(user),
        "caption_tracks_uploaded": _caption_track_ids(user),
        "staff_records": _staff_records(user),
        "audit_entries": _audit(user),
    }


def personal_data_json(*, user: User) -> str:
    """`personal_data` as the JSON text of the download (the page's and the API's)."""
    return json.dumps(personal_data(user=user), cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)

"""Domain operations on organisations, networks, memberships and messages.

E-mails go out by Celery task after the transaction commits (networks.tasks).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.audit import record_audit
from events.models import Registration
from kohtaamo.errors import DomainError

from . import tasks
from .models import (
    Announcement,
    JoinPolicy,
    MemberRole,
    Membership,
    MembershipStatus,
    MessagePreference,
    Network,
    Organisation,
    OrganisationAlias,
    alias_key,
    new_token,
)
from .selectors import OPEN_STATUSES, is_coordinator

_UNREAD = object()


class NetworkError(DomainError):
    """A domain error of networks, with a message for the person."""


class JoinRefusedError(NetworkError):
    default_message = _("This network takes new members by invitation only.")


class AlreadyMemberError(NetworkError):
    default_message = _("This person is already a member of the network or has been invited.")


class InvalidDecisionError(NetworkError):
    default_message = _("Only a request that is waiting for approval can be decided.")


class NotCoordinatorError(NetworkError):
    default_message = _("Only the network's coordinators can do this.")


class NothingSelectedError(NetworkError):
    default_message = _("Choose at least one request first.")


class InvalidInvitationError(NetworkError):
    default_message = _("This invitation is no longer valid.")


class InvitationForAnotherAccountError(InvalidInvitationError):
    default_message = _("This invitation was sent to another account.")


# --- Organisations -----------------------------------------------------------------------


@transaction.atomic
def merge_organisations(
    *, keep: Organisation, duplicates: Iterable[Organisation], by
) -> dict[str, int]:
    """Move people, memberships and registrations to `keep`, then delete the duplicates."""
    duplicate_ids = [o.pk for o in duplicates if o.pk != keep.pk]
    if not duplicate_ids:
        return {"people": 0, "memberships": 0, "registrations": 0, "removed": 0}
    names = list(Organisation.objects.filter(pk__in=duplicate_ids).values_list("name", flat=True))
    moved = {
        "people": get_user_model()
        .objects.filter(organisation_id__in=duplicate_ids)
        .update(organisation=keep),
        "memberships": Membership.objects.filter(organisation_id__in=duplicate_ids).update(
            organisation=keep
        ),
        "registrations": Registration.objects.filter(organisation_id__in=duplicate_ids).update(
            organisation=keep
        ),
    }
    # Member lists that wrote a duplicate's name (or one of its aliases) still find `keep`.
    OrganisationAlias.objects.filter(organisation_id__in=duplicate_ids).update(organisation=keep)
    for name in names:
        key = alias_key(name)
        if key != alias_key(keep.name):
            OrganisationAlias.objects.get_or_create(
                key=key, defaults={"value": name, "organisation": keep, "created_by": by}
            )
    moved["removed"] = (
        Organisation.objects.filter(pk__in=duplicate_ids)
        .delete()[1]
        .get(Organisation._meta.label, 0)
    )
    record_audit(actor=by, action="organisation.merged", obj=keep, merged=names, **moved)
    return moved


# --- Joining and leaving -----------------------------------------------------------------


def _lock_network(network: Network) -> Network:
    return Network.objects.select_for_update().get(pk=network.pk)


ALREADY_MEMBER = _("You are already a member or your request is waiting.")


@dataclass(frozen=True)
class JoinAvailability:
    """May this person join the network now, and how. The page, the API and
    `request_to_join` read this one answer."""

    may_join: bool
    action: str = ""  # "join" (active at once), "request" (a coordinator decides),
    # "accept" (an invitation waits); "" when they may not
    reason: str = ""  # why not: "member", "pending" or "invitation_only"; "" when they may
    status: str = ""  # the person's membership status ("" for none)
    sign_in_needed: bool = False  # signed out: they may, after signing in

    @property
    def message(self):
        """Why not, in the person's language (lazy); None when they may join."""
        return {
            "member": ALREADY_MEMBER,
            "pending": ALREADY_MEMBER,
            "invitation_only": JoinRefusedError.default_message,
        }.get(self.reason)


def join_availability(*, network: Network, person, membership=_UNREAD) -> JoinAvailability:
    """The one answer to "may this person join (or ask to join) this network?".

    Open networks: join at once; on approval: ask; by invitation: only an invited person,
    who accepts. A member or a waiting request may not ask again; a person who left or
    was declined may. `membership`: the person's row (or only its status, as the API's
    list reads it) when the caller has read it; otherwise one query.
    """
    signed_in = getattr(person, "is_authenticated", False)
    if membership is _UNREAD:
        membership = (
            Membership.objects.filter(network=network, user=person).first() if signed_in else None
        )
    if isinstance(membership, str):
        status = membership
    else:
        status = membership.status if membership is not None else ""
    if status == MembershipStatus.ACTIVE:
        return JoinAvailability(may_join=False, reason="member", status=status)
    if status == MembershipStatus.PENDING:
        return JoinAvailability(may_join=False, reason="pending", status=status)
    if status == MembershipStatus.INVITED:
        return JoinAvailability(may_join=True, action="accept", status=status)
    if network.join_policy == JoinPolicy.INVITATION:
        return JoinAvailability(may_join=False, reason="invitation_only", status=status)
    action = "join" if network.join_policy == JoinPolicy.OPEN else "request"
    return JoinAvailability(
        may_join=True, action=action, status=status, sign_in_needed=not signed_in
    )


@transaction.atomic
def request_to_join(
    *,
    network: Network,
    person,
    organisation: Organisation | None = None,
    role: str = MemberRole.PRACTITIONER,
    show_email: bool = False,
    show_phone: bool = False,
    show_title: bool = True,
    message_preference: str = MessagePreference.DIGEST,
) -> Membership:
    """As `join_availability` says: open networks: active at once; on approval: pending;
    an invited person accepts the invitation; otherwise refused (nothing saved)."""
    network = _lock_network(network)
    membership = Membership.objects.filter(network=network, user=person).first()
    availability = join_availability(network=network, person=person, membership=membership)
    if not availability.may_join:
        if availability.reason == "invitation_only":
            raise JoinRefusedError
        raise AlreadyMemberError(availability.message)
    if availability.action == "accept":
        return accept_invitation(
            membership=membership,
            person=person,
            organisation=organisation,
            role=role,
            show_email=show_email,
            show_phone=show_phone,
            show_title=show_title,
            message_preference=message_preference,
        )
    membership = membership or Membership(network=network, user=person)
    membership.organisation = organisation or person.organisation
    membership.role = role
    membership.show_email, membership.show_phone = show_email, show_phone
    membership.show_title = show_title
    membership.message_preference = message_preference
    membership.decision_message = ""
    membership.left_on = None
    if network.join_policy == JoinPolicy.OPEN:
        membership.status = MembershipStatus.ACTIVE
        membership.joined_on = timezone.localdate()
    else:
        membership.status = MembershipStatus.PENDING
        membership.joined_on = None
    membership.save()
    if membership.status == MembershipStatus.PENDING:
        # The coordinators decide, so they hear of the request (the page lists it too).
        tasks.queue(tasks.send_join_request, membership.pk)
    return membership


def _lock_membership(membership: Membership) -> Membership:
    return Membership.objects.select_for_update().select_related("network").get(pk=membership.pk)


def _decide(*, membership: Membership, by, message: str, approve: bool) -> Membership:
    membership = _lock_membership(membership)
    if not is_coordinator(by, membership.network):
        raise NotCoordinatorError
    if membership.status != MembershipStatus.PENDING:
        raise InvalidDecisionError
    return _record_decision(membership=membership, by=by, message=message, approve=approve)


def _record_decision(*, membership: Membership, by, message: str, approve: bool) -> Membership:
    """Decide a pending request the caller has locked: status, audit line, e-mail (outbox).
    The one decision of `approve_membership`, `decline_membership` and `decide_requests`."""
    membership.status = MembershipStatus.ACTIVE if approve else MembershipStatus.DECLINED
    membership.joined_on = timezone.localdate() if approve else None
    membership.decision_message = message.strip()
    membership.save(update_fields=["status", "joined_on", "decision_message"])
    record_audit(
        actor=by,
        action="membership.approved" if approve else "membership.declined",
        obj=membership,
        network=membership.network.slug,
        message=membership.decision_message or None,
    )

    tasks.queue(tasks.send_membership_decision, membership.pk)
    return membership


@transaction.atomic
def approve_membership(*, membership: Membership, by, message: str = "") -> Membership:
    return _decide(membership=membership, by=by, message=message, approve=True)


@transaction.atomic
def decline_membership(*, membership: Membership, by, message: str = "") -> Membership:
    return _decide(membership=membership, by=by, message=message, approve=False)


@dataclass(frozen=True)
class RequestsDecision:
    """What `decide_requests` did: the requests it decided and the ones it left as they
    were because they no longer waited (another coordinator decided, or the person left)."""

    approved: bool
    decided: list[Membership]
    skipped: list[Membership]


@transaction.atomic
def decide_requests(
    *, network: Network, membership_ids: Iterable[int], by, approve: bool, message: str = ""
) -> RequestsDecision:
    """Approve or decline several join requests of one network at once, each exactly as
    `approve_membership` / `decline_membership` does (the same audit line and e-mail, the
    same message to each person), all in one transaction.

    The rows are locked in id order (two coordinators deciding at once wait for each other
    instead of deadlocking); a request that is no longer pending when its lock is taken is
    skipped and reported, never decided twice. Ids of other networks' memberships are left
    out; NothingSelectedError when nothing of this network is left to look at.
    """
    if not is_coordinator(by, network):
        raise NotCoordinatorError
    ids = sorted({int(pk) for pk in membership_ids})
    if not ids:
        raise NothingSelectedError
    rows = list(
        Membership.objects.select_for_update(of=("self",))
        .select_related("user")
        .filter(network=network, pk__in=ids)
        .order_by("pk")
    )
    if not rows:
        raise NothingSelectedError
    decided, skipped = [], []
    for membership in rows:
        membership.network = network
        if membership.status != MembershipStatus.PENDING:
            skipped.append(membership)
            continue
        decided.append(
            _record_decision(membership=membership, by=by, message=message, approve=approve)
        )
    return RequestsDecision(approved=approve, decided=decided, skipped=skipped)


@transaction.atomic
def leave_network(*, membership: Membership) -> Membership:
    membership = _lock_membership(membership)
    if membership.status not in OPEN_STATUSES:
        return membership
    membership.status = MembershipStatus.LEFT
    membership.left_on = timezone.localdate()
    membership.save(update_fields=["status", "left_on"])
    return membership


ERASED_MEMBERSHIP_FIELDS = [
    "status",
    "user",
    "invited_email",
    "invited_name",
    "invited_title",
    "invitation_token",
    "decision_message",
    "show_email",
    "show_phone",
    "show_title",
    "unsubscribe_token",
    "anonymised_at",
]


@transaction.atomic
def erase_person(*, person) -> int:
    """Networks' part of deleting an account (accounts.services.delete_account calls it).

    Active memberships end as if the person left today (`leave_network`); requests and
    invitations end without a leaving date. Every membership then keeps only network,
    organisation, role and dates (the membership counts stay), with the person, the
    invitation, the coordinator's message and the directory consents removed.
    Idempotent: a second call finds nothing of the person. Returns the rows anonymised.
    """
    now = timezone.now()
    for membership in Membership.objects.filter(user=person, status=MembershipStatus.ACTIVE):
        leave_network(membership=membership)
    rows = list(Membership.objects.select_for_update().filter(user=person))
    for row in rows:
        if row.status in OPEN_STATUSES:
            row.status = MembershipStatus.LEFT
        row.user = None
        row.invited_email = ""
        row.invited_name = row.invited_title = ""
        row.invitation_token = ""
        row.decision_message = ""
        row.show_email = row.show_phone = row.show_title = False
        row.unsubscribe_token = new_token()
        row.anonymised_at = now
    Membership.objects.bulk_update(rows, ERASED_MEMBERSHIP_FIELDS)
    return len(rows)


@transaction.atomic
def update_consent_and_preferences(
    *,
    membership: Membership,
    show_email: bool,
    show_phone: bool,
    show_title: bool,
    message_preference: str,
) -> Membership:
    """The member's own choices: what others see, and how many messages arrive."""
    membership = _lock_membership(membership)
    membership.show_email, membership.show_phone = show_email, show_phone
    membership.show_title = show_title
    membership.message_preference = message_preference
    membership.save(update_fields=["show_email", "show_phone", "show_title", "message_preference"])
    return membership


@transaction.atomic
def unsubscribe(*, token: str) -> Membership | None:
    """Messages off for the membership that carries this token (no sign-in needed)."""
    membership = Membership.objects.select_for_update().filter(unsubscribe_token=token).first()
    if membership is None or not secrets.compare_digest(membership.unsubscribe_token, token):
        return None
    membership.message_preference = MessagePreference.NONE
    membership.save(update_fields=["message_preference"])
    return membership


# --- Invitations -------------------------------------------------------------------------


def _invite_one(
    *,
    network: Network,
    email: str,
    name: str = "",
    organisation: Organisation | None = None,
    role: str = MemberRole.PRACTITIONER,
    title: str = "",
) -> Membership:
    """Create (or renew) an invited membership. The caller holds the network lock."""
    email = email.strip().lower()
    person = get_user_model().objects.filter(email__iexact=email).first()
    membership = None
    if person is not None:
        membership = Membership.objects.filter(network=network, user=person).first()
    if membership is None:
        membership = Membership.objects.filter(
            network=network, user__isnull=True, invited_email__iexact=email
        ).first()
    if membership is not None and membership.status in OPEN_STATUSES:
        raise AlreadyMemberError
    membership = membership or Membership(network=network, user=person)
    membership.invited_email = email
    membership.invited_name = name.strip()
    membership.invited_title = title.strip()
    membership.organisation = organisation or (person.organisation if person else None)
    membership.role = role
    membership.status = MembershipStatus.INVITED
    membership.invitation_token = secrets.token_urlsafe(32)
    membership.joined_on = membership.left_on = None
    membership.save()
    return membership


def send_invitations_after_commit(membership_ids: Sequence[int]) -> None:
    for pk in membership_ids:
        tasks.queue(tasks.send_invitation, pk)


@transaction.atomic
def invite(
    *,
    network: Network,
    email: str,
    by,
    name: str = "",
    organisation: Organisation | None = None,
    role: str = MemberRole.PRACTITIONER,
) -> Membership:
    """Invite by e-mail; the e-mail carries a link that the person accepts after signing in."""
    if not is_coordinator(by, network):
        raise NotCoordinatorError
    network = _lock_network(network)
    membership = _invite_one(
        network=network, email=email, name=name, organisation=organisation, role=role
    )
    record_audit(actor=by, action="membership.invited", obj=membership, network=network.slug)
    send_invitations_after_commit([membership.pk])
    return membership


def invitation_by_token(token: str) -> Membership | None:
    if not token:
        return None
    membership = (
        Membership.objects.select_related("network", "organisation")
        .filter(invitation_token=token, status=MembershipStatus.INVITED)
        .first()
    )
    if membership is None or not secrets.compare_digest(membership.invitation_token, token):
        return None
    return membership


@transaction.atomic
def accept_invitation(
    *,
    membership: Membership,
    person,
    organisation: Organisation | None = None,
    role: str | None = None,
    show_email: bool = False,
    show_phone: bool = False,
    show_title: bool = True,
    message_preference: str = MessagePreference.DIGEST,
) -> Membership:
    """The invited person (signed in) joins: the membership becomes theirs and active."""
    membership = _lock_membership(membership)
    if membership.status != MembershipStatus.INVITED:
        raise InvalidInvitationError
    if membership.user_id and membership.user_id != person.pk:
        raise InvitationForAnotherAccountError
    own = Membership.objects.filter(network=membership.network, user=person).first()
    if own is not None and own.pk != membership.pk:
        if own.status in (MembershipStatus.ACTIVE, MembershipStatus.PENDING):
            membership.delete()
            if own.status == MembershipStatus.ACTIVE:
                return own
            membership, own = own, None
        else:  # an old declined or left membership: reuse it, drop the invitation row
            token = membership.invitation_token
            membership.delete()
            own.invitation_token = token
            membership = own
    membership.user = person
    membership.organisation = organisation or membership.organisation or person.organisation
    if role:
        membership.role = role
    membership.show_email, membership.show_phone = show_email, show_phone
    membership.show_title = show_title
    membership.message_preference = message_preference
    membership.status = MembershipStatus.ACTIVE
    membership.joined_on = timezone.localdate()
    membership.left_on = None
    membership.invitation_token = ""
    membership.save()
    return membership


@transaction.atomic
def decline_invitation(*, membership: Membership, person) -> Membership:
    membership = _lock_membership(membership)
    if membership.status != MembershipStatus.INVITED:
        raise InvalidInvitationError
    if membership.user_id and membership.user_id != person.pk:
        raise InvitationForAnotherAccountError
    membership.status = MembershipStatus.DECLINED
    membership.invitation_token = ""
    membership.save(update_fields=["status", "invitation_token"])
    return membership


# --- Announcements and digests ------------------------------------------------------------


@transaction.atomic
def rotate_calendar_token(*, network: Network, by) -> str:
    """A new calendar address for the network; the old one stops working at once (for every
    subscriber: so only coordinators may, when the address has leaked)."""
    if not is_coordinator(by, network):
        raise NotCoordinatorError
    network = _lock_network(network)
    network.calendar_token = new_token()
    network.save(update_fields=["calendar_token"])
    record_audit(actor=by, action="network.calendar_link_renewed", obj=network)
    return network.calendar_token


@transaction.atomic
def send_announcement(*, network: Network, subject: str, body: str, by) -> Announcement:
    """Store an announcement; members who chose "each message" get it at once (by task)."""
    if not is_coordinator(by, network):
        raise NotCoordinatorError
    subject, body = subject.strip(), body.strip()
    if not subject or not body:
        raise NetworkError(_("An announcement needs a subject and a message."))
    announcement = Announcement.objects.create(
        network=network, author=by, subject=subject, body=body
    )
    record_audit(actor=by, action="announcement.sent", obj=announcement, network=network.slug)

    tasks.queue(tasks.deliver_announcement, announcement.pk)
    return announcement

"""Shared reads of networks: pages, the API, exports and tasks use these.

`is_coordinator` is THE answer to "may this person manage this network";
`can_view_network` and `can_view_directory` build on it. Nothing else decides.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import CharField, Count, OuterRef, Q, QuerySet, Subquery, Value
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.roles import Ability, can
from events.selectors import visible_events

from .models import (
    Announcement,
    MemberRole,
    Membership,
    MembershipStatus,
    MessagePreference,
    Network,
    Organisation,
    Sector,
    Visibility,
)

OPEN_STATUSES = (MembershipStatus.INVITED, MembershipStatus.PENDING, MembershipStatus.ACTIVE)


# --- Who may do what -----------------------------------------------------------------


def is_coordinator(user, network: Network) -> bool:
    """A coordinator of this network, or anyone who may manage all networks."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if can(user, Ability.MANAGE_NETWORKS):
        return True
    ids = user.__dict__.get("_coordinated_network_ids")
    if ids is None:  # once per request: the user object lives as long as the request
        ids = set(user.coordinated_networks.values_list("pk", flat=True))
        user.__dict__["_coordinated_network_ids"] = ids
    return network.pk in ids


def is_active_member(user, network: Network) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return Membership.objects.filter(
        network=network, user=user, status=MembershipStatus.ACTIVE
    ).exists()


def can_view_network(user, network: Network) -> bool:
    """Public pages for everyone; members-only pages for active members and coordinators."""
    if network.visibility == Visibility.PUBLIC:
        return True
    return is_coordinator(user, network) or is_active_member(user, network)


def can_view_directory(user, network: Network) -> bool:
    """The member directory is for the network's active members and its coordinators."""
    return is_coordinator(user, network) or is_active_member(user, network)


_UNREAD = object()


def can_see_calendar_feed(user, network: Network, *, membership=_UNREAD) -> bool:
    """The network's calendar address (its token is the only secret): for active members and
    coordinators, as the directory. `membership`: the person's own (or None), if read."""
    if membership is _UNREAD:
        membership = own_membership(user=user, network=network)
    return (membership is not None and membership.is_active) or is_coordinator(user, network)


# --- Networks ----------------------------------------------------------------------------


def visible_networks(*, user) -> QuerySet[Network]:
    """Networks this person may see: public ones, their own, all for network managers."""
    networks = Network.objects.all()
    if can(user, Ability.MANAGE_NETWORKS):
        return networks.order_by("name")
    condition = Q(visibility=Visibility.PUBLIC)
    if getattr(user, "is_authenticated", False):
        condition |= Q(coordinators=user) | Q(
            memberships__user=user, memberships__status=MembershipStatus.ACTIVE
        )
    return networks.filter(condition).distinct().order_by("name")


def with_my_membership(networks: QuerySet[Network], *, user) -> QuerySet[Network]:
    """Annotate `my_membership_status` (the person's membership status, None if none) in the
    same query, for `networks.services.join_availability` on a list."""
    if not getattr(user, "is_authenticated", False):
        return networks.annotate(my_membership_status=Value(None, output_field=CharField()))
    mine = Membership.objects.filter(network=OuterRef("pk"), user=user).values("status")
    return networks.annotate(my_membership_status=Subquery(mine[:1]))


def network_for_viewer(*, slug: str, user) -> Network | None:
    """The network if this person may see its page, otherwise None (the view answers 404)."""
    network = Network.objects.filter(slug=slug).first()
    if network is None or not can_view_network(user, network):
        return None
    return network


def own_membership(*, user, network: Network) -> Membership | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Membership.objects.filter(network=network, user=user).first()


def network_meetings(*, network: Network, user) -> tuple[list, list]:
    """Upcoming and past events whose audience includes this network, with materials."""
    events = (
        visible_events(user=user)
        .filter(audience_networks=network)
        .select_related("theme")
        .prefetch_related("materials")
    )
    now = timezone.now()
    upcoming = list(events.filter(ends_at__gte=now).order_by("starts_at"))
    past = list(events.filter(ends_at__lt=now).order_by("-starts_at"))
    return upcoming, past


def membership_counts(*, network: Network) -> dict[str, list[tuple[str, int]]]:
    """Active members by sector and by role: counts only, no names."""
    active = Membership.objects.filter(network=network, status=MembershipStatus.ACTIVE)
    sector_labels = dict(Sector.choices)
    by_sector = {
        row["organisation__sector"]: row["n"]
        for row in active.values("organisation__sector").annotate(n=Count("pk"))
    }
    by_role = {row["role"]: row["n"] for row in active.values("role").annotate(n=Count("pk"))}
    sectors = [(sector_labels[key], by_sector[key]) for key in sector_labels if key in by_sector]
    if by_sector.get(None):
        sectors.append((str(_unknown_sector()), by_sector[None]))
    roles = [(label, by_role[key]) for key, label in MemberRole.choices if key in by_role]
    return {"sectors": sectors, "roles": roles, "total": sum(by_role.values())}


def _unknown_sector():
    return _("Organisation not given")


def pending_count(*, network: Network) -> int:
    return Membership.objects.filter(network=network, status=MembershipStatus.PENDING).count()


def recent_announcements(*, network: Network, limit: int = 5) -> list[Announcement]:
    return list(network.announcements.select_related("author")[:limit])


# --- Members ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DirectoryFilters:
    search: str = ""
    organisation: int | None = None
    sector: str = ""
    role: str = ""
    municipality: str = ""


def directory_members(*, network: Network, filters: DirectoryFilters | None = None):
    """Active members with a person, ordered by name; one query whatever their number."""
    filters = filters or DirectoryFilters()
    members = Membership.objects.filter(
        network=network, status=MembershipStatus.ACTIVE, user__isnull=False
    ).select_related("user", "organisation", "user__organisation")
    if filters.search:
        members = members.filter(
            Q(user__display_name__icontains=filters.search) | Q(user__email__iexact=filters.search)
        )
    if filters.organisation:
        members = members.filter(organisation_id=filters.organisation)
    if filters.sector:
        members = members.filter(organisation__sector=filters.sector)
    if filters.role:
        members = members.filter(role=filters.role)
    if filters.municipality:
        members = members.filter(organisation__municipality__iexact=filters.municipality)
    return members.order_by("user__display_name", "user__email", "pk")


def coordinator_members(*, network: Network, status: str = "", requests: bool = True):
    """Every membership of the network (any status) for its coordinators; without the
    pending requests when `requests` is False (the page lists those apart)."""
    members = Membership.objects.filter(network=network).select_related(
        "user", "organisation", "user__organisation"
    )
    if status:
        members = members.filter(status=status)
    if not requests:
        members = members.exclude(status=MembershipStatus.PENDING)
    return members.order_by("status", "user__display_name", "invited_name", "pk")


def join_requests(*, network: Network) -> QuerySet[Membership]:
    """The requests waiting for a coordinator's decision, the oldest first (one query)."""
    return (
        Membership.objects.filter(network=network, status=MembershipStatus.PENDING)
        .select_related("user", "organisation", "user__organisation")
        .order_by("requested_at", "pk")
    )


@dataclass(frozen=True)
class PreferenceCount:
    preference: str  # a MessagePreference value
    label: str
    count: int


def message_preference_counts(*, network: Network) -> list[PreferenceCount]:
    """How many of the network's active members get each message, a weekly digest or
    nothing (every choice listed, also with 0); one query whatever their number."""
    counts = dict(
        Membership.objects.filter(network=network, status=MembershipStatus.ACTIVE)
        .order_by()
        .values("message_preference")
        .annotate(n=Count("pk"))
        .values_list("message_preference", "n")
    )
    return [
        PreferenceCount(preference=value, label=str(label), count=counts.get(value, 0))
        for value, label in MessagePreference.choices
    ]


def filter_choices(*, network: Network) -> dict:
    """Organisations and municipalities present among the active members (two queries)."""
    organisations = Organisation.objects.filter(
        memberships__network=network, memberships__status=MembershipStatus.ACTIVE
    ).distinct()
    return {
        "organisations": list(organisations.order_by("name").values_list("pk", "name")),
        "municipalities": sorted(
            {m for m in organisations.values_list("municipality", flat=True) if m}
        ),
        "sectors": Sector.choices,
        "roles": MemberRole.choices,
    }


@dataclass(frozen=True)
class DirectoryEntry:
    """What other members may see of one member: contact details only with consent."""

    membership_id: int
    name: str
    title: str
    organisation: str
    sector: str
    municipality: str
    role: str
    email: str
    phone: str


def directory_entry(membership: Membership) -> DirectoryEntry:
    user = membership.user
    organisation = membership.organisation or (user.organisation if user else None)
    return DirectoryEntry(
        membership_id=membership.pk,
        name=membership.display_name,
        title=(user.title if membership.show_title else "") if user else membership.invited_title,
        organisation=organisation.name
        if organisation
        else (user.organisation_name if user else ""),
        sector=str(organisation.get_sector_display()) if organisation else "",
        municipality=organisation.municipality if organisation else "",
        role=str(membership.get_role_display()),
        email=user.email if user and membership.show_email else "",
        phone=user.phone if user and membership.show_phone else "",
    )


def memberships_of(*, user) -> QuerySet[Membership]:
    """A person's own memberships, with their networks (profile, API)."""
    if not getattr(user, "is_authenticated", False):
        return Membership.objects.none()
    return (
        Membership.objects.filter(user=user)
        .exclude(status=MembershipStatus.DECLINED)
        .select_related("network", "organisation")
        .order_by("network__name")
    )


def coordinated_memberships(*, user) -> QuerySet[Membership]:
    """Memberships in networks this person coordinates (API management)."""
    members = Membership.objects.select_related("network", "user", "organisation")
    if not getattr(user, "is_authenticated", False):
        return members.none()
    if can(user, Ability.MANAGE_NETWORKS):
        return members.order_by("network__name", "pk")
    return members.filter(network__coordinators=user).order_by("network__name", "pk")


def coordinators_to_tell_of_request(*, membership_id: int) -> list[int]:
    """The ids of the active coordinators to tell of a join request still waiting for a
    decision (none when it was decided, withdrawn or its person deleted meanwhile)."""
    membership = (
        Membership.objects.select_related("network")
        .filter(pk=membership_id, status=MembershipStatus.PENDING, user__isnull=False)
        .first()
    )
    if membership is None:
        return []
    return list(membership.network.coordinators.filter(is_active=True).values_list("pk", flat=True))

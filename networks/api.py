"""API endpoints of this app, registered on the /api/v1/ router.

/api/v1/networks/                    networks the person may see
/api/v1/networks/<id>/directory/     the member directory (active members, coordinators)
/api/v1/networks/<id>/join/          ask to join (POST)
/api/v1/memberships/mine/            my memberships
/api/v1/memberships/                 memberships of the networks I coordinate
/api/v1/memberships/<id>/approve/    approve a request (coordinators, POST {"message"})
/api/v1/memberships/<id>/decline/    decline a request (coordinators, POST {"message"})
/api/v1/networks/<id>/invitations/   invite a person by e-mail (coordinators, POST)
/api/v1/networks/<id>/announcements/ send an announcement to the members (coordinators, POST)
/api/v1/invitations/<token>/accept/  the invited person joins (POST, the join choices)
/api/v1/invitations/<token>/decline/ the invited person declines (POST)
/api/v1/memberships/<id>/preferences/  my own consents and message preference (POST)
/api/v1/memberships/<id>/leave/      leave a network (my own membership, POST)
"""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from accounts.audit import record_access
from accounts.models import AccessChannel
from kohtaamo.pagination import BoundedLimitOffsetPagination

from . import selectors, services
from .models import (
    Announcement,
    MemberRole,
    Membership,
    MessagePreference,
    Network,
    Organisation,
)

urlpatterns: list = []
_UNREAD = object()


class JoinAvailabilitySerializer(serializers.Serializer):
    """networks.services.JoinAvailability: the network page shows the same answer."""

    may_join = serializers.BooleanField()
    action = serializers.CharField(help_text="join, request or accept; empty when not.")
    reason = serializers.CharField(help_text="member, pending or invitation_only; or empty.")
    message = serializers.CharField(allow_null=True, help_text="The reason in words.")
    status = serializers.CharField(help_text="The caller's membership status, if any.")
    sign_in_needed = serializers.BooleanField()

    def to_representation(self, availability):
        data = super().to_representation(availability)
        data["message"] = str(availability.message) if availability.message else None
        return data


class NetworkSerializer(serializers.ModelSerializer):
    url = serializers.CharField(source="get_absolute_url", read_only=True)
    join = serializers.SerializerMethodField()

    class Meta:
        model = Network
        fields = ["id", "name", "slug", "description", "join_policy", "visibility", "url", "join"]

    @extend_schema_field(JoinAvailabilitySerializer)
    def get_join(self, network: Network) -> dict:
        """May the caller join (networks.services.join_availability)."""
        request = self.context.get("request")
        person = request.user if request else None
        membership = getattr(network, "my_membership_status", _UNREAD)
        if membership is None:
            membership = ""
        kwargs = {} if membership is _UNREAD else {"membership": membership}
        availability = services.join_availability(network=network, person=person, **kwargs)
        return JoinAvailabilitySerializer(availability).data


class DirectoryEntrySerializer(serializers.Serializer):
    membership_id = serializers.IntegerField()
    name = serializers.CharField()
    title = serializers.CharField()
    organisation = serializers.CharField()
    sector = serializers.CharField()
    municipality = serializers.CharField()
    role = serializers.CharField()
    email = serializers.CharField()
    phone = serializers.CharField()


class MembershipSerializer(serializers.ModelSerializer):
    network = NetworkSerializer(read_only=True)
    organisation = serializers.CharField(source="organisation.name", read_only=True, default="")

    class Meta:
        model = Membership
        fields = [
            "id",
            "network",
            "organisation",
            "role",
            "status",
            "joined_on",
            "left_on",
            "show_email",
            "show_phone",
            "show_title",
            "message_preference",
            "decision_message",
        ]


class ManagedMembershipSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="display_name", read_only=True)
    organisation = serializers.CharField(source="organisation.name", read_only=True, default="")

    class Meta:
        model = Membership
        fields = ["id", "network", "name", "organisation", "role", "status", "joined_on", "left_on"]


class DecisionSerializer(serializers.Serializer):
    message = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class JoinSerializer(serializers.Serializer):
    organisation = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all(), required=False, allow_null=True, default=None
    )
    role = serializers.ChoiceField(choices=MemberRole.choices, default=MemberRole.PRACTITIONER)
    show_email = serializers.BooleanField(default=False)
    show_phone = serializers.BooleanField(default=False)
    show_title = serializers.BooleanField(default=True)
    message_preference = serializers.ChoiceField(
        choices=MessagePreference.choices, default=MessagePreference.DIGEST
    )


class AcceptInvitationSerializer(JoinSerializer):
    """The join choices; role and organisation left out keep the invitation's."""

    role = serializers.ChoiceField(choices=MemberRole.choices, required=False)


class InviteSerializer(serializers.Serializer):
    """networks.forms.InviteForm's fields."""

    email = serializers.EmailField()
    name = serializers.CharField(required=False, allow_blank=True, default="", max_length=150)
    organisation = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all(), required=False, allow_null=True, default=None
    )
    role = serializers.ChoiceField(choices=MemberRole.choices, default=MemberRole.PRACTITIONER)


class InvitationSerializer(serializers.ModelSerializer):
    """An invited membership as its coordinator sees it (the link's token goes only to the
    invited person, by e-mail)."""

    organisation = serializers.CharField(source="organisation.name", read_only=True, default="")

    class Meta:
        model = Membership
        fields = [
            "id",
            "network",
            "invited_email",
            "invited_name",
            "organisation",
            "role",
            "status",
        ]
        read_only_fields = fields


class AnnouncementInputSerializer(serializers.Serializer):
    """networks.forms.AnnouncementForm's fields."""

    subject = serializers.CharField(max_length=200)
    body = serializers.CharField()


class AnnouncementSerializer(serializers.ModelSerializer):
    class Meta:
        model = Announcement
        fields = ["id", "network", "subject", "body", "sent_at"]
        read_only_fields = fields


class PreferencesSerializer(serializers.Serializer):
    """The membership page's choices; a field left out keeps its present value."""

    show_title = serializers.BooleanField(required=False)
    show_email = serializers.BooleanField(required=False)
    show_phone = serializers.BooleanField(required=False)
    message_preference = serializers.ChoiceField(choices=MessagePreference.choices, required=False)


# Refusals that say the caller may not (403); any other domain error is bad input (400).
FORBIDDEN_ERRORS = (services.NotCoordinatorError, services.InvitationForAnotherAccountError)


def _error(error: services.NetworkError) -> Response:
    code = (
        status.HTTP_403_FORBIDDEN
        if isinstance(error, FORBIDDEN_ERRORS)
        else status.HTTP_400_BAD_REQUEST
    )
    return Response({"detail": str(error.message)}, status=code)


def _not_coordinator() -> Response:
    return _error(services.NotCoordinatorError())


COORDINATOR_RESPONSES = {
    400: OpenApiResponse(description="Bad input, or refused by the rules (detail says why)."),
    403: OpenApiResponse(description="Not a coordinator of the network."),
    404: OpenApiResponse(description="No such network, or one the caller may not see."),
}
INVITATION_RESPONSES = {
    200: MembershipSerializer,
    400: OpenApiResponse(description="Bad input (detail says why)."),
    403: OpenApiResponse(description="The invitation was sent to another account."),
    404: OpenApiResponse(description="No such invitation, or no longer valid."),
}


class NetworkViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Network.objects.none()
    serializer_class = NetworkSerializer
    filter_backends: list = []

    def get_queryset(self):
        return selectors.with_my_membership(
            selectors.visible_networks(user=self.request.user), user=self.request.user
        )

    def _network(self) -> Network:
        return get_object_or_404(Network.objects.all(), pk=self.kwargs["pk"])

    @extend_schema(responses=DirectoryEntrySerializer(many=True))
    @action(detail=True, methods=["get"], permission_classes=[IsAuthenticated])
    def directory(self, request, pk=None):
        network = self._network()
        if not selectors.can_view_directory(request.user, network):
            raise Http404
        members = selectors.directory_members(network=network)
        paginator = BoundedLimitOffsetPagination()
        page = paginator.paginate_queryset(members, request, view=self)
        entries = [selectors.directory_entry(m) for m in page]
        record_access(
            actor=request.user,
            action="directory.viewed",
            target=network,
            count=len(entries),
            channel=AccessChannel.API,
        )
        return paginator.get_paginated_response(DirectoryEntrySerializer(entries, many=True).data)

    @extend_schema(request=JoinSerializer, responses={201: MembershipSerializer})
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def join(self, request, pk=None):
        network = self._network()
        if not selectors.can_view_network(request.user, network):
            raise Http404
        data = JoinSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            membership = services.request_to_join(
                network=network, person=request.user, **data.validated_data
            )
        except services.NetworkError as error:
            return _error(error)
        return Response(MembershipSerializer(membership).data, status=status.HTTP_201_CREATED)

    def _coordinated_network(self, request) -> Network | None:
        """The network, 404 unless the caller may see it; None when they may not manage it
        (the page at /networks/<slug>/manage/ asks the same selector)."""
        network = self._network()
        if not selectors.can_view_network(request.user, network):
            raise Http404
        return network if selectors.is_coordinator(request.user, network) else None

    @extend_schema(
        summary="Invite a person to the network",
        description="The same as the page Invite a member: the person gets an e-mail with a "
        "link that they accept after signing in (or through /api/v1/invitations/). "
        "Coordinators of the network only.",
        request={"application/json": InviteSerializer},
        responses={201: InvitationSerializer, **COORDINATOR_RESPONSES},
    )
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def invitations(self, request, pk=None):
        network = self._coordinated_network(request)
        if network is None:
            return _not_coordinator()
        data = InviteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            membership = services.invite(network=network, by=request.user, **data.validated_data)
        except services.NetworkError as error:
            return _error(error)
        return Response(InvitationSerializer(membership).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Send an announcement to the members",
        description="The same as the page Send an announcement: members who chose each "
        "message get it by e-mail at once, those who chose a weekly digest on Monday, the "
        "others not at all. Coordinators of the network only.",
        request={"application/json": AnnouncementInputSerializer},
        responses={201: AnnouncementSerializer, **COORDINATOR_RESPONSES},
    )
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def announcements(self, request, pk=None):
        network = self._coordinated_network(request)
        if network is None:
            return _not_coordinator()
        data = AnnouncementInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            announcement = services.send_announcement(
                network=network, by=request.user, **data.validated_data
            )
        except services.NetworkError as error:
            return _error(error)
        return Response(AnnouncementSerializer(announcement).data, status=status.HTTP_201_CREATED)


class InvitationViewSet(viewsets.GenericViewSet):
    """An invitation, by the token of the link in its e-mail (the invited person, signed in)."""

    queryset = Membership.objects.none()
    serializer_class = MembershipSerializer
    permission_classes = [IsAuthenticated]
    filter_backends: list = []
    lookup_field = "token"
    lookup_value_regex = r"[A-Za-z0-9_-]+"

    def get_object(self) -> Membership:
        membership = services.invitation_by_token(self.kwargs["token"])
        if membership is None:
            raise Http404
        return membership

    @extend_schema(
        summary="Accept an invitation",
        description="The invited person joins the network with these choices (as on the "
        "invitation page); an invitation sent to another account is refused.",
        request={"application/json": AcceptInvitationSerializer},
        responses=INVITATION_RESPONSES,
    )
    @action(detail=True, methods=["post"])
    def accept(self, request, token=None):
        membership = self.get_object()
        data = AcceptInvitationSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            joined = services.accept_invitation(
                membership=membership, person=request.user, **data.validated_data
            )
        except services.NetworkError as error:
            return _error(error)
        return Response(MembershipSerializer(joined).data)

    @extend_schema(
        summary="Decline an invitation",
        request=None,
        responses=INVITATION_RESPONSES,
    )
    @action(detail=True, methods=["post"])
    def decline(self, request, token=None):
        membership = self.get_object()
        try:
            declined = services.decline_invitation(membership=membership, person=request.user)
        except services.NetworkError as error:
            return _error(error)
        return Response(MembershipSerializer(declined).data)


OWN_MEMBERSHIP_ACTIONS = frozenset({"preferences", "leave"})


class MembershipViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Coordinators: the memberships of their networks, with approve and decline."""

    queryset = Membership.objects.none()
    serializer_class = ManagedMembershipSerializer
    permission_classes = [IsAuthenticated]
    filterset_fields = ["network", "status"]

    def get_queryset(self):
        if self.action in OWN_MEMBERSHIP_ACTIONS:  # as the membership page: one's own only
            return Membership.objects.filter(user=self.request.user).select_related(
                "network", "organisation"
            )
        return selectors.coordinated_memberships(user=self.request.user)

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        rows = response.data.get("results", []) if isinstance(response.data, dict) else []
        record_access(
            actor=request.user,
            action="members.viewed",
            target=Membership,
            count=len(rows),
            channel=AccessChannel.API,
            filtered=any(request.query_params.get(name) for name in self.filterset_fields),
        )
        return response

    def retrieve(self, request, *args, **kwargs):
        membership = self.get_object()
        record_access(
            actor=request.user,
            action="members.viewed",
            target=membership,
            count=1,
            channel=AccessChannel.API,
        )
        return Response(self.get_serializer(membership).data)

    @extend_schema(responses=MembershipSerializer(many=True))
    @action(detail=False, methods=["get"], filter_backends=[])
    def mine(self, request):
        memberships = selectors.memberships_of(user=request.user)
        page = self.paginate_queryset(memberships)
        return self.get_paginated_response(MembershipSerializer(page, many=True).data)

    def _decide(self, request, operation):
        membership = self.get_object()
        data = DecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            membership = operation(
                membership=membership, by=request.user, message=data.validated_data["message"]
            )
        except services.NetworkError as error:
            return _error(error)
        return Response(ManagedMembershipSerializer(membership).data)

    @extend_schema(request=DecisionSerializer, responses=ManagedMembershipSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._decide(request, services.approve_membership)

    @extend_schema(request=DecisionSerializer, responses=ManagedMembershipSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        return self._decide(request, services.decline_membership)

    @extend_schema(
        summary="Change my choices for a membership",
        description="One's own membership only (another's answers 404): what other members "
        "see and how many messages arrive (each message, a weekly digest or none; "
        "registration e-mails for events always arrive). A field left out keeps its value.",
        request={"application/json": PreferencesSerializer},
        responses={
            200: MembershipSerializer,
            400: OpenApiResponse(description="Bad input (errors by field)."),
            404: OpenApiResponse(description="Not yours."),
        },
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def preferences(self, request, pk=None):
        membership = self.get_object()
        data = PreferencesSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        current = {name: getattr(membership, name) for name in PreferencesSerializer().fields}
        membership = services.update_consent_and_preferences(
            membership=membership, **{**current, **data.validated_data}
        )
        return Response(MembershipSerializer(membership).data)

    @extend_schema(
        summary="Leave a network",
        description="One's own membership only (another's answers 404). Leaving twice is "
        "harmless; one may ask to join again later.",
        request=None,
        responses={200: MembershipSerializer, 404: OpenApiResponse(description="Not yours.")},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def leave(self, request, pk=None):
        membership = services.leave_network(membership=self.get_object())
        return Response(MembershipSerializer(membership).data)


def register(router) -> None:
    router.register("networks", NetworkViewSet, basename="network")
    router.register("memberships", MembershipViewSet, basename="membership")
    router.register("invitations", InvitationViewSet, basename="invitation")

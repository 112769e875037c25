"""API endpoints of this app, registered on the /api/v1/ router.

/api/v1/networks/                    networks the person may see
/api/v1/networks/<id>/directory/     the member directory (active members, coordinators)
/api/v1/networks/<id>/join/          ask to join (POST)
/api/v1/memberships/mine/            my memberships
/api/v1/memberships/                 memberships of the networks I coordinate
/api/v1/memberships/<id>/approve/    approve a request (coordinators, POST {"message"})
/api/v1/memberships/<id>/decline/    decline a request (coordinators, POST {"message"})
"""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from accounts.audit import record_access
from accounts.models import AccessChannel

from . import selectors, services
from .models import MemberRole, Membership, MessagePreference, Network, Organisation

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


def _error(error: services.NetworkError) -> Response:
    return Response({"detail": str(error.message)}, status=status.HTTP_400_BAD_REQUEST)


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
        paginator = LimitOffsetPagination()
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

    @extend_schema(request=JoinSerializer, responses=MembershipSerializer)
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


class MembershipViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Coordinators: the memberships of their networks, with approve and decline."""

    queryset = Membership.objects.none()
    serializer_class = ManagedMembershipSerializer
    permission_classes = [IsAuthenticated]
    filterset_fields = ["network", "status"]

    def get_queryset(self):
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


def register(router) -> None:
    router.register("networks", NetworkViewSet, basename="network")
    router.register("memberships", MembershipViewSet, basename="membership")

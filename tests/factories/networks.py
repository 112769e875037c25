"""Factories for networks: organisations, networks and their memberships."""

import factory
from django.utils import timezone

from networks.models import Membership, MembershipStatus, Network, Organisation, Sector

from .accounts import UserFactory


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    sector = Sector.NGO
    municipality = "Kuopio"


class NetworkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Network

    name = factory.Sequence(lambda n: f"Network {n}")
    slug = factory.Sequence(lambda n: f"network-{n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    network = factory.SubFactory(NetworkFactory)
    user = factory.SubFactory(UserFactory)
    status = MembershipStatus.ACTIVE
    joined_on = factory.LazyFunction(timezone.localdate)

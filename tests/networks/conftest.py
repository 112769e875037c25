import pytest

from networks.models import JoinPolicy, Visibility
from tests.factories import NetworkFactory, UserFactory


@pytest.fixture
def coordinator(db):
    return UserFactory(display_name="Coordinator Cora", with_totp=True)


@pytest.fixture
def network(coordinator):
    network = NetworkFactory(join_policy=JoinPolicy.APPROVAL, visibility=Visibility.PUBLIC)
    network.coordinators.add(coordinator)
    return network


@pytest.fixture
def private_network(coordinator):
    network = NetworkFactory(join_policy=JoinPolicy.INVITATION, visibility=Visibility.MEMBERS)
    network.coordinators.add(coordinator)
    return network

"""Fuzzing: schemathesis sends generated requests to every operation of /api/schema/.

Through the Django WSGI app in-process (no server), signed in as an organiser with a
token, a bounded number of examples per operation. No answer may be a server error (5xx)
and every answer must match the schema the API publishes.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, assume, settings
from rest_framework.authtoken.models import Token
from rest_framework.throttling import ScopedRateThrottle
from schemathesis import DataGenerationMethod
from schemathesis.checks import not_a_server_error, response_schema_conformance

from accounts.roles import Role, grant_role
from tests.factories import (
    EventFactory,
    MembershipFactory,
    NetworkFactory,
    RecordingFactory,
    RegistrationFactory,
    ThemeFactory,
    UserFactory,
)

application = get_wsgi_application()
schema = schemathesis.from_dict(
    SchemaGenerator().get_schema(request=None, public=True),
    app=application,
    data_generation_methods=[DataGenerationMethod.positive, DataGenerationMethod.negative],
)
CHECKS = (not_a_server_error, response_schema_conformance)


@pytest.fixture
def organiser_token(db, monkeypatch):
    """An organiser with a token, and a few rows so that some generated ids exist."""
    monkeypatch.setattr(
        ScopedRateThrottle, "THROTTLE_RATES", {"registration": None, "import": None}
    )
    # Like django.test.Client: a request must not close the test's database connection.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    person = UserFactory(with_totp=True)  # staff have a second factor
    grant_role(person, Role.ORGANISER)
    theme = ThemeFactory()
    for _ in range(3):
        event = EventFactory(theme=theme)
        RegistrationFactory(event=event)
        RegistrationFactory(event=event, user=person)
        RecordingFactory(event=event)
    network = NetworkFactory()
    network.coordinators.add(person)
    MembershipFactory(network=network)
    MembershipFactory(network=network, user=person)
    yield Token.objects.create(user=person).key
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
    database=None,  # no replay of stored examples: the same run every time
)
@pytest.mark.django_db
def test_api_answers_without_server_errors_and_as_documented(case, organiser_token):
    # A file upload's body is a form: a generated non-object one cannot even be encoded
    # (werkzeug fails before any request), so such cases are not sent.
    assume(case.media_type != "multipart/form-data" or isinstance(case.body, dict))
    response = case.call_wsgi(headers={"Authorization": f"Token {organiser_token}"})
    case.validate_response(response, checks=CHECKS)

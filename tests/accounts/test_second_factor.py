"""Staff must use a second factor (authenticator app or passkey) unless they sign in with
Entra ID; members are never asked. The rule is accounts.rules, enforced by
accounts.middleware.SecondFactorMiddleware."""

import io
import re
import time

import pytest
from allauth.core import context
from allauth.mfa.base.internal.flows import delete_and_cleanup
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from allauth.socialaccount.helpers import complete_social_login
from allauth.socialaccount.models import SocialAccount, SocialLogin
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import reverse

from accounts.roles import Role, grant_role
from tests.factories import NetworkFactory, UserFactory, totp_code

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"
STAFF_PAGES = [
    "/",
    "/events/",
    "/events/organise/",
    "/profile/",
    "/admin/",
    "/reports/",
]


def _staff_without_factor(kind: str):
    if kind == "admin":
        return UserFactory(is_staff=True, is_superuser=True)
    person = UserFactory()
    if kind == "coordinator":
        NetworkFactory().coordinators.add(person)
    else:
        grant_role(person, Role(kind))
    return person


def _password_login(client, person):
    return client.post(reverse("account_login"), {"login": person.email, "password": PASSWORD})


@pytest.mark.parametrize(
    "kind", ["organiser", "communications", "reporting", "coordinator", "admin"]
)
def test_staff_without_a_factor_is_sent_to_set_one_up_from_every_page(client, kind):
    person = _staff_without_factor(kind)
    client.cookies["django_language"] = "fi"
    response = _password_login(client, person)
    assert response.status_code == 302  # signed in: allauth has nothing to ask yet

    for url in STAFF_PAGES:
        response = client.get(url)
        assert (response.status_code, response["Location"]) == (302, reverse("mfa_index")), url
    page = client.get(reverse("mfa_index"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "kaksivaiheisella tunnistuksella" in text  # the explanation, in Finnish
    assert reverse("mfa_activate_totp") in text and reverse("mfa_add_webauthn") in text
    api = client.get("/api/v1/events/")
    assert api.status_code == 403 and "kaksivaiheisella tunnistuksella" in api.json()["detail"]
    # Setting one up, changing the language and signing out still work.
    assert client.get(reverse("mfa_activate_totp")).status_code in (200, 302)
    assert client.post(reverse("set_language"), {"language": "sv", "next": "/"}).status_code == 302
    assert client.post(reverse("account_logout")).status_code == 302
    assert client.get("/events/").status_code == 200


def test_after_adding_an_authenticator_app_staff_sign_in_with_password_and_code(client):
    organiser = _staff_without_factor("organiser")
    _password_login(client, organiser)
    activate = client.get(reverse("mfa_activate_totp"), follow=True)
    assert activate.redirect_chain[-1][0].startswith(reverse("account_reauthenticate"))
    client.post(activate.redirect_chain[-1][0], {"password": PASSWORD})  # allauth asks again
    activate = client.get(reverse("mfa_activate_totp"))
    assert activate.status_code == 200
    secret = activate.context["form"].secret
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    response = client.post(reverse("mfa_activate_totp"), {"code": code})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=organiser, type="totp").exists()
    assert client.get("/events/organise/").status_code == 200  # let through at once

    client.post(reverse("account_logout"))
    response = _password_login(client, organiser)
    assert response["Location"] == reverse("mfa_authenticate")  # the password is not enough
    assert client.get("/events/organise/").status_code == 302
    organiser.totp_secret = secret
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(organiser)})
    assert response.status_code == 302
    assert client.get("/events/organise/").status_code == 200


def test_removing_the_only_factor_sends_staff_back_to_setup(client, organiser):
    client.force_login(organiser)
    assert client.get("/events/organise/").status_code == 200
    request = RequestFactory().post("/")
    request.user = organiser
    request.session = client.session
    delete_and_cleanup(request, organiser.authenticator_set.get())
    request.session.save()
    assert client.get("/events/organise/")["Location"] == reverse("mfa_index")


def test_a_member_is_never_asked_for_a_second_factor(client, user):
    response = _password_login(client, user)
    assert response["Location"] == reverse("home")
    for url in ("/", "/events/", "/profile/", "/events/mine/"):
        assert client.get(url).status_code == 200, url


def test_a_role_granted_to_a_signed_in_member_asks_for_a_factor_at_next_sign_in(client, user):
    _password_login(client, user)
    grant_role(user, Role.ORGANISER)
    assert client.get("/").status_code == 200  # this session goes on
    client.post(reverse("account_logout"))
    _password_login(client, user)
    assert client.get("/events/organise/")["Location"] == reverse("mfa_index")


def _entra_login(client, person):
    """Complete allauth's social login for an existing Microsoft account, as its OAuth
    callback does, and hand the session to the test client."""
    SocialAccount.objects.create(user=person, provider="microsoft", uid="entra-1")
    request = RequestFactory().get("/accounts/microsoft/login/callback/")
    request.session = client.session
    request.user = AnonymousUser()
    request._messages = FallbackStorage(request)
    # What the provider's callback hands over: the account as Entra ID describes it.
    sociallogin = SocialLogin(account=SocialAccount(provider="microsoft", uid="entra-1"))
    with context.request_context(request):  # as allauth's middleware does
        response = complete_social_login(request, sociallogin)
    request.session.save()
    client.cookies["sessionid"] = request.session.session_key
    return response


def test_an_organiser_signing_in_with_entra_id_is_not_asked(client, settings):
    settings.SOCIALACCOUNT_PROVIDERS = {
        "microsoft": {"APPS": [{"client_id": "id", "secret": "s", "settings": {}}]}
    }
    organiser = _staff_without_factor("organiser")
    response = _entra_login(client, organiser)
    assert response.status_code == 302
    assert client.get("/events/organise/").status_code == 200
    # The same person with a password is asked to set up a factor.
    client.post(reverse("account_logout"))
    _password_login(client, organiser)
    assert client.get("/events/organise/")["Location"] == reverse("mfa_index")


def test_the_admin_user_list_shows_who_has_no_second_factor(client, admin_user, organiser):
    bare = _staff_without_factor("reporting")
    member = UserFactory()
    client.force_login(admin_user)
    url = reverse("admin:accounts_user_changelist")

    page = client.get(url)
    assert page.status_code == 200
    assert "column-second_factor" in page.content.decode()
    missing = client.get(url, {"second_factor": "staff_missing"}).context["cl"].result_list
    assert set(missing) == {bare}
    none = set(client.get(url, {"second_factor": "no"}).context["cl"].result_list)
    assert none == {bare, member}
    has = set(client.get(url, {"second_factor": "yes"}).context["cl"].result_list)
    assert has == {admin_user, organiser}


def test_demo_staff_sign_in_with_the_secret_that_seed_demo_prints(client):
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    printed = dict(re.findall(r"(\S+@kohtaamo\.example) +secret ([A-Z2-7]+)", out.getvalue()))
    assert set(printed) == {
        "admin@kohtaamo.example",
        "jarjestaja@kohtaamo.example",
        "viestinta@kohtaamo.example",
        "raportointi@kohtaamo.example",
    }
    assert "otpauth://totp/Kohtaamo:jarjestaja%40kohtaamo.example?secret=" in out.getvalue()
    organiser = UserFactory.build(email="jarjestaja@kohtaamo.example")
    organiser.totp_secret = printed[organiser.email]
    response = client.post(
        reverse("account_login"), {"login": organiser.email, "password": "kohtaamo-demo"}
    )
    assert response["Location"] == reverse("mfa_authenticate")
    client.post(reverse("mfa_authenticate"), {"code": totp_code(organiser)})
    assert client.get("/events/organise/").status_code == 200
    member = client.post(reverse("account_logout")) and client.post(
        reverse("account_login"), {"login": "jasen@kohtaamo.example", "password": "kohtaamo-demo"}
    )
    assert member["Location"] == reverse("home")  # the member has no second step

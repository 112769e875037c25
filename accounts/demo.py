"""Demo rows of the accounts app: the organisations people work for, the five demo
accounts (roles, second factor) and 140 network people.

First in settings.DEMO_SEEDERS: every later seeder finds these people by query
(`demo_people()`, `demo_user()`). Deterministic: the people come from the context's rng,
the TOTP secrets from the e-mail address.
"""

from __future__ import annotations

import base64
import hashlib
from urllib.parse import quote, urlencode

from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP

from kohtaamo.demo import DemoAlreadyLoadedError, DemoContext
from networks.models import Organisation, Sector

from .models import User
from .roles import Role, grant_role

DEMO_PASSWORD = "kohtaamo-demo"  # noqa: S105 - public, in the README
ADMIN_EMAIL = "admin@kohtaamo.example"
ORGANISER_EMAIL = "jarjestaja@kohtaamo.example"
COMMUNICATIONS_EMAIL = "viestinta@kohtaamo.example"
MEMBER_EMAIL = "jasen@kohtaamo.example"
DEMO_ACCOUNTS = [
    (ADMIN_EMAIL, "Ylläpitäjä Demo", None),
    (ORGANISER_EMAIL, "Outi Organisoija", Role.ORGANISER),
    (COMMUNICATIONS_EMAIL, "Veera Viestijä", Role.COMMUNICATIONS),
    ("raportointi@kohtaamo.example", "Raili Raportoija", Role.REPORTING),
    (MEMBER_EMAIL, "Jaana Jäsen", None),
]
PEOPLE_DOMAIN = "@example.fi"

ORGANISATIONS = [
    ("Hyvinvointialueen työkykypalvelut", Sector.COUNTY, "Kuopio"),
    ("Hyvinvointialueen kuntoutus", Sector.COUNTY, "Kuopio"),
    ("Kuopion kaupungin työllisyyspalvelut", Sector.MUNICIPAL_EMPLOYMENT, "Kuopio"),
    ("Iisalmen työllisyyspalvelut", Sector.MUNICIPAL_EMPLOYMENT, "Iisalmi"),
    ("Varkauden työllisyyspalvelut", Sector.MUNICIPAL_EMPLOYMENT, "Varkaus"),
    ("Pohjois-Savon TE-toimisto", Sector.TE_OFFICE, "Kuopio"),
    ("Kela, Itä-Suomen vakuutuspiiri", Sector.KELA, "Kuopio"),
    ("TYP Pohjois-Savo", Sector.TYP, "Kuopio"),
    ("Savon Mielenterveysyhdistys ry", Sector.NGO, "Kuopio"),
    ("Työvalmennussäätiö Tukeva", Sector.NGO, "Siilinjärvi"),
    ("Savon ammattiopisto, erityisopetus", Sector.EDUCATION, "Kuopio"),
    ("Kuopion Konepaja Oy", Sector.EMPLOYER, "Kuopio"),
]
FIRST_NAMES = [
    "Aino",
    "Eino",
    "Helmi",
    "Juha",
    "Kaisa",
    "Lauri",
    "Minna",
    "Niko",
    "Oona",
    "Pekka",
    "Riikka",
    "Sami",
    "Tiina",
    "Ville",
    "Elina",
    "Hanna",
    "Jukka",
    "Leena",
    "Mikko",
    "Sari",
]
LAST_NAMES = [
    "Virtanen",
    "Korhonen",
    "Mäkinen",
    "Nieminen",
    "Mäkelä",
    "Hämäläinen",
    "Laine",
    "Heikkinen",
    "Koskinen",
    "Järvinen",
    "Lehtonen",
    "Savolainen",
    "Kinnunen",
    "Ahonen",
]
TITLES = [
    "Työhönvalmentaja",
    "Sosiaaliohjaaja",
    "Fysioterapeutti",
    "Toimintaterapeutti",
    "Työkykykoordinaattori",
    "Esihenkilö",
    "Kokemusasiantuntija",
]


def seed(context: DemoContext) -> dict[str, int]:
    """Create the organisations and people; raise DemoAlreadyLoadedError when the demo
    accounts exist (the demo is loaded once)."""
    if User.objects.filter(email=ADMIN_EMAIL).exists():
        raise DemoAlreadyLoadedError
    organisations = [
        Organisation.objects.create(name=name, sector=sector, municipality=town)
        for name, sector, town in ORGANISATIONS
    ]
    _demo_accounts(organisations[0])
    _people(context, organisations)
    return {"people": User.objects.count(), "organisations": len(organisations)}


def demo_people() -> list[User]:
    """The 140 network people, in the order they were made."""
    return list(User.objects.filter(email__endswith=PEOPLE_DOMAIN).order_by("pk"))


def demo_user(email: str) -> User:
    """One of DEMO_ACCOUNTS."""
    return User.objects.get(email=email)


def demo_totp_secret(email: str) -> str:
    """The demo staff account's authenticator secret (base32), the same on every seed;
    "" for the member, who needs no second factor. Public, like DEMO_PASSWORD."""
    staff = {e for e, _name, role in DEMO_ACCOUNTS if role or e == ADMIN_EMAIL}
    if email not in staff:
        return ""
    digest = hashlib.sha256(f"kohtaamo-demo-totp:{email}".encode()).digest()
    return base64.b32encode(digest[:20]).decode()


def demo_totp_uri(email: str) -> str:
    """otpauth:// URI of the demo secret, for an authenticator app (or a QR code)."""
    query = urlencode({"secret": demo_totp_secret(email), "issuer": "Kohtaamo"})
    return f"otpauth://totp/Kohtaamo:{quote(email)}?{query}"


def _demo_accounts(organisation: Organisation) -> None:
    for email, name, role in DEMO_ACCOUNTS:
        person = User.objects.create_user(
            email=email, password=DEMO_PASSWORD, display_name=name, organisation=organisation
        )
        EmailAddress.objects.create(user=person, email=email, verified=True, primary=True)
        if role is None and email == ADMIN_EMAIL:
            person.is_staff = person.is_superuser = True
            person.save(update_fields=["is_staff", "is_superuser"])
        elif role is not None:
            grant_role(person, role)
        if secret := demo_totp_secret(email):  # staff must have a second factor (accounts.rules)
            TOTP.activate(person, secret)


def _people(context: DemoContext, organisations: list[Organisation]) -> None:
    rng = context.rng
    people = []
    for n in range(140):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        person = User(
            email=f"{first}.{last}.{n}{PEOPLE_DOMAIN}".lower().replace("ä", "a").replace("ö", "o"),
            display_name=f"{first} {last}",
            title=rng.choice(TITLES),
            organisation=rng.choice(organisations),
        )
        person.set_unusable_password()
        people.append(person)
    User.objects.bulk_create(people)

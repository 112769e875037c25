"""Deterministic demo data built from the facts in the product brief.

Two years of weekly Kohtaamo sessions (59 held, 45 themes), workshops, trainings,
info sessions, network meetings, coffee hours and a closing seminar; a network of
90+ members from 10+ organisations; registrations and attendance in realistic
numbers; recordings in every caption state. The same seed gives the same data.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import random
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role, grant_role
from events.models import (
    Event,
    EventFormat,
    EventKind,
    EventStatus,
    Presenter,
    Registration,
    RegistrationMode,
    RegistrationStatus,
    Series,
    Theme,
)
from networks.models import (
    MemberRole,
    Membership,
    MembershipStatus,
    MessagePreference,
    Network,
    Organisation,
    Sector,
)

HELSINKI = ZoneInfo("Europe/Helsinki")
DEMO_PASSWORD = "kohtaamo-demo"
DEMO_ACCOUNTS = [
    ("admin@kohtaamo.example", "Ylläpitäjä Demo", None),
    ("jarjestaja@kohtaamo.example", "Outi Organisoija", Role.ORGANISER),
    ("viestinta@kohtaamo.example", "Veera Viestijä", Role.COMMUNICATIONS),
    ("raportointi@kohtaamo.example", "Raili Raportoija", Role.REPORTING),
    ("jasen@kohtaamo.example", "Jaana Jäsen", None),
]

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

THEMES = [
    "Työkyvyn tuki työterveyshuollossa",
    "Osatyökykyisen työllistyminen",
    "Palkkatuki käytännössä",
    "Ammatillinen kuntoutus Kelassa",
    "Mielenterveys ja työ",
    "Kokemusasiantuntija työelämässä",
    "Työhönvalmennuksen menetelmät",
    "IPS-työhönvalmennus",
    "Työkokeilu",
    "Kuntouttava työtoiminta",
    "Työ- ja toimintakyvyn arviointi",
    "Sosiaalinen kuntoutus",
    "Päihteet ja työkyky",
    "Nuoret ja työelämä",
    "Maahanmuuttajat ja työkyky",
    "Työnantajan näkökulma",
    "Työolosuhteiden mukauttaminen",
    "Eläkeratkaisut ja työ",
    "Osasairauspäiväraha",
    "Työttömien terveystarkastukset",
    "Monialainen yhteispalvelu TYP",
    "Digitaaliset palvelut",
    "Kipu ja työkyky",
    "Neuropsykiatriset erityispiirteet",
    "Uni ja palautuminen",
    "Talous- ja velkaneuvonta",
    "Työkykykoordinaattorin rooli",
    "Ryhmämuotoinen valmennus",
    "Sosiaaliturva ja työ",
    "Vertaistuki",
    "Työelämän pelisäännöt",
    "Koulutuspolut",
    "Yrittäjyys vaihtoehtona",
    "Työhyvinvointi",
    "Asiakkaan osallisuus",
    "Palveluohjaus",
    "Ikääntyvät työntekijät",
    "Kuntoutuksen uudistus",
    "Hyvinvointialueen palvelut",
    "TE24-uudistus",
    "Työllisyyspalvelujen siirto kuntiin",
    "Etätyö ja saavutettavuus",
    "Tuettu työllistyminen",
    "Verkostotyö",
    "Hankkeen tulokset",
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


def is_seeded() -> bool:
    return Series.objects.filter(slug="kohtaamo").exists()


@transaction.atomic
def seed(*, today: dt.date | None = None, seed_value: int = 2022) -> dict[str, int]:
    """Build the demo data once. Returns counts of what was created."""
    if is_seeded():
        return {}
    rng = random.Random(seed_value)
    today = today or timezone.localdate()
    organisations = _organisations()
    people = _people(rng, organisations)
    network = _network(rng, people, organisations)
    events = _events(rng, today, network)
    _registrations_and_attendance(rng, events, people, today)
    extra_seeders_run = [
        seeder(rng=rng, today=today, events=events, people=people) for seeder in EXTRA_SEEDERS
    ]
    del extra_seeders_run
    return {
        "people": User.objects.count(),
        "organisations": len(organisations),
        "events": Event.objects.count(),
        "registrations": Registration.objects.count(),
        "members": network.memberships.filter(status=MembershipStatus.ACTIVE).count(),
    }


def demo_totp_secret(email: str) -> str:
    """The demo staff account's authenticator secret (base32), the same on every seed;
    "" for the member, who needs no second factor. Public, like DEMO_PASSWORD."""
    staff = {e for e, _name, role in DEMO_ACCOUNTS if role or e.startswith("admin")}
    if email not in staff:
        return ""
    digest = hashlib.sha256(f"kohtaamo-demo-totp:{email}".encode()).digest()
    return base64.b32encode(digest[:20]).decode()


def demo_totp_uri(email: str) -> str:
    """otpauth:// URI of the demo secret, for an authenticator app (or a QR code)."""
    from urllib.parse import quote, urlencode

    query = urlencode({"secret": demo_totp_secret(email), "issuer": "Kohtaamo"})
    return f"otpauth://totp/Kohtaamo:{quote(email)}?{query}"


# Other apps append functions (rng, today, events, people) that add their demo rows.
EXTRA_SEEDERS: list = []


def _organisations() -> list[Organisation]:
    return [
        Organisation.objects.create(name=name, sector=sector, municipality=town)
        for name, sector, town in ORGANISATIONS
    ]


def _people(rng: random.Random, organisations: list[Organisation]) -> list[User]:
    for email, name, role in DEMO_ACCOUNTS:
        person = User.objects.create_user(
            email=email, password=DEMO_PASSWORD, display_name=name, organisation=organisations[0]
        )
        _verify(person)
        if role is None and email.startswith("admin"):
            person.is_staff = person.is_superuser = True
            person.save(update_fields=["is_staff", "is_superuser"])
        elif role is not None:
            grant_role(person, role)
        if demo_totp_secret(email):  # staff must have a second factor (accounts.rules)
            from allauth.mfa.totp.internal.auth import TOTP

            TOTP.activate(person, demo_totp_secret(email))
    people = []
    for n in range(140):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        person = User(
            email=f"{first}.{last}.{n}@example.fi".lower().replace("ä", "a").replace("ö", "o"),
            display_name=f"{first} {last}",
            title=rng.choice(
                [
                    "Työhönvalmentaja",
                    "Sosiaaliohjaaja",
                    "Fysioterapeutti",
                    "Toimintaterapeutti",
                    "Työkykykoordinaattori",
                    "Esihenkilö",
                    "Kokemusasiantuntija",
                ]
            ),
            organisation=rng.choice(organisations),
        )
        person.set_unusable_password()
        people.append(person)
    User.objects.bulk_create(people)
    return list(User.objects.filter(email__endswith="@example.fi").order_by("pk"))


def _verify(person: User) -> None:
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=person, email=person.email, verified=True, primary=True)


def _network(rng, people, organisations) -> Network:
    network = Network.objects.create(
        name="Työ- ja työhönvalmennuksen verkosto",
        slug="tyohonvalmennus",
        description="Työhönvalmennuksen ammattilaisten, kokemusasiantuntijoiden ja johdon "
        "verkosto: jäseniä hyvinvointialueelta, kunnista, TE-toimistosta, Kelasta, "
        "TYP:stä, järjestöistä, oppilaitoksista ja työnantajista.",
    )
    network.coordinators.add(User.objects.get(email="jarjestaja@kohtaamo.example"))
    memberships = []
    for person in people[:96]:
        memberships.append(
            Membership(
                network=network,
                user=person,
                organisation=person.organisation,
                role=rng.choices(list(MemberRole), weights=[2, 12, 3, 1])[0],
                status=MembershipStatus.ACTIVE,
                joined_on=dt.date(2022, 1, 10) + dt.timedelta(days=rng.randrange(600)),
                show_email=rng.random() < 0.6,
                show_phone=rng.random() < 0.2,
                message_preference=rng.choices(list(MessagePreference), weights=[2, 6, 1])[0],
            )
        )
    for person in people[96:100]:
        memberships.append(
            Membership(
                network=network,
                user=person,
                status=MembershipStatus.LEFT,
                organisation=person.organisation,
                joined_on=dt.date(2022, 2, 1),
                left_on=dt.date(2023, 6, 1),
            )
        )
    for person in people[100:103]:
        memberships.append(
            Membership(
                network=network,
                user=person,
                organisation=person.organisation,
                status=MembershipStatus.PENDING,
            )
        )
    member = User.objects.get(email="jasen@kohtaamo.example")
    memberships.append(
        Membership(
            network=network,
            user=member,
            organisation=member.organisation,
            status=MembershipStatus.ACTIVE,
            joined_on=dt.date(2022, 3, 1),
            show_email=True,
        )
    )
    Membership.objects.bulk_create(memberships)
    return network


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=HELSINKI)


def _events(rng, today: dt.date, network: Network) -> list[Event]:
    import holidays

    organiser = User.objects.get(email="jarjestaja@kohtaamo.example")
    themes = [Theme.objects.create(title=title) for title in THEMES]
    presenters = [
        Presenter.objects.create(
            name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
            title=rng.choice(
                [
                    "Asiantuntija",
                    "Kehittämispäällikkö",
                    "Työkykykoordinaattori",
                    "Kokemusasiantuntija",
                    "Ylilääkäri",
                    "Palveluesihenkilö",
                ]
            ),
            organisation=rng.choice(ORGANISATIONS)[0],
        )
        for _ in range(30)
    ]
    series = Series.objects.create(
        name="Kohtaamo",
        slug="kohtaamo",
        kind=EventKind.KOHTAAMO,
        weekday=2,
        start_time=dt.time(14, 0),
        duration_minutes=60,
        meeting_url="https://teams.microsoft.com/l/meetup-join/kohtaamo-demo",
        registration_mode=RegistrationMode.DROP_IN,
        description="Viikoittainen tunnin mittainen verkkotapaaminen: teema, alustus ja "
        "työkykytiimin konsultaatio.",
    )
    series.organisers.add(organiser)
    finnish_holidays = holidays.country_holidays("FI", years=range(today.year - 4, today.year + 2))

    # 59 past Wednesday sessions (about two years: terms only, some weeks skipped), then
    # the coming 12 weeks' sessions.
    def is_session_day(day: dt.date) -> bool:
        summer_or_christmas = (
            day.month in (6, 7, 8)
            or (day.month == 12 and day.day > 15)
            or (day.month == 1 and day.day < 8)
        )
        return day not in finnish_holidays and not summer_or_christmas

    last_wednesday = today - dt.timedelta(days=(today.weekday() - 2) % 7 or 7)
    past_days, day = [], last_wednesday
    while len(past_days) < 59:
        if is_session_day(day) and rng.random() < 0.8:
            past_days.append(day)
        day -= dt.timedelta(days=7)
    past_days.reverse()
    start = past_days[0]
    future_days = [
        d
        for d in (last_wednesday + dt.timedelta(days=7 * k) for k in range(1, 13))
        if is_session_day(d)
    ]
    # 45 themes over 59 sessions: each theme once, 14 of them again.
    theme_order = themes + rng.sample(themes, 14)
    events = []
    for i, day in enumerate(past_days + future_days):
        event = Event.objects.create(
            kind=EventKind.KOHTAAMO,
            series=series,
            theme=theme_order[i % len(theme_order)],
            starts_at=_at(day, 14),
            ends_at=_at(day, 15),
            format=EventFormat.ONLINE,
            meeting_url=series.meeting_url,
            registration_mode=RegistrationMode.DROP_IN,
            status=EventStatus.PUBLISHED,
            created_by=organiser,
            description="Alustuksen jälkeen kysymyksiä ja konsultaatiota työkykytiimin kanssa.",
        )
        event.presenters.add(rng.choice(presenters))
        events.append(event)
    # Other kinds, spread over the two years.
    others = [
        (EventKind.WORKSHOP, "Työpaja fysio- ja toimintaterapeuteille", 9, 20, EventFormat.ONLINE),
        (EventKind.TRAINING, "Työkyvyn tuen koulutus", 4, 60, EventFormat.HYBRID),
        (EventKind.INFO_SESSION, "Infotilaisuus työkykypalveluista", 2, 150, EventFormat.ONLINE),
        (EventKind.NETWORK_MEETING, "Verkoston työpajakokous", 7, 60, EventFormat.IN_PERSON),
        (EventKind.COFFEE_HOUR, "Verkoston kahvihetki", 3, None, EventFormat.ONLINE),
        (EventKind.SEMINAR, "Hankkeen päätösseminaari", 1, 100, EventFormat.HYBRID),
        (EventKind.TRAINING, "Osallisuusvalmennus", 4, 75, EventFormat.ONLINE),
    ]
    for kind, title, count, capacity, fmt in others:
        for n in range(count):
            day = start + dt.timedelta(days=rng.randrange(20, 700))
            day += dt.timedelta(days=(1 - day.weekday()) % 7)  # Tuesdays
            event = Event.objects.create(
                kind=kind,
                title=f"{title} {n + 1}" if count > 1 else title,
                theme=rng.choice(themes),
                starts_at=_at(day, 9),
                ends_at=_at(day, 11, 30),
                format=fmt,
                capacity=capacity,
                place="Kuopion kaupungintalo, Suokatu 42" if fmt != EventFormat.ONLINE else "",
                meeting_url="https://teams.microsoft.com/l/meetup-join/demo"
                if fmt != EventFormat.IN_PERSON
                else "",
                registration_mode=RegistrationMode.WAITLIST
                if capacity
                else RegistrationMode.DROP_IN,
                status=EventStatus.PUBLISHED,
                created_by=organiser,
                description="Työpaja ja keskustelu ajankohtaisesta aiheesta.",
            )
            if kind in (EventKind.NETWORK_MEETING, EventKind.COFFEE_HOUR):
                event.audience = "networks"
                event.save(update_fields=["audience"])
                event.audience_networks.add(network)
            events.append(event)
    # Upcoming workshops with seats, one nearly full, and one cancelled session.
    for n, seats in enumerate([12, 25, 40]):
        day = today + dt.timedelta(days=10 + 14 * n)
        events.append(
            Event.objects.create(
                kind=EventKind.WORKSHOP,
                title=f"Työpaja: {themes[n].title}",
                theme=themes[n],
                starts_at=_at(day, 12),
                ends_at=_at(day, 15),
                format=EventFormat.IN_PERSON,
                place="Kuopion kaupungintalo, Suokatu 42",
                capacity=seats,
                registration_mode=RegistrationMode.WAITLIST,
                status=EventStatus.PUBLISHED,
                created_by=organiser,
                description="Käytännön työpaja pienryhmissä.",
            )
        )
    if future_days:  # the second coming session, or the only one (in May only one is left)
        cancelled = events[len(past_days) + min(1, len(future_days) - 1)]
        cancelled.status = EventStatus.CANCELLED
        cancelled.cancelled_at = timezone.now()
        cancelled.sequence += 1
        cancelled.save(update_fields=["status", "cancelled_at", "sequence"])
    return events


def _registrations_and_attendance(rng, events, people, today) -> None:
    registrations = []
    for event in events:
        past = event.starts_at.date() < today
        if event.registration_mode == RegistrationMode.DROP_IN:
            if past and event.status == EventStatus.PUBLISHED:
                # 832 participants over 59 Kohtaamo sessions: about 14 a session.
                event.headcount = (
                    rng.randint(6, 24) if event.kind == EventKind.KOHTAAMO else rng.randint(12, 20)
                )
                event.save(update_fields=["headcount"])
            continue
        capacity = event.capacity or 40
        wanted = (
            min(len(people), int(capacity * rng.uniform(0.7, 1.25)))
            if past
            else int(capacity * rng.uniform(0.3, 1.1))
        )
        for position, person in enumerate(rng.sample(people, min(wanted, len(people)))):
            confirmed = position < capacity
            status = RegistrationStatus.CONFIRMED if confirmed else RegistrationStatus.WAITLISTED
            if rng.random() < 0.05:
                status = RegistrationStatus.CANCELLED
            attended = None
            if past and status == RegistrationStatus.CONFIRMED:
                attended = rng.random() < 0.82
            registrations.append(
                Registration(
                    event=event,
                    user=person,
                    name=person.display_name,
                    email=person.email,
                    organisation=person.organisation,
                    organisation_name=person.organisation.name,
                    status=status,
                    attended=attended,
                    attendance_source="check_in" if attended is not None else "",
                    created_at=event.starts_at
                    - dt.timedelta(days=rng.randint(1, 30), minutes=position),
                )
            )
    Registration.objects.bulk_create(registrations)


# Apps add their demo rows to EXTRA_SEEDERS when imported.
from events import demo_feedback as _events_demo_feedback  # noqa: E402,F401
from networks import demo as _networks_demo  # noqa: E402,F401
from recordings import demo as _recordings_demo  # noqa: E402,F401

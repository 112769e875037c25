"""Demo rows of the events app, built from the facts in the product brief.

Two years of weekly Kohtaamo sessions (59 held, 45 themes), workshops, trainings, info
sessions, network meetings, coffee hours and a closing seminar; registrations and
attendance in realistic numbers; feedback after past sessions (the team's NPS was about 80);
slides on the latest past network meeting; Teams meetings made and attendance fetched through
the Microsoft 365 code path from recorded Graph answers (microsoft365.replay), so the
organiser pages show what they show with Graph configured.

After accounts.demo and networks.demo in settings.DEMO_SEEDERS: the people, the organiser
and the network for network-only events are found by query.
"""

from __future__ import annotations

import datetime as dt

import holidays
from django.utils import timezone

from accounts.demo import (
    FIRST_NAMES,
    LAST_NAMES,
    ORGANISATIONS,
    ORGANISER_EMAIL,
    demo_people,
    demo_user,
)
from accounts.models import User
from kohtaamo.demo import DemoContext
from microsoft365.replay import ReplayClient
from networks.demo import MAIN_NETWORK_SLUG
from networks.models import Network

from .meetings import services as meeting_services
from .models import (
    ONLINE_FORMATS,
    AttendanceSource,
    Audience,
    Event,
    EventFormat,
    EventKind,
    EventMaterial,
    EventStatus,
    Feedback,
    Presenter,
    Registration,
    RegistrationMode,
    RegistrationStatus,
    Series,
    Theme,
)

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
PRESENTER_TITLES = [
    "Asiantuntija",
    "Kehittämispäällikkö",
    "Työkykykoordinaattori",
    "Kokemusasiantuntija",
    "Ylilääkäri",
    "Palveluesihenkilö",
]
# Other kinds, spread over the two years: (kind, title, how many, capacity, format).
OTHER_EVENTS = [
    (EventKind.WORKSHOP, "Työpaja fysio- ja toimintaterapeuteille", 9, 20, EventFormat.ONLINE),
    (EventKind.TRAINING, "Työkyvyn tuen koulutus", 4, 60, EventFormat.HYBRID),
    (EventKind.INFO_SESSION, "Infotilaisuus työkykypalveluista", 2, 150, EventFormat.ONLINE),
    (EventKind.NETWORK_MEETING, "Verkoston työpajakokous", 7, 60, EventFormat.IN_PERSON),
    (EventKind.COFFEE_HOUR, "Verkoston kahvihetki", 3, None, EventFormat.ONLINE),
    (EventKind.SEMINAR, "Hankkeen päätösseminaari", 1, 100, EventFormat.HYBRID),
    (EventKind.TRAINING, "Osallisuusvalmennus", 4, 75, EventFormat.ONLINE),
]
PLACE = "Kuopion kaupungintalo, Suokatu 42"
FEEDBACK_COMMENTS = [
    "Hyvä alustus ja käytännön esimerkkejä.",
    "Olisin kaivannut enemmän aikaa kysymyksille.",
    "Selkeä ja hyödyllinen, kiitos!",
    "Materiaalit olisi hyvä saada etukäteen.",
    "Toimiva Teams-yhteys, hyvä tunnelma.",
    "",
    "",
    "",
]


def seed(context: DemoContext) -> dict[str, int]:
    people = demo_people()
    network = Network.objects.get(slug=MAIN_NETWORK_SLUG)
    organiser = demo_user(ORGANISER_EMAIL)
    events = _events(context, organiser, network)
    graph = ReplayClient()
    with_teams = _teams_meetings(context, events, graph)
    _registrations_and_attendance(context, events, people)
    answers = _feedback(context, events)
    _network_meeting_slides(context, network)
    _teams_attendance(context, with_teams, organiser, graph)
    return {
        "events": Event.objects.count(),
        "registrations": Registration.objects.count(),
        "feedback": answers,
        "teams meetings": Event.objects.exclude(teams_calendar_event_id="").count(),
    }


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=timezone.get_default_timezone())


def _events(context: DemoContext, organiser: User, network: Network) -> list[Event]:
    rng, today = context.rng, context.today
    themes = [Theme.objects.create(title=title) for title in THEMES]
    presenters = [
        Presenter.objects.create(
            name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
            title=rng.choice(PRESENTER_TITLES),
            organisation=rng.choice(ORGANISATIONS)[0],
        )
        for _ in range(30)
    ]
    # The first six agreed to a public page (events:presenter), recorded by the organiser.
    for presenter in presenters[:6]:
        presenter.bio = (
            f"{presenter.title}, {presenter.organisation}. Alustaa Kohtaamoissa työkyvyn "
            "tuesta ja kertoo kokemuksistaan käytännön työstä."
        )
        presenter.public_page_consent = True
        presenter.consent_recorded_by = organiser
        presenter.consent_recorded_at = timezone.now()
        presenter.save()
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
    for kind, title, count, capacity, fmt in OTHER_EVENTS:
        for n in range(count):
            day = start + dt.timedelta(days=rng.randrange(20, 700))
            day += dt.timedelta(days=(1 - day.weekday()) % 7)  # Tuesdays
            while day in finnish_holidays:  # or a week later (Epiphany, Christmas Eve…)
                day += dt.timedelta(days=7)
            event = Event.objects.create(
                kind=kind,
                title=f"{title} {n + 1}" if count > 1 else title,
                theme=rng.choice(themes),
                starts_at=_at(day, 9),
                ends_at=_at(day, 11, 30),
                format=fmt,
                capacity=capacity,
                place=PLACE if fmt != EventFormat.ONLINE else "",
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
                event.audience = Audience.NETWORKS
                event.save(update_fields=["audience"])
                event.audience_networks.add(network)
            events.append(event)
    # Upcoming workshops with seats, one nearly full, and one cancelled session.
    for n, seats in enumerate([12, 25, 40]):
        day = context.working_day(today + dt.timedelta(days=10 + 14 * n))
        events.append(
            Event.objects.create(
                kind=EventKind.WORKSHOP,
                title=f"Työpaja: {themes[n].title}",
                theme=themes[n],
                starts_at=_at(day, 12),
                ends_at=_at(day, 15),
                format=EventFormat.IN_PERSON,
                place=PLACE,
                capacity=seats,
                registration_mode=RegistrationMode.WAITLIST,
                status=EventStatus.PUBLISHED,
                created_by=organiser,
                description="Käytännön työpaja pienryhmissä.",
                asks_accessibility_needs=True,
                asks_interpretation=True,
                asks_diet=True,
                custom_question="Mitä toivot työpajalta?",
            )
        )
    if future_days:  # the second coming session, or the only one (in May only one is left)
        cancelled = events[len(past_days) + min(1, len(future_days) - 1)]
        cancelled.status = EventStatus.CANCELLED
        cancelled.cancelled_at = timezone.now()
        cancelled.cancellation_reason = (
            "Alustaja on estynyt. Teema siirtyy kevään ohjelmaan; uusi päivä kerrotaan täällä."
        )
        cancelled.sequence += 1
        cancelled.save(update_fields=["status", "cancelled_at", "cancellation_reason", "sequence"])
    return events


# Answers to the registration questions of the demo workshops (no random draws, so the
# rest of the demo data stays the same).
DEMO_DIETS = ["Kasvis", "Gluteeniton", "Laktoositon", "Vegaaninen"]


def _demo_answers(event: Event, position: int, status: str) -> dict[str, str]:
    if not event.asked_questions or status == RegistrationStatus.CANCELLED:
        return {}
    return {
        "accessibility_needs": "Esteetön kulku ja induktiosilmukka" if position % 9 == 4 else "",
        "interpretation": ("sign_language", "captioning")[position % 2]
        if position % 11 == 3
        else "",
        "diet": DEMO_DIETS[position % 4] if position % 3 == 1 else "",
        "question_answer": "Käytännön esimerkkejä työkokeilusta" if position % 5 == 2 else "",
    }


def _registrations_and_attendance(
    context: DemoContext, events: list[Event], people: list[User]
) -> None:
    rng, today = context.rng, context.today
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
                    attendance_source=AttendanceSource.CHECK_IN if attended is not None else "",
                    created_at=event.starts_at
                    - dt.timedelta(days=rng.randint(1, 30), minutes=position),
                    **_demo_answers(event, position, status),
                )
            )
    Registration.objects.bulk_create(registrations)


def _feedback(context: DemoContext, events: list[Event]) -> int:
    rng, today = context.rng, context.today
    answers = []
    for event in events:
        if event.status != EventStatus.PUBLISHED or event.starts_at.date() >= today:
            continue
        for n in range(rng.randint(0, 8)):
            roll = rng.random()
            recommend = (
                rng.choice([9, 10]) if roll < 0.85 else rng.choice([7, 8]) if roll < 0.95 else 5
            )
            answers.append(
                Feedback(
                    event=event,
                    usefulness=rng.choice([3, 4, 4, 5, 5]),
                    recommend=recommend,
                    comment=rng.choice(FEEDBACK_COMMENTS),
                    session_key=f"demo-{event.pk}-{n}",
                )
            )
    Feedback.objects.bulk_create(answers)
    return len(answers)


def _network_meeting_slides(context: DemoContext, network: Network) -> None:
    """Slides on the network's latest past meeting (its first announcement points there)."""
    latest = (
        Event.objects.filter(
            audience_networks=network,
            ends_at__lt=timezone.make_aware(dt.datetime.combine(context.today, dt.time())),
        )
        .order_by("-starts_at")
        .first()
    )
    if latest is not None:
        EventMaterial.objects.create(
            event=latest,
            title="Tapaamisen diat (PDF)",
            url="https://example.fi/materiaalit/verkostotapaaminen.pdf",
        )


def _teams_meetings(context: DemoContext, events: list[Event], graph: ReplayClient) -> list[Event]:
    """Teams meetings, made as sync_teams_meeting makes them (here from recorded answers):
    the latest past online event that takes registrations (its attendance is fetched in
    _teams_attendance), the next coming Kohtaamo session, and the cancelled one, whose
    meeting is then cancelled as cancel_event has it cancelled. Each gets its meeting while
    still a draft (the organiser ticked "Create a Teams meeting" when planning), so nobody
    is told of a new link; before the registrations are made. Returns the events, past first."""
    today = context.today

    def local_day(event: Event) -> dt.date:
        return timezone.localtime(event.starts_at).date()

    past = [
        e
        for e in events
        if e.format in ONLINE_FORMATS
        and e.registration_mode != RegistrationMode.DROP_IN
        and e.status == EventStatus.PUBLISHED
        and local_day(e) < today
    ]
    coming = [e for e in events if e.kind == EventKind.KOHTAAMO and local_day(e) > today]
    chosen = [
        *sorted(past, key=lambda e: e.starts_at)[-1:],
        *[e for e in coming if e.status == EventStatus.PUBLISHED][:1],
        *[e for e in coming if e.status == EventStatus.CANCELLED][:1],
    ]
    for event in chosen:
        Event.objects.filter(pk=event.pk).update(
            status=EventStatus.DRAFT, teams_meeting_wanted=True
        )
        meeting_services.sync_teams_meeting(event_id=event.pk, client=graph)
        Event.objects.filter(pk=event.pk).update(status=event.status)
        if event.status == EventStatus.CANCELLED:
            meeting_services.sync_teams_meeting(event_id=event.pk, client=graph)
        event.refresh_from_db()
    return chosen


def _teams_attendance(
    context: DemoContext, with_teams: list[Event], organiser: User, graph: ReplayClient
) -> None:
    """The past event's attendance fetched from Teams and saved by its organiser after the
    review (fetch_teams_attendance → import_report): the recorded report, with the organiser
    and some of the people registered in it. Their registrations are marked by the report
    rather than by a check-in."""
    past = [
        e
        for e in with_teams
        if timezone.localtime(e.ends_at).date() < context.today and e.teams_online_meeting_id
    ]
    if not past:
        return
    event = past[0]
    registrations = list(
        event.registrations.filter(status=RegistrationStatus.CONFIRMED).order_by("pk")
    )
    event.registrations.update(attended=None, attendance_source="")
    attendees = context.rng.sample(registrations, min(7, len(registrations)))
    graph.add_attendance(
        event.teams_online_meeting_id,
        organiser=(organiser.email, organiser.display_name),
        attendees=[(r.email, r.name) for r in attendees],
    )
    meeting_services.fetch_teams_attendance(
        event_id=event.pk, by=organiser, save=True, client=graph
    )

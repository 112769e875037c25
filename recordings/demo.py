"""Demo recordings in every caption state (no network: metadata is written as if read).

About 25 recordings of past Kohtaamo sessions, as in late 2022: most published with vendor
captions at 3.20 €/min, watched about 22 times each; one unlisted for internal use and never
watched; the rest waiting for captions, with automatic captions only, with errors, waiting
for review, ready to publish, due soon and overdue.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from accessibility import services as access
from accessibility.checks import format_ms
from accounts.demo import COMMUNICATIONS_EMAIL
from accounts.models import User
from events.models import Event, EventKind, EventStatus
from kohtaamo.demo import DemoContext

from . import services
from .models import Availability, CaptionOrder, CaptionTrack, ErrorKind, Recording, TrackKind

SENTENCES = [
    "Tervetuloa tämän viikon Kohtaamoon.",
    "Aiheena on tänään työkyvyn tuki.",
    "Alustajamme kertoo ensin lyhyesti",
    "omasta työstään ja kokemuksistaan.",
    "Sen jälkeen on aikaa kysymyksille.",
    "Kysymyksiä voi kirjoittaa chattiin.",
    "Työkykykoordinaattori auttaa",
    "sekä työntekijää että työnantajaa.",
    "Osatyökykyisyys ei tarkoita,",
    "että ihminen ei voisi tehdä töitä.",
    "Työkokeilu on hyvä tapa aloittaa.",
    "Kela tukee ammatillista kuntoutusta.",
    "Palkkatukea haetaan TE-palveluista.",
    "Kiitos kaikille osallistumisesta.",
]
# (state, days since the video went up on the platform, live recording?)
PLAN = [
    ("no_captions", 3, True),
    ("no_captions", 12, True),
    ("no_captions", 30, True),
    ("automatic", 5, True),
    ("automatic", 13, True),
    ("automatic", 40, True),
    ("errors", 8, True),
    ("errors", 20, True),
    ("review", 6, True),
    ("review", 11, True),
    ("ready", 9, True),
    ("ready", 16, True),
    ("ordered", 4, True),
    ("ordered", 10, True),
    ("private", 60, True),
    ("unlisted_internal", 90, False),
] + [("published", 60 + 7 * n, True) for n in range(10)]


def make_vtt(duration_seconds: int, *, faulty: bool = False, step: float = 4.0) -> str:
    """A small, valid Finnish WebVTT covering the whole video (or with two errors)."""
    lines = ["WEBVTT", ""]
    t, n = 1.0, 0
    while t + 3.5 < duration_seconds:
        start, end = int(t * 1000), int((t + 3.5) * 1000)
        text = SENTENCES[n % len(SENTENCES)]
        if faulty and n == 5:
            text = "Tämä rivi on aivan liian pitkä tekstitykseksi ruudulla näytettäväksi."
        if faulty and n == 9:
            start -= 1000  # overlaps the previous cue
        lines += [str(n + 1), f"{format_ms(start)} --> {format_ms(end)}", text, ""]
        t += step
        n += 1
    return "\n".join(lines)


def seed(context: DemoContext) -> dict[str, int]:
    """Recordings of the latest held Kohtaamo sessions (after events.demo in DEMO_SEEDERS)."""
    rng, today = context.rng, context.today
    comms = User.objects.filter(email=COMMUNICATIONS_EMAIL).first()
    past = [
        e
        for e in Event.objects.filter(
            kind=EventKind.KOHTAAMO, status=EventStatus.PUBLISHED
        ).order_by("-starts_at")
        if timezone.localdate(e.starts_at) < today
    ]
    used: set[int] = set()
    for number, (state, days_ago, live) in enumerate(PLAN):
        uploaded = today - dt.timedelta(days=days_ago)
        event = next(
            (e for e in past if e.pk not in used and timezone.localdate(e.starts_at) <= uploaded),
            None,
        )
        if event is None:
            continue
        used.add(event.pk)
        _recording(
            rng, number=number, state=state, live=live, event=event, uploaded=uploaded, comms=comms
        )
    return {"recordings": Recording.objects.count()}


def _recording(rng, *, number, state, live, event, uploaded, comms) -> Recording:
    duration = rng.randint(50, 62) * 60
    video_id = f"kohtaamo{number:03d}"
    views = 0 if state == "unlisted_internal" else rng.randint(10, 36)
    recording = Recording.objects.create(
        event=event,
        url=f"https://www.youtube.com/watch?v={video_id}",
        video_id=video_id,
        platform="Youtube",
        title=f"Kohtaamo: {event.display_title}",
        duration_seconds=duration,
        recorded_on=timezone.localdate(event.starts_at),
        uploaded_on=uploaded,
        is_live_recording=live,
        availability=Availability.UNLISTED if state == "unlisted_internal" else Availability.PUBLIC,
        view_count=views,
        views_read_at=timezone.now(),
        last_synced_at=timezone.now(),
        platform_info={
            "id": video_id,
            "live_status": "was_live" if live else "not_live",
            "human_languages": [],
            "automatic_languages": ["fi"] if state != "unlisted_internal" else [],
        },
    )
    if state == "unlisted_internal":
        recording.title = "Sisäinen: verkoston työpajakokouksen tallenne"
        recording.save(update_fields=["title"])
    if state == "private":
        recording.availability = Availability.PRIVATE
        recording.last_error = "Private video. Sign in if you've been granted access to this video."
        recording.last_error_kind = ErrorKind.NEEDS_PERSON
        recording.save(update_fields=["availability", "last_error", "last_error_kind"])
    if state not in ("no_captions", "unlisted_internal", "private"):
        CaptionTrack.objects.create(
            recording=recording, language="fi", kind=TrackKind.AUTOMATIC, source="platform"
        )
    minutes = Decimal((duration + 59) // 60)
    if state in ("ordered", "published", "ready"):
        order = CaptionOrder.objects.create(
            recording=recording,
            vendor=rng.choice(["Tekstityspalvelu Oy", "Saavutettava Media Oy"]),
            ordered_on=uploaded,
            due_on=uploaded + dt.timedelta(days=7),
            delivered_on=None if state == "ordered" else uploaded + dt.timedelta(days=5),
            minutes=minutes,
            ordered_by=comms,
        )
    if state in ("errors", "review", "ready", "published"):
        track = services.store_track(
            recording=recording,
            language="fi",
            content=make_vtt(duration, faulty=state == "errors").encode(),
            file_name=f"{video_id}.fi.vtt",
            source="vendor" if state in ("ready", "published") else "uploaded",
            by=comms,
            order=order if state in ("ready", "published") else None,
        )
        if state in ("ready", "published"):
            services.approve_track(track=track, by=comms)
    if state == "published":
        access.publish(recording=recording, by=comms)
    return recording

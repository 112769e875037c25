"""Demo rows for feedback: answers after past sessions (the team's NPS was about 80)."""

from __future__ import annotations

from kohtaamo import demo

COMMENTS = [
    "Hyvä alustus ja käytännön esimerkkejä.",
    "Olisin kaivannut enemmän aikaa kysymyksille.",
    "Selkeä ja hyödyllinen, kiitos!",
    "Materiaalit olisi hyvä saada etukäteen.",
    "Toimiva Teams-yhteys, hyvä tunnelma.",
    "",
    "",
    "",
]


def seed_feedback(*, rng, today, events, people) -> int:
    from .models import EventStatus, Feedback

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
                    comment=rng.choice(COMMENTS),
                    session_key=f"demo-{event.pk}-{n}",
                )
            )
    Feedback.objects.bulk_create(answers)
    return len(answers)


demo.EXTRA_SEEDERS.append(seed_feedback)

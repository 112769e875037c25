"""Carry the once-only e-mail records (events.RegistrationNotice) into the outbox as sent rows.

Their keys are what events.tasks.notice_key gives ("<kind>:<registration>:<key>"), so an
e-mail already sent before the outbox is never sent again. events/0005 then drops the model.
"""

from django.db import migrations

TASKS = {
    "confirmed": "events.tasks.send_registration_confirmed",
    "waitlisted": "events.tasks.send_waitlisted",
    "promoted": "events.tasks.send_promoted",
    "guest_confirm": "events.tasks.send_guest_confirmation_link",
    "registration_cancelled": "events.tasks.send_registration_cancelled",
    "event_changed": "events.tasks.send_event_changed_to",
    "event_cancelled": "events.tasks.send_event_cancelled_to",
}


def forwards(apps, schema_editor):
    notice_model = apps.get_model("events", "RegistrationNotice")
    message_model = apps.get_model("outbox", "OutboxMessage")
    batch = []
    for notice in notice_model.objects.order_by("pk").iterator(chunk_size=2000):
        task = TASKS.get(notice.kind, f"events.tasks.{notice.kind}")
        if notice.kind == "event_changed":
            args = [notice.registration_id, []]
        elif notice.kind == "event_cancelled":
            args = [notice.registration_id]
        else:
            args = [notice.registration_id, notice.key]
        batch.append(
            message_model(
                task=task,
                args=args,
                key=f"{notice.kind}:{notice.registration_id}:{notice.key}",
                status="sent",
                attempts=1,
                created_at=notice.sent_at,
                available_at=notice.sent_at,
                claimed_at=notice.sent_at,
                sent_at=notice.sent_at,
            )
        )
        if len(batch) >= 2000:
            message_model.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    message_model.objects.bulk_create(batch, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [
        ("outbox", "0001_outbox_message"),
        ("events", "0004_calendar_entry_meeting_link_variants"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

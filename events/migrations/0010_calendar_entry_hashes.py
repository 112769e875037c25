"""Stored feed entries keep a digest of each variant, from which a feed's ETag is worked
out (events/calendars/feeds.py): the existing entries get theirs here."""

import hashlib

from django.db import migrations, models

BATCH = 500


def entry_hash(text):
    # The same digest as events.calendars.feeds.entry_hash (a migration keeps its own copy).
    return None if text is None else hashlib.sha256(text.encode()).digest()[:16]


def hash_stored_entries(apps, schema_editor):
    CalendarEntry = apps.get_model("events", "CalendarEntry")
    batch = []
    for entry in CalendarEntry.objects.only("text", "confirmed_text", "waitlisted_text").iterator(
        chunk_size=BATCH
    ):
        entry.text_hash = entry_hash(entry.text)
        entry.confirmed_hash = entry_hash(entry.confirmed_text)
        entry.waitlisted_hash = entry_hash(entry.waitlisted_text)
        batch.append(entry)
        if len(batch) >= BATCH:
            CalendarEntry.objects.bulk_update(
                batch, ["text_hash", "confirmed_hash", "waitlisted_hash"]
            )
            batch = []
    if batch:
        CalendarEntry.objects.bulk_update(batch, ["text_hash", "confirmed_hash", "waitlisted_hash"])


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0009_event_cancellation_reason"),
    ]

    operations = [
        migrations.AddField(
            model_name="calendarentry",
            name="text_hash",
            field=models.BinaryField(default=b"", max_length=16),
        ),
        migrations.AddField(
            model_name="calendarentry",
            name="confirmed_hash",
            field=models.BinaryField(blank=True, max_length=16, null=True),
        ),
        migrations.AddField(
            model_name="calendarentry",
            name="waitlisted_hash",
            field=models.BinaryField(default=b"", max_length=16),
        ),
        migrations.RunPython(hash_stored_entries, migrations.RunPython.noop),
    ]

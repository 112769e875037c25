"""Stored feed entries get a variant for confirmed people; the old entries are deleted.

Entries written before this (feed format 3) put the meeting link of every event in the
public text, so none of them may survive: they are a cache, and the feeds write and store
them again on the next request (events/feeds.py).
"""

from django.db import migrations, models


def delete_entries_that_may_hold_a_link(apps, schema_editor):
    apps.get_model("events", "CalendarEntry").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0003_calendar_entries"),
    ]

    operations = [
        migrations.RunPython(delete_entries_that_may_hold_a_link, migrations.RunPython.noop),
        migrations.AddField(
            model_name="calendarentry",
            name="confirmed_text",
            field=models.TextField(blank=True, null=True),
        ),
    ]

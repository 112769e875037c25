# The once-only e-mail records are outbox rows now (outbox/migrations/0002 copied them).

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0004_calendar_entry_meeting_link_variants"),
        ("outbox", "0002_registration_notices"),
    ]

    operations = [
        migrations.DeleteModel(
            name="RegistrationNotice",
        ),
    ]

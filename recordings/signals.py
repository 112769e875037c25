"""The recordings app's own signal: a recording was added (sent inside the adding transaction).

recordings.tasks answers it by reading the platform's metadata once the transaction commits;
the services send it rather than queue the task themselves, because the task calls the
services (no import cycle, see docs/architecture.md "Import boundaries").
"""

from django.dispatch import Signal

# Sent with recording_id=<pk>.
recording_added = Signal()

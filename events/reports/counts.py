"""What the report counts from the registrations.

`events.reports.selectors.attendance_rows` fills one `Counts` from the registrations of the
report's events (`counts_numpy.counted_in_numpy`: one row of integers per registration,
packed into one binary value on PostgreSQL, streamed on SQLite). Both ways give the same
numbers for the same data (tests/events/reports/test_counts_equal.py), and
`events.reports.compute` builds the report from a `Counts`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

# Per event, in the order of the events frame (float64, as the frame's other figures):
# registrations not cancelled, confirmed, waitlisted, identified attendees, rows with the
# attendance recorded (attended not null), confirmed rows not attended.
EVENT_FIGURES = ("registrations", "confirmed", "waitlisted", "identified", "recorded", "no_shows")
# Per organisation or sector of the registrations (period 0): the counts of `_attendee_table`.
GROUP_FIGURES = (
    "registrations", "confirmed", "waitlisted", "identified", "confirmed_recorded",
    "confirmed_attended", "events", "themes", "unique",
)  # fmt: skip


@dataclass
class Counts:
    """`figures`: per-event registration figures; `unique`: distinct participants per period;
    `unique_by[name]`: distinct participants of the period per key of an event breakdown
    (None: events without one); `groups[name]`: one dict per organisation (or sector) given
    on a registration of the period — "key" (None: not known) and `GROUP_FIGURES`."""

    figures: dict[str, np.ndarray]
    unique: list[int]
    unique_by: dict[str, dict] = field(default_factory=dict)
    groups: dict[str, list[dict]] = field(default_factory=dict)


def plain_key(key):
    """numpy scalars and whole floats (ids after a merge with NaN) -> int; NaN -> None."""
    if key is None or (isinstance(key, float) and np.isnan(key)):
        return None
    if isinstance(key, np.generic):
        key = key.item()
    if isinstance(key, float) and key.is_integer():
        return int(key)
    return key

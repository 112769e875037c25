"""PostgreSQL packs the registration rows into one binary value per column, with a hashed
participant key; the embedded mode (SQLite) streams them with the e-mails numbered in SQL.
On the same data both ways must give the same report, byte for byte."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection

from events.models import Registration, RegistrationStatus
from events.reports import counts_numpy, selectors
from events.reports.compute import attendance_report
from events.reports.periods import Period, year_earlier
from tests.factories import EventFactory, OrganisationFactory, RegistrationFactory

from .conftest import END, START, at, build_dataset

ALL = list(selectors.BREAKDOWNS)
AS_OF = at(dt.date(2025, 6, 1))

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the packed read runs on PostgreSQL only (make test runs it)",
    ),
]


def _report_json(monkeypatch, *, packed: bool, breakdowns=ALL, **kwargs) -> str:
    monkeypatch.setattr(counts_numpy, "packed_in_database", lambda: packed)
    report = attendance_report(
        start=kwargs.pop("start", START),
        end=kwargs.pop("end", END),
        breakdowns=breakdowns,
        as_of=AS_OF,
        **kwargs,
    )
    return json.dumps(report.as_dict(), sort_keys=True)


def _more_variety(dataset) -> None:
    """What the generated data set lacks: events a year earlier (with people who come back),
    fully anonymised registrations, a deleted account whose e-mail is kept, an upper-case
    e-mail stored lower-case, and an organisation seen only on a cancelled registration."""
    earlier = year_earlier(Period(START, END, ""))
    people = dataset.people
    for offset in (3, 20, 40):
        event = EventFactory(starts_at=at(earlier.start + dt.timedelta(days=offset)))
        for person in people[:5]:
            RegistrationFactory(event=event, user=person, attended=True)
        RegistrationFactory(event=event, user=None, email="guest0@example.fi", attended=True)
    later = Registration.objects.filter(
        event__starts_at__gte=at(START), attended=True, user__isnull=False
    ).order_by("pk")
    for registration in later[:4]:  # anonymised: no user, no e-mail
        registration.user, registration.email, registration.name = None, "", ""
        registration.save()
    for registration in later[4:6]:  # account deleted, e-mail kept
        registration.email = registration.user.email
        registration.user = None
        registration.save()
    cancelled_only = OrganisationFactory()
    event = EventFactory(starts_at=at(START + dt.timedelta(days=9)))
    RegistrationFactory(
        event=event, user=None, email="GUEST.Case@Example.fi", attended=True, organisation=None
    )
    RegistrationFactory(
        event=event,
        user=people[7],
        status=RegistrationStatus.CANCELLED,
        organisation=cancelled_only,
    )


@pytest.fixture
def varied(db):
    dataset = build_dataset()
    _more_variety(dataset)
    return dataset


def test_packed_rows_give_the_streamed_report_byte_for_byte(varied, monkeypatch):
    packed = _report_json(monkeypatch, packed=True)
    assert packed == _report_json(monkeypatch, packed=False)
    report = json.loads(packed)
    assert report["totals"]["unique_participants"] > 0
    assert all(c["totals"]["unique_participants"] for c in report["comparisons"])
    assert all(report["breakdowns"][name]["rows"] for name in ALL)


@pytest.mark.parametrize(
    "breakdowns", [["kind", "theme"], ["organisation"], ["sector", "presenter"], []]
)
def test_each_set_of_breakdowns_counts_the_same(varied, monkeypatch, breakdowns):
    kwargs = {"breakdowns": breakdowns}
    assert _report_json(monkeypatch, packed=True, **kwargs) == _report_json(
        monkeypatch, packed=False, **kwargs
    )


def test_without_comparisons_and_without_data_the_same(db, monkeypatch):
    empty = {"start": dt.date(2019, 1, 1), "end": dt.date(2019, 2, 28)}
    assert _report_json(monkeypatch, packed=True, **empty) == _report_json(
        monkeypatch, packed=False, **empty
    )
    build_dataset(seed=11, n_events=8)
    assert _report_json(monkeypatch, packed=True, compare=False) == _report_json(
        monkeypatch, packed=False, compare=False
    )


def test_distinct_counts_by_sorting_count_the_same(varied, monkeypatch):
    """Past `_TABLE_CELLS` (many participants times many keys) the distinct counts sort
    instead of marking a table: the report stays the same."""
    marked = _report_json(monkeypatch, packed=True)
    monkeypatch.setattr(counts_numpy, "_TABLE_CELLS", 0)
    assert _report_json(monkeypatch, packed=True) == marked
    assert _report_json(monkeypatch, packed=False) == marked


def test_ids_past_the_lookup_table_are_hashed_and_count_the_same(varied, monkeypatch):
    """Event positions and organisation codes come from a lookup table for small ids and by
    hashing past `_RANK_TABLE` (here: every id): the report stays the same."""
    tabled = _report_json(monkeypatch, packed=True)
    monkeypatch.setattr(counts_numpy, "_RANK_TABLE", 0)
    assert _report_json(monkeypatch, packed=True) == tabled
    assert _report_json(monkeypatch, packed=False) == tabled


@pytest.mark.parametrize("bits", ["_EVENT_BITS", "_ORGANISATION_BITS"])
def test_ids_too_large_for_the_packed_record_are_read_streamed(varied, monkeypatch, bits):
    """Event and organisation ids share one integer per registration in the packed read;
    larger ids than it holds (here: any id) are read streamed, and count the same."""
    packed = _report_json(monkeypatch, packed=True)
    streamed = []
    original = counts_numpy._streamed_rows
    monkeypatch.setattr(
        counts_numpy, "_streamed_rows", lambda scope: streamed.append(1) or original(scope)
    )
    monkeypatch.setattr(counts_numpy, bits, 0)
    assert _report_json(monkeypatch, packed=True) == packed
    assert streamed


def test_the_packed_read_never_leaves_a_prepared_statement(varied, monkeypatch):
    """Behind PgBouncer's transaction pooling a prepared statement would be lost on the next
    transaction: even with psycopg told to prepare every query (OPTIONS' prepare_threshold),
    the packed read prepares none."""
    monkeypatch.setattr(connection.connection, "prepare_threshold", 0)
    for _ in range(2):
        attendance_report(start=START, end=END, breakdowns=["kind"], as_of=AS_OF)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            ["%string_agg%"],
        )
        assert cursor.fetchone()[0] == 0

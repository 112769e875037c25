"""`Counts` from one row of integers per registration, counted in numpy.

The rows are event, organisation, status code, attendance code and participant key (about
26 bytes a row). Per-event figures are `bincount`s; distinct counts sort packed (key, value)
integers. How the rows leave the database is chosen in one place, `packed_in_database`:

* PostgreSQL packs the rows into one binary string in the database (`PACKED_SQL`): one
  value instead of a Python tuple per row, so a million rows arrive in one
  message and become numpy arrays without a Python loop. Counting in SQL instead was
  measured and was slower (one sort or hash pass over the registrations per distinct count,
  for every breakdown and period; see docs/reports.md);
* SQLite, the embedded mode, streams the rows in chunks.

The participant key is the same on both (user, else e-mail, else registration) and no
e-mail leaves the database; see `PERSON_SQL` and `PACKED_SQL` for how each numbers it.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
from django.db import connection
from django.db.models import Q

from ..models import Registration, RegistrationStatus
from .counts import Counts, plain_key

NO_ORGANISATION = 0
STATUS_CODES = {
    RegistrationStatus.PENDING: 0,
    RegistrationStatus.CONFIRMED: 1,
    RegistrationStatus.WAITLISTED: 2,
    RegistrationStatus.CANCELLED: 3,
}
_CONFIRMED = STATUS_CODES[RegistrationStatus.CONFIRMED]
_WAITLISTED = STATUS_CODES[RegistrationStatus.WAITLISTED]
_CANCELLED = STATUS_CODES[RegistrationStatus.CANCELLED]
ATTENDED, NOT_ATTENDED, NOT_RECORDED = 1, 0, -1
REGISTRATION_COLUMNS = {
    "event_id": np.int64,
    "organisation_id": np.int64,
    "status": np.int8,
    "attended": np.int8,
    "person": np.int64,
}
CHUNK = 20_000
# The codes written into the SQL of both reads.
_CODES = {
    "no_organisation": NO_ORGANISATION,
    "not_recorded": NOT_RECORDED,
    "attended": ATTENDED,
    "not_attended": NOT_ATTENDED,
}

# The person key as one integer, disjoint by construction: 3·user id, 3·n+1 for the n-th
# distinct e-mail of registrations without a user, 3·registration id+2 for neither. The
# e-mails are numbered in the database (one hash pass), so none of them leaves it.
PERSON_SQL = """
SELECT r.event_id,
       COALESCE(r.organisation_id, {no_organisation}),
       CASE r.status WHEN %s THEN %s WHEN %s THEN %s WHEN %s THEN %s ELSE %s END,
       CASE WHEN r.attended IS NULL THEN {not_recorded} WHEN r.attended THEN {attended}
            ELSE {not_attended} END,
       CASE WHEN r.attended THEN COALESCE(3 * r.user_id, 3 * m.n + 1, 3 * r.id + 2) ELSE 0 END
  FROM ({registrations}) r
  LEFT JOIN (SELECT d.email, ROW_NUMBER() OVER () AS n FROM ({emails}) d) m
    ON m.email = CASE WHEN r.attended AND r.user_id IS NULL THEN r.email END
"""


def _scope_sql(reg_scope: Q) -> tuple[str, list]:
    """The registrations of the report's events, as SQL: the columns the keys are made of."""
    in_scope = Registration.objects.filter(reg_scope).order_by()
    return in_scope.values(
        "id", "event_id", "organisation_id", "user_id", "email", "status", "attended"
    ).query.sql_with_params()


def _status_codes() -> list:
    """The parameters of the status CASE: (status, code) pairs, then the pending code."""
    codes = []
    for status in (
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.WAITLISTED,
        RegistrationStatus.CANCELLED,
    ):
        codes += [status.value, STATUS_CODES[status]]
    return [*codes, STATUS_CODES[RegistrationStatus.PENDING]]


def _registration_sql(reg_scope: Q) -> tuple[str, list]:
    registrations, params = _scope_sql(reg_scope)
    in_scope = Registration.objects.filter(reg_scope).order_by()
    emails, email_params = (
        in_scope.filter(attended=True, user_id__isnull=True)
        .exclude(email="")
        .values("email")
        .distinct()
        .query.sql_with_params()
    )
    sql = PERSON_SQL.format(**_CODES, registrations=registrations, emails=emails)
    return sql, [*_status_codes(), *params, *email_params]


def packed_in_database() -> bool:
    """The one place the database decides how the registration rows leave it."""
    return connection.vendor == "postgresql"


def registration_rows(reg_scope: Q) -> pd.DataFrame:
    """One row of integer codes per registration, as compact numpy columns."""
    if packed_in_database():
        return _packed_rows(reg_scope)
    return _streamed_rows(reg_scope)


# PostgreSQL: the person key of an e-mail is a 60-bit hash of it (hashtextextended), so no
# join numbers the e-mails (that join cost as much as the rest of the read); 3·hash+1 stays
# disjoint from 3·user id and 3·registration id+2. Two e-mails would have to share a 60-bit
# hash to be counted as one person. The keys are renumbered 0…n-1 in numpy, as the
# distinct counts expect small integers.
PACKED_PERSON = (
    "COALESCE(3 * r.user_id,"
    " 3 * (hashtextextended(NULLIF(r.email, ''), 0) & 1152921504606846975) + 1,"
    " 3 * r.id + 2)"
)
PACKED_SQL = """
SELECT string_agg(
         int8send(r.event_id)
         || int8send(COALESCE(r.organisation_id, {no_organisation})::bigint)
         || int2send((CASE r.status WHEN %s THEN %s WHEN %s THEN %s WHEN %s THEN %s
                      ELSE %s END)::smallint)
         || int2send((CASE WHEN r.attended IS NULL THEN {not_recorded}
                           WHEN r.attended THEN {attended}
                           ELSE {not_attended} END)::smallint)
         || int8send(CASE WHEN r.attended THEN {person} ELSE 0 END),
         ''::bytea)
  FROM ({registrations}) r
"""
# One 28-byte record per registration (int8send / int2send: big-endian), in the order of
# REGISTRATION_COLUMNS: one aggregate, not one per column (a tenth faster, measured).
_PACKED_RECORD = np.dtype(
    [("event_id", ">i8"), ("organisation_id", ">i8"), ("status", ">i2"), ("attended", ">i2"),
     ("person", ">i8")]
)  # fmt: skip


def _packed_rows(reg_scope: Q) -> pd.DataFrame:
    registrations, params = _scope_sql(reg_scope)
    sql = PACKED_SQL.format(**_CODES, person=PACKED_PERSON, registrations=registrations)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*_status_codes(), *params])
        (packed,) = cursor.fetchone()
    records = np.frombuffer(packed or b"", dtype=_PACKED_RECORD)
    columns = {name: records[name].astype(dtype) for name, dtype in REGISTRATION_COLUMNS.items()}
    _keys, columns["person"] = np.unique(columns["person"], return_inverse=True)
    return pd.DataFrame(columns, copy=False)


def _streamed_rows(reg_scope: Q) -> pd.DataFrame:
    """Streamed in chunks into numpy columns, never a million Python tuples at once."""
    sql, params = _registration_sql(reg_scope)
    parts: dict[str, list] = {name: [] for name in REGISTRATION_COLUMNS}
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(CHUNK):
            array = np.array(chunk, dtype=np.int64)
            for index, (name, dtype) in enumerate(REGISTRATION_COLUMNS.items()):
                parts[name].append(array[:, index].astype(dtype))
    return pd.DataFrame(
        {
            name: np.concatenate(parts[name]) if parts[name] else np.empty(0, dtype)
            for name, dtype in REGISTRATION_COLUMNS.items()
        },
        copy=False,
    )


def counted_in_numpy(
    *,
    events: pd.DataFrame,
    reg_scope: Q,
    n_periods: int,
    event_keys: dict[str, str],
    links: dict[str, pd.DataFrame],
    attendee_keys: list[str],
    sectors_of: Callable[[set], dict],
    period_column: Callable[[int], str],
) -> Counts:
    """Counts of the registrations of `events` (the frame of `attendance_rows`). `sectors_of`
    reads the sector of the organisations seen, only when `attendee_keys` has "sector"."""
    registrations = registration_rows(reg_scope)
    positions = pd.Index(events["id"])
    event = positions.get_indexer(registrations["event_id"])
    registrations["event"] = event
    figures = _registration_figures(registrations, len(events))
    attended = registrations.loc[registrations["attended"].to_numpy() == ATTENDED]
    held = [events[period_column(i)].to_numpy(dtype=bool) for i in range(n_periods)]
    unique = [
        len(pd.unique(attended["person"].to_numpy()[mask[attended["event"].to_numpy()]]))
        for mask in held
    ]
    mine = attended[held[0][attended["event"].to_numpy()]]
    counts = Counts(figures=figures, unique=unique)
    for name, column in event_keys.items():
        counts.unique_by[name] = _unique_by_event_key(mine, events[column])
    for name, linked in links.items():
        located = linked.assign(event=positions.get_indexer(linked["event_id"]))
        counts.unique_by[name] = _unique_by_link(mine, located)
    if attendee_keys:
        in_period = registrations[held[0][event]]
        organisations = set(in_period["organisation_id"].unique().tolist()) - {NO_ORGANISATION}
        sectors = sectors_of(organisations) if "sector" in attendee_keys else {}
        for name in attendee_keys:
            counts.groups[name] = _attendee_groups(name, in_period, events, figures, sectors)
    return counts


def _registration_figures(registrations: pd.DataFrame, n_events: int) -> dict[str, np.ndarray]:
    status = registrations["status"].to_numpy()
    attended = registrations["attended"].to_numpy()
    confirmed = status == _CONFIRMED
    flags = {
        "registrations": status != _CANCELLED,
        "confirmed": confirmed,
        "waitlisted": status == _WAITLISTED,
        "identified": attended == ATTENDED,
        "recorded": attended != NOT_RECORDED,
        "no_shows": confirmed & (attended != ATTENDED),
    }
    event = registrations["event"].to_numpy()
    return {
        name: np.bincount(event, weights=flag, minlength=n_events) for name, flag in flags.items()
    }


def _distinct_counts(codes: np.ndarray, n_keys: int, values: np.ndarray) -> np.ndarray:
    """Per key code (0 … n_keys-1), how many distinct `values` (integers ≥ 0: event
    positions, theme codes, person keys) its rows have. Each (key, value) pair is packed
    into one int64 and the array sorted in place: numpy's sort takes milliseconds for a
    million integers, where groupby-nunique took a tenth of a second."""
    span = int(values.max()) + 1 if len(values) else 1
    pairs = codes.astype(np.int64) * span
    pairs += values
    pairs.sort()
    first = np.ones(len(pairs), dtype=bool)
    first[1:] = pairs[1:] != pairs[:-1]
    return np.bincount(pairs[first] // span, minlength=n_keys)


def _int_codes(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(code per value, sorted distinct values) for integers, by sorting: pd.factorize would
    build a hash table the size of the million-row input."""
    ordered = np.sort(values)
    first = np.ones(len(ordered), dtype=bool)
    first[1:] = ordered[1:] != ordered[:-1]
    uniques = ordered[first]
    return np.searchsorted(uniques, values), uniques


def _by_key(keys, counts: np.ndarray) -> dict:
    return {plain_key(key): int(count) for key, count in zip(keys, counts, strict=True)}


def _unique_by_event_key(attended: pd.DataFrame, event_keys: pd.Series) -> dict:
    """Distinct participants per value of an event's attribute (all events' values)."""
    codes, keys = pd.factorize(event_keys, use_na_sentinel=False)
    rows = codes[attended["event"].to_numpy()]
    return _by_key(keys, _distinct_counts(rows, len(keys), attended["person"].to_numpy()))


def _unique_by_link(attended: pd.DataFrame, links: pd.DataFrame) -> dict:
    """Distinct participants per linked network or presenter (events without one: None)."""
    pairs = attended.merge(links[["event", "key"]], how="left", on="event")
    codes, keys = pd.factorize(pairs["key"], use_na_sentinel=False)
    return _by_key(keys, _distinct_counts(codes, len(keys), pairs["person"].to_numpy()))


def _attendee_groups(
    name: str,
    registrations: pd.DataFrame,
    events: pd.DataFrame,
    figures: dict[str, np.ndarray],
    sectors: dict,
) -> list[dict]:
    """Per organisation (or sector) of the period's registrations, whatever their status."""
    org_codes, organisations = _int_codes(registrations["organisation_id"].to_numpy())
    keys = pd.Series(organisations)
    if name == "sector":
        keys = keys.map(sectors)
    keys = keys.where(pd.Series(organisations) != NO_ORGANISATION)
    key_codes, keys = pd.factorize(keys, use_na_sentinel=False)
    codes, n_keys = key_codes[org_codes], len(keys)
    event = registrations["event"].to_numpy()
    status = registrations["status"].to_numpy()
    attended = registrations["attended"].to_numpy() == ATTENDED
    live, confirmed = status != _CANCELLED, status == _CONFIRMED
    recorded = (figures["recorded"] > 0)[event]
    themes = pd.factorize(events["theme_id"])[0][event]  # -1: no theme
    with_theme = live & (themes >= 0)
    flags = {
        "registrations": live,
        "confirmed": confirmed,
        "waitlisted": status == _WAITLISTED,
        "identified": attended,
        "confirmed_recorded": confirmed & recorded,
        "confirmed_attended": confirmed & attended,
    }
    counts = {
        column: np.bincount(codes, weights=flag, minlength=n_keys) for column, flag in flags.items()
    }
    counts["events"] = _distinct_counts(codes[live], n_keys, event[live])
    counts["themes"] = _distinct_counts(codes[with_theme], n_keys, themes[with_theme])
    persons = registrations["person"].to_numpy()[attended]
    counts["unique"] = _distinct_counts(codes[attended], n_keys, persons)
    return [
        {"key": plain_key(key), **{column: int(values[index]) for column, values in counts.items()}}
        for index, key in enumerate(keys)
    ]

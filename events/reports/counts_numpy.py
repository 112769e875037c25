"""`Counts` from one row of integers per registration, counted in numpy.

The rows are event, organisation, status code, attendance code and participant key, as
numpy columns (no DataFrame: building and filtering frames of a million rows cost more than
the counting). Per-event figures are `bincount`s; the participant keys of attended rows are
renumbered 0…n-1 with a hash table, and a distinct count marks (key, value) cells in a
boolean table, one pass without a sort (sorting packed pairs only when the table would be
large). How the rows leave the database is chosen in one place, `packed_in_database`:

* PostgreSQL packs the rows into two binary strings in the database (`PACKED_SQL`): one
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
from dataclasses import dataclass
from functools import cache

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


def registration_rows(reg_scope: Q, event_ids: np.ndarray) -> dict[str, np.ndarray]:
    """One row of integer codes per registration, as compact numpy columns: those of the
    report's events (`reg_scope`, whose ids are `event_ids`) and, read packed, possibly
    others that the caller drops (see `_packed_rows`)."""
    if not len(event_ids):
        return _streamed_rows(reg_scope)
    if packed_in_database() and _fits(event_ids.max(), _EVENT_BITS):
        rows = _packed_rows(Q(event_id__gte=event_ids.min(), event_id__lte=event_ids.max()))
        if rows is not None:
            return rows
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
         int8send(r.event_id + {event_span} * (
           (COALESCE(r.organisation_id, {no_organisation})::bigint & {organisation_mask}) * 16
           + CASE r.status WHEN %s THEN %s WHEN %s THEN %s WHEN %s THEN %s ELSE %s END
           + CASE WHEN r.attended IS NULL THEN {not_recorded_bits}
                  WHEN r.attended THEN {attended_bits}
                  ELSE {not_attended_bits} END)),
         ''::bytea),
       string_agg(int8send({person}), ''::bytea) FILTER (WHERE r.attended),
       (SELECT MAX(o.{organisation_pk}) FROM {organisations} o)
  FROM ({registrations}) r
"""
# Two values: ONE int8 per registration (int8send: big-endian) — event id in the low
# _EVENT_BITS, then status code, attendance code·4 and organisation id·16 — and the person
# keys of the attended rows alone, in the same order (both aggregates read the rows in one
# scan). One call per row instead of one per field: the read is most of the report's time,
# and a third faster so (measured). The ids must fit: the events' largest id is known before
# the read, the organisations' comes with it; larger ones take the streamed read instead.
_EVENT_BITS, _ORGANISATION_BITS = 32, 27
_PACKED_CODES = {
    f"{name}_bits": 4 * (code - NOT_RECORDED)
    for name, code in _CODES.items()
    if name != "no_organisation"
}


def _packed_rows(reg_scope: Q) -> dict[str, np.ndarray] | None:
    """The packed read; None when an organisation id is too large for the record.
    `registration_rows` reads the registrations of the range of the events' ids, not a join
    to the events: the join cost a fifth of the read, and the rows of other events in the
    range are dropped in numpy by the caller (`counted_in_numpy`)."""
    registrations, params = _scope_sql(reg_scope)
    organisations = Registration._meta.get_field("organisation").related_model._meta
    sql = PACKED_SQL.format(
        **_CODES,
        **_PACKED_CODES,
        event_span=1 << _EVENT_BITS,
        organisation_mask=(1 << _ORGANISATION_BITS) - 1,
        organisation_pk=connection.ops.quote_name(organisations.pk.column),
        organisations=connection.ops.quote_name(organisations.db_table),
        person=PACKED_PERSON,
        registrations=registrations,
    )
    packed, persons, largest = _fetch_binary(sql, [*_status_codes(), *params])
    if not _fits(largest, _ORGANISATION_BITS):
        return None
    values = np.frombuffer(packed or b"", dtype=">i8").astype(np.int64)
    codes = values >> _EVENT_BITS
    attended = ((codes >> 2) & 3).astype(np.int8) + NOT_RECORDED
    person = np.zeros(len(codes), dtype=np.int64)
    person[attended == ATTENDED] = np.frombuffer(persons or b"", dtype=">i8")
    return {
        "event_id": values & ((1 << _EVENT_BITS) - 1),
        "organisation_id": codes >> 4,
        "status": (codes & 3).astype(np.int8),
        "attended": attended,
        "person": person,
    }


def _fits(largest_id, bits: int) -> bool:
    return largest_id is None or int(largest_id) < 1 << bits


def _fetch_binary(sql: str, params: list) -> tuple:
    """The one row of `sql`, in PostgreSQL's binary format: the packed values arrive as they
    are instead of hex text twice their size (a sixth of the read's time, measured). Django's
    cursors bind on the client, which gives text only; this psycopg cursor is wrapped the way
    `connection.cursor()` wraps its own, so the query is logged and counted like the others."""
    connection.ensure_connection()
    raw = _binary_cursor()(connection.connection)
    wrap = connection.make_debug_cursor if connection.queries_logged else connection.make_cursor
    with wrap(raw) as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


@cache
def _binary_cursor() -> type:
    import psycopg  # noqa: PLC0415 - PostgreSQL only; the embedded mode may not have it

    class BinaryCursor(psycopg.Cursor):
        """Binary results, and never a prepared statement: behind PgBouncer's transaction
        pooling (docs/deploy.md) the next transaction may run on another server connection."""

        def execute(self, query, params=None, **_kwargs):
            return super().execute(query, params, prepare=False, binary=True)

    return BinaryCursor


# A NULL in a packed frame: the smallest int8, which no id, count or sum of ours reaches.
_NULL = -(1 << 63)


def packed_frame(
    sql: str,
    params: list,
    columns: list[str],
    *,
    texts: dict[str, list[str]] | None = None,
    booleans: frozenset[str] = frozenset(),
) -> pd.DataFrame | None:
    """The rows of `sql` (integer columns, the `booleans`, and `texts`: text columns with
    their known values; any of them NULL) as a frame, packed in PostgreSQL into one int8 per
    cell: one binary value to numpy instead of a Python tuple per row (for 50,000 events 0.11 s →
    0.02 s, measured). The frame has the dtypes `DataFrame.from_records` gives the same rows:
    int64, float64 with NaN where a column has NULLs, object for text. None when a text is
    not one of the known values: then read the rows as they are."""
    texts = texts or {}
    names = [f"c{index}" for index in range(len(columns))]
    cells, text_params = [], []
    for name, column in zip(names, columns, strict=True):
        if column in texts:
            whens = " ".join(f"WHEN %s THEN {code}" for code in range(len(texts[column])))
            cells.append(f"CASE q.{name} {whens} ELSE -1 END")
            text_params += texts[column]
        else:
            cast = "::int::int8" if column in booleans else "::int8"  # no bool → int8 cast
            cells.append(f"COALESCE((q.{name}){cast}, {_NULL})")
    packed = " || ".join(f"int8send({cell})" for cell in cells)
    aliases = ", ".join(names)
    packed_sql = f"SELECT string_agg({packed}, ''::bytea) FROM ({sql}) AS q({aliases})"  # noqa: S608 - our own SQL, codes and column aliases
    (packed,) = _fetch_binary(packed_sql, [*text_params, *params])  # in the order they appear
    if not packed:
        return pd.DataFrame.from_records([], columns=columns)
    table = np.frombuffer(packed, dtype=">i8").astype(np.int64).reshape(-1, len(columns))
    frame = {}
    for index, column in enumerate(columns):
        values = table[:, index]
        if column in texts:
            if (values < 0).any():
                return None
            frame[column] = np.array(texts[column], dtype=object)[values]
        elif (nulls := values == _NULL).any():
            frame[column] = [None] * len(values) if nulls.all() else np.where(nulls, np.nan, values)
        else:
            frame[column] = values
    return pd.DataFrame(frame, columns=columns)


def _streamed_rows(reg_scope: Q) -> dict[str, np.ndarray]:
    """Streamed in chunks into numpy columns, never a million Python tuples at once."""
    sql, params = _registration_sql(reg_scope)
    parts: dict[str, list] = {name: [] for name in REGISTRATION_COLUMNS}
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(CHUNK):
            array = np.array(chunk, dtype=np.int64)
            for index, (name, dtype) in enumerate(REGISTRATION_COLUMNS.items()):
                parts[name].append(array[:, index].astype(dtype))
    return {
        name: np.concatenate(parts[name]) if parts[name] else np.empty(0, dtype)
        for name, dtype in REGISTRATION_COLUMNS.items()
    }


@dataclass
class _Attended:
    """The attended rows of one set of events: event positions and person codes 0…n-1."""

    event: np.ndarray
    person: np.ndarray
    n_persons: int

    def where(self, mask: np.ndarray) -> _Attended:
        return _Attended(self.event[mask], self.person[mask], self.n_persons)


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
    positions = pd.Index(events["id"])
    registrations = registration_rows(reg_scope, positions.to_numpy())
    event = _positions_of(registrations["event_id"], positions)
    if (other := event < 0).any():  # registrations of events outside the report
        registrations = {column: values[~other] for column, values in registrations.items()}
        event = event[~other]
    registrations["event"] = event
    figures = _registration_figures(registrations, len(events))
    is_attended = registrations["attended"] == ATTENDED
    # Person keys renumbered 0…n-1 (a hash table, not a sort); only attended rows have one.
    person_codes, person_keys = pd.factorize(registrations["person"][is_attended])
    registrations["person"] = np.zeros(len(event), dtype=np.int64)
    registrations["person"][is_attended] = person_codes
    attended = _Attended(event[is_attended], person_codes, len(person_keys))
    held = [events[period_column(i)].to_numpy(dtype=bool) for i in range(n_periods)]
    unique = [_distinct(attended.person[mask[attended.event]], attended.n_persons) for mask in held]
    mine = attended.where(held[0][attended.event])
    counts = Counts(figures=figures, unique=unique)
    for name, column in event_keys.items():
        counts.unique_by[name] = _unique_by_event_key(mine, events[column])
    for name, linked in links.items():
        counts.unique_by[name] = _unique_by_link(mine, positions, linked, len(events))
    if attendee_keys:
        in_period = held[0][event]
        in_period = {column: values[in_period] for column, values in registrations.items()}
        groups = _Organisations(
            in_period, events=events, figures=figures, n_persons=attended.n_persons
        )
        seen = set(groups.ids.tolist()) - {NO_ORGANISATION}
        sectors = sectors_of(seen) if "sector" in attendee_keys else {}
        for name in attendee_keys:
            counts.groups[name] = _attendee_groups(name, groups, sectors)
    return counts


# Ids below this are looked up in (or ranked through) a table of this many entries, larger
# ones by hashing.
_RANK_TABLE = 1 << 22


def _positions_of(ids: np.ndarray, positions: pd.Index) -> np.ndarray:
    """Each id's position in `positions` (-1: not there); for ids up to _RANK_TABLE a table
    lookup instead of hashing a million ids."""
    known = positions.to_numpy()
    if not len(known) or int(known.max()) >= _RANK_TABLE or int(known.min()) < 0:
        return positions.get_indexer(ids)
    table = np.full(int(known.max()) + 2, -1, dtype=np.int64)  # the last entry: beyond them
    table[known] = np.arange(len(known))
    return table[np.minimum(ids, len(table) - 1)]


def _distinct(values: np.ndarray, span: int) -> int:
    """How many distinct integers 0…span-1 `values` holds."""
    seen = np.zeros(span, dtype=bool)
    seen[values] = True
    return int(np.count_nonzero(seen))


# A registration's state: its status code (0…3) and attendance code (-1…1), and for the
# organisation breakdowns whether its event has attendance recorded (0, 1).
_STATUSES, _ATTENDANCES = 4, 3
_STATE_STATUS = np.arange(2 * _STATUSES * _ATTENDANCES) // _ATTENDANCES % _STATUSES
_STATE_ATTENDED = np.arange(2 * _STATUSES * _ATTENDANCES) % _ATTENDANCES + NOT_RECORDED
_STATE_RECORDED = np.arange(2 * _STATUSES * _ATTENDANCES) >= _STATUSES * _ATTENDANCES


def _state_table(
    group: np.ndarray, n_groups: int, registrations: dict, recorded: np.ndarray | None = None
) -> np.ndarray:
    """Rows per (group, state): one integer bincount over the rows, instead of one
    weighted bincount (a float copy of a million flags) per figure. `recorded`: per row,
    whether its event has attendance recorded (else the states without it)."""
    states = _STATUSES * _ATTENDANCES * (1 if recorded is None else 2)
    state = registrations["status"].astype(np.int64) * _ATTENDANCES
    state += registrations["attended"] - NOT_RECORDED
    if recorded is not None:
        state += recorded * (_STATUSES * _ATTENDANCES)
    cells = group.astype(np.int64) * states
    cells += state
    return np.bincount(cells, minlength=n_groups * states).reshape(n_groups, states)


def _summed(table: np.ndarray, states: np.ndarray) -> np.ndarray:
    """Per group, the rows in the `states` (a boolean per state column), as floats."""
    return table[:, states[: table.shape[1]]].sum(axis=1).astype(np.float64)


_CONFIRMED_STATE = _STATE_STATUS == _CONFIRMED
_ATTENDED_STATE = _STATE_ATTENDED == ATTENDED
_LIVE_STATE = _STATE_STATUS != _CANCELLED
_WAITLISTED_STATE = _STATE_STATUS == _WAITLISTED


def _registration_figures(registrations: dict, n_events: int) -> dict[str, np.ndarray]:
    table = _state_table(registrations["event"], n_events, registrations)
    return {
        "registrations": _summed(table, _LIVE_STATE),
        "confirmed": _summed(table, _CONFIRMED_STATE),
        "waitlisted": _summed(table, _WAITLISTED_STATE),
        "identified": _summed(table, _ATTENDED_STATE),
        "recorded": _summed(table, _STATE_ATTENDED != NOT_RECORDED),
        "no_shows": _summed(table, _CONFIRMED_STATE & ~_ATTENDED_STATE),
    }


# Up to this many (key, value) cells the distinct counts mark a boolean table (one pass, no
# sort); beyond it they sort packed pairs, whose memory grows with the rows only.
_TABLE_CELLS = 1 << 25


def _distinct_counts(codes: np.ndarray, n_keys: int, values: np.ndarray, span: int) -> np.ndarray:
    """Per key code (0 … n_keys-1), how many distinct `values` (integers 0…span-1: event
    positions, theme codes, person codes) its rows have. Each (key, value) pair is one cell
    key·span + value: marked in a boolean table when it is small, else sorted."""
    cells = codes.astype(np.int64) * span
    cells += values
    if n_keys * span <= _TABLE_CELLS:
        table = np.zeros(n_keys * span, dtype=bool)
        table[cells] = True
        return np.count_nonzero(table.reshape(n_keys, span), axis=1)
    cells.sort()
    first = np.ones(len(cells), dtype=bool)
    first[1:] = cells[1:] != cells[:-1]
    return np.bincount(cells[first] // span, minlength=n_keys)


def _by_key(keys, counts: np.ndarray) -> dict:
    return {plain_key(key): int(count) for key, count in zip(keys, counts, strict=True)}


def _unique_by_event_key(attended: _Attended, event_keys: pd.Series) -> dict:
    """Distinct participants per value of an event's attribute (all events' values)."""
    codes, keys = pd.factorize(event_keys, use_na_sentinel=False)
    rows = codes[attended.event]
    return _by_key(keys, _distinct_counts(rows, len(keys), attended.person, attended.n_persons))


def _unique_by_link(
    attended: _Attended, positions: pd.Index, links: pd.DataFrame, n_events: int
) -> dict:
    """Distinct participants per linked network or presenter (events without one: None):
    each attended row once per link of its event, in numpy instead of a frame merge."""
    link_event = positions.get_indexer(links["event_id"])
    order = np.argsort(link_event, kind="stable")
    link_codes, keys = pd.factorize(links["key"].to_numpy()[order])
    per_event = np.bincount(link_event[order], minlength=n_events)
    first_link = np.cumsum(per_event) - per_event
    n_links = per_event[attended.event]
    row = np.repeat(np.arange(len(n_links)), n_links)
    nth = np.arange(len(row)) - np.repeat(np.cumsum(n_links) - n_links, n_links)
    unlinked = n_links == 0
    none = len(keys)  # the code of "events without one"
    codes = np.concatenate([link_codes[first_link[attended.event[row]] + nth],
                            np.full(np.count_nonzero(unlinked), none)])  # fmt: skip
    persons = np.concatenate([attended.person[row], attended.person[unlinked]])
    counts = _distinct_counts(codes, none + 1, persons, attended.n_persons)
    unique = _by_key(keys, counts[:none])
    if unlinked.any():
        unique[None] = int(counts[none])
    return unique


def _ranked(ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Codes 0…n-1 of `ids` (non-negative integers) in id order, and the distinct ids: for
    small ids a table lookup, no hashing or sort of the million rows."""
    if len(ids) and int(ids.max()) < _RANK_TABLE:
        present = np.bincount(ids) > 0
        rank = np.cumsum(present) - 1
        return rank[ids], np.flatnonzero(present)
    codes, distinct = pd.factorize(ids)
    order = np.argsort(distinct)
    rank = np.empty(len(distinct), dtype=np.int64)
    rank[order] = np.arange(len(distinct))
    return rank[codes], distinct[order]


class _Organisations:
    """The period's registrations by organisation (codes 0…n-1 in id order): the additive
    figures summed per organisation, and the rows each distinct count reads, computed once
    for both attendee breakdowns."""

    def __init__(
        self,
        registrations: dict[str, np.ndarray],
        *,
        events: pd.DataFrame,
        figures: dict[str, np.ndarray],
        n_persons: int,
    ) -> None:
        codes, self.ids = _ranked(registrations["organisation_id"])
        event = registrations["event"]
        attended = registrations["attended"] == ATTENDED
        live = registrations["status"] != _CANCELLED
        recorded = (figures["recorded"] > 0)[event]
        theme_codes, themes = pd.factorize(events["theme_id"])  # -1: no theme
        theme = theme_codes[event]
        with_theme = live & (theme >= 0)
        table = _state_table(codes, len(self.ids), registrations, recorded=recorded)
        self.sums = {
            "registrations": _summed(table, _LIVE_STATE),
            "confirmed": _summed(table, _CONFIRMED_STATE),
            "waitlisted": _summed(table, _WAITLISTED_STATE),
            "identified": _summed(table, _ATTENDED_STATE),
            "confirmed_recorded": _summed(table, _CONFIRMED_STATE & _STATE_RECORDED),
            "confirmed_attended": _summed(table, _CONFIRMED_STATE & _ATTENDED_STATE),
        }
        # figure -> (organisation code of each row, the value counted, its span)
        self.distinct = {
            "events": (codes[live], event[live], len(events)),
            "themes": (codes[with_theme], theme[with_theme], len(themes)),
            "unique": (codes[attended], registrations["person"][attended], n_persons),
        }


def _attendee_groups(name: str, organisations: _Organisations, sectors: dict) -> list[dict]:
    """Per organisation (or sector) of the period's registrations, whatever their status."""
    ids = pd.Series(organisations.ids)
    keys = ids.map(sectors) if name == "sector" else ids
    keys = keys.where(ids != NO_ORGANISATION)
    key_codes, keys = pd.factorize(keys, use_na_sentinel=False)
    n_keys = len(keys)
    # Sums of whole numbers: per key the same whether summed from rows or organisations.
    counts = {
        column: np.bincount(key_codes, weights=sums, minlength=n_keys)
        for column, sums in organisations.sums.items()
    }
    for column, (codes, values, span) in organisations.distinct.items():
        counts[column] = _distinct_counts(key_codes[codes], n_keys, values, span)
    return [
        {"key": plain_key(key), **{column: int(values[index]) for column, values in counts.items()}}
        for index, key in enumerate(keys)
    ]

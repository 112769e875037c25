"""Bulk import of a member list (CSV or XLSX): read, map the columns, settle unknown
organisations, preview row by row, confirm.

Steps, each a function here (the views only call them):

1. `read_member_table` reads the file within the upload bounds and finds the row of
   column names, skipping title rows above it (the member list the app exports has two);
   `propose_mapping` proposes what each column is, from Finnish, Swedish and English
   headers; the coordinator may change it, `check_mapping` says what is wrong with a
   mapping and `rows_from_table` applies it (first and last name make the name).
2. `organisation_questions` lists each organisation value that is not an organisation's
   name nor a remembered alias (`OrganisationAlias`) once, with the closest organisations
   (rapidfuzz, also by sector: "TE-toimisto" suggests the TE offices). The coordinator
   answers each with an organisation, or "import without organisation".
3. `preview_import` says per row what will happen; nothing is saved by steps 1–3.
   `confirm_import` remembers the confirmed aliases and saves the new rows in one
   transaction, checking everything again (someone may have joined meanwhile).

Decision: every new row becomes an *invited* membership and the person gets an
invitation e-mail, also when an account with that e-mail already exists. Joining shows a
person in the directory and sends them messages, so each person accepts (and gives
their consent choices) themselves; the coordinator's list does not decide for them.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from openpyxl import load_workbook
from rapidfuzz import fuzz, process, utils

from accounts.audit import record_audit
from kohtaamo.uploads import check_upload

from .models import (
    MemberRole,
    Membership,
    Network,
    Organisation,
    OrganisationAlias,
    Sector,
    alias_key,
)
from .selectors import OPEN_STATUSES, is_coordinator
from .services import (
    NetworkError,
    NotCoordinatorError,
    _invite_one,
    _lock_network,
    send_invitations_after_commit,
)

MAX_ROWS = 5000
HEADER_SEARCH_ROWS = 10  # the column names are on one of the first rows that hold anything
KEPT_CHARS = 1000  # a cell is kept this long between the steps; longer is an error anyway
NAME_MAX, TITLE_MAX = 150, 150

FIELDS = ("name", "first_name", "last_name", "email", "organisation", "title", "role")
FIELD_LABELS = {
    "name": _("Name"),
    "first_name": _("First name"),
    "last_name": _("Last name"),
    "email": _("E-mail"),
    "organisation": _("Organisation"),
    "title": pgettext_lazy("job title", "Title"),
    "role": _("Role in the network"),
}
HEADERS = {
    "name": {
        "name", "full name", "nimi", "koko nimi", "henkilö", "namn", "fullständigt namn",
        "hela namnet",
    },
    "first_name": {
        "first name", "firstname", "given name", "forename", "etunimi", "etunimet",
        "förnamn", "tilltalsnamn",
    },
    "last_name": {
        "last name", "lastname", "surname", "family name", "sukunimi", "efternamn",
        "släktnamn",
    },
    "email": {
        "email", "e-mail", "e mail", "email address", "e-mail address", "mail", "sähköposti",
        "sahkoposti", "sähköpostiosoite", "sähköposti-osoite", "s-posti", "sposti",
        "e-post", "epost", "e-postadress", "epostadress",
    },
    "organisation": {
        "organisation", "organization", "organisation (free text)", "organisaatio",
        "organisaation nimi", "taho", "työnantaja", "yritys", "employer", "company",
        "organisationen", "arbetsgivare", "företag",
    },
    "title": {
        "title", "job title", "position", "tehtävänimike", "nimike", "ammattinimike",
        "virkanimike", "titteli", "tehtävä", "asema", "titel", "befattning", "yrkestitel",
        "tjänstetitel",
    },
    "role": {"role", "rooli", "roll", "role in the network", "rooli verkostossa",
             "roll i nätverket"},
}  # fmt: skip
# The export's own column names, in every language (the app's list imports back as it is).
EXPORT_HEADERS = {
    "name": (_("Name"),),
    "email": (_("E-mail"),),
    "organisation": (_("Organisation"),),
    "title": (_("Title"), pgettext_lazy("job title", "Title")),
    "role": (_("Role"), _("Role in the network")),
}
HEADER_FUZZY_CUTOFF = 88
SUGGESTION_CUTOFF = 60
SUGGESTIONS = 3
WITHOUT = "none"  # the decision "import without organisation"

ROLE_ALIASES = {
    "kokemusasiantuntija": MemberRole.EXPERIENCE_EXPERT,
    "kokija": MemberRole.EXPERIENCE_EXPERT,
    "kokijat": MemberRole.EXPERIENCE_EXPERT,
    "tekijä": MemberRole.PRACTITIONER,
    "tekijät": MemberRole.PRACTITIONER,
    "ammattilainen": MemberRole.PRACTITIONER,
    "työntekijä": MemberRole.PRACTITIONER,
    "johto": MemberRole.MANAGEMENT,
    "esihenkilö": MemberRole.MANAGEMENT,
    "muu": MemberRole.OTHER,
}


class ImportFileError(NetworkError):
    default_message = _("The file could not be read.")


class ImportMappingError(NetworkError):
    """The chosen columns cannot make member rows; `messages` says each problem."""

    default_message = _("The columns cannot be imported like this.")

    def __init__(self, messages: list[str]):
        self.messages = messages
        super().__init__(" ".join(messages))


@dataclass
class MemberTable:
    """The file's rows once read: the column names and the data rows below them."""

    header_row: int
    headers: list[str]
    rows: list[tuple[int, list[str]]]
    skipped_rows: int = 0  # title rows above the column names

    def as_stored(self) -> dict:
        return {
            "header_row": self.header_row,
            "headers": self.headers,
            "rows": [[n, values] for n, values in self.rows],
            "skipped_rows": self.skipped_rows,
        }

    @classmethod
    def from_stored(cls, stored: Mapping) -> MemberTable:
        return cls(
            header_row=stored["header_row"],
            headers=list(stored["headers"]),
            rows=[(n, list(values)) for n, values in stored["rows"]],
            skipped_rows=stored.get("skipped_rows", 0),
        )

    def examples(self, column: int, count: int = 3) -> list[str]:
        found = []
        for _n, values in self.rows:
            if column < len(values) and values[column].strip():
                found.append(values[column].strip())
                if len(found) == count:
                    break
        return found


@dataclass
class ImportRow:
    row: int
    name: str
    email: str
    organisation: str = ""
    role: str = ""
    title: str = ""
    errors: list[str] = field(default_factory=list)
    status: str = ""  # existing membership's status, for "already a member" rows
    role_value: str = ""
    organisation_id: int | None = None
    organisation_name: str = ""  # the organisation the value maps to
    without_organisation: bool = False  # the coordinator chose to import it without one

    @property
    def role_label(self) -> str:
        return str(dict(MemberRole.choices).get(self.role_value, self.role))

    def as_raw(self) -> dict:
        return {
            "row": self.row,
            "name": self.name,
            "email": self.email,
            "organisation": self.organisation,
            "role": self.role,
            "title": self.title,
        }


@dataclass
class ImportPreview:
    new: list[ImportRow]
    existing: list[ImportRow]
    errors: list[ImportRow]

    @property
    def raw_rows(self) -> list[dict]:
        rows = self.new + self.existing + self.errors
        return [r.as_raw() for r in sorted(rows, key=lambda r: r.row)]


@dataclass
class Suggestion:
    organisation_id: int
    name: str
    score: float


@dataclass
class OrganisationQuestion:
    """An organisation value of the file that no organisation or alias answers."""

    key: str
    value: str
    rows: list[int]
    suggestions: list[Suggestion]


# --- Reading the file ---------------------------------------------------------------------


_normalise = alias_key


def _header_key(text: str) -> str:
    """A column name as compared: "Sähköpostiosoite:", "E_mail *" → "sähköpostiosoite"."""
    key = _normalise(str(text).replace("_", " "))
    return re.sub(r"^[\s\W]+|[\s\W]+$", "", key)


def read_member_table(*, content, filename: str = "") -> MemberTable:
    """The rows of a CSV or XLSX member list. The file passes `kohtaamo.uploads.check_upload`
    first: size, kind by content, and the bounds of tables and workbooks (XLSX_LIMITS,
    CSV_LIMITS) before any parsing. The column names are on the first of the first rows
    that names most known columns; the rows above it (a title, an export date) are
    skipped."""
    try:
        checked = check_upload(content, kind="member-list", name=filename)
    except ValidationError as exc:
        raise ImportFileError(" ".join(exc.messages)) from exc
    table = _xlsx_rows(checked.data) if checked.kind == "xlsx" else _csv_rows(checked.text)
    table = [
        (n, [" ".join(str(v).split())[:KEPT_CHARS] for v in values])
        for n, values in table
        if any(str(v).strip() for v in values)
    ]
    if not table:
        raise ImportFileError(_("The file has no rows."))
    width = max(_last_filled(values) for _n, values in table)
    table = [(n, (values + [""] * width)[:width]) for n, values in table]
    at = _header_index(table)
    header_row, headers = table[at]
    return MemberTable(
        header_row=header_row, headers=headers, rows=table[at + 1 :], skipped_rows=at
    )


def _last_filled(values: list[str]) -> int:
    return max((i + 1 for i, v in enumerate(values) if v.strip()), default=0)


def _header_index(table: list[tuple[int, list[str]]]) -> int:
    best, best_known = 0, 0
    lookup = _header_lookup()
    for index, (_n, values) in enumerate(table[:HEADER_SEARCH_ROWS]):
        known = len({f for f in propose_mapping(values, lookup) if f})
        if known > best_known:
            best, best_known = index, known
    if best_known:
        return best
    # Nothing known: the first row with two or more cells (a title row has one).
    return next(
        (i for i, (_n, v) in enumerate(table[:HEADER_SEARCH_ROWS]) if sum(map(bool, v)) > 1), 0
    )


def _header_lookup() -> dict[str, str]:
    lookup = {}
    for column, names in HEADERS.items():
        for name in names:
            lookup.setdefault(_header_key(name), column)
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            for column, labels in EXPORT_HEADERS.items():
                for label in labels:
                    lookup.setdefault(_header_key(str(label)), column)
            for column, label in FIELD_LABELS.items():
                lookup.setdefault(_header_key(str(label)), column)
    return lookup


def propose_mapping(headers: list[str], lookup: dict[str, str] | None = None) -> list[str]:
    """What each column is ("" = not imported), from its name: exact Finnish, Swedish and
    English names first, then near misses ("Sähköposti osoite"). A field goes to its
    first column only."""
    lookup = lookup or _header_lookup()
    keys = [_header_key(h) for h in headers]
    mapping = [lookup.get(key, "") if key else "" for key in keys]
    for index, key in enumerate(keys):
        if mapping[index] or len(key) < 4:
            continue
        found = process.extractOne(
            key, list(lookup), scorer=fuzz.ratio, score_cutoff=HEADER_FUZZY_CUTOFF
        )
        if found:
            mapping[index] = lookup[found[0]]
    seen: set[str] = set()
    for index, column in enumerate(mapping):
        if column in seen:
            mapping[index] = ""
        elif column:
            seen.add(column)
    return mapping


def check_mapping(mapping: list[str]) -> None:
    """Raise ImportMappingError unless the columns make member rows: an e-mail column, a
    name column or first and/or last name columns, no field chosen twice."""
    problems = [
        gettext("“%(field)s” is chosen for more than one column.") % {"field": FIELD_LABELS[column]}
        for column in FIELDS
        if mapping.count(column) > 1
    ]
    if "email" not in mapping:
        problems.append(gettext("Choose the column that holds the e-mail address."))
    if not {"name", "first_name", "last_name"} & set(mapping):
        problems.append(
            gettext("Choose the column that holds the name, or the columns of first and last name.")
        )
    unknown = set(mapping) - set(FIELDS) - {""}
    if unknown:
        problems.append(gettext("Choose each column's use from the list."))
    if problems:
        raise ImportMappingError(problems)


def rows_from_table(table: MemberTable, mapping: list[str]) -> list[dict]:
    """The member rows the mapping makes: the name from its column, else first and last
    name together."""
    check_mapping(mapping)
    index = {column: i for i, column in enumerate(mapping) if column}
    rows = []
    for number, values in table.rows:

        def cell(column: str, values=values) -> str:
            at = index.get(column)
            return values[at].strip() if at is not None and at < len(values) else ""

        name = cell("name") or " ".join(p for p in (cell("first_name"), cell("last_name")) if p)
        rows.append(
            {
                "row": number,
                "name": name,
                "email": cell("email").lower(),
                "organisation": cell("organisation"),
                "role": cell("role"),
                "title": cell("title"),
            }
        )
    return rows


def read_member_file(*, content, filename: str = "") -> list[dict]:
    """The member rows of a file with the proposed mapping, in one step (as the API and
    the tests read a list whose column names are known)."""
    table = read_member_table(content=content, filename=filename)
    mapping = propose_mapping(table.headers)
    try:
        return rows_from_table(table, mapping)
    except ImportMappingError as error:
        raise ImportFileError(
            gettext("Row %(row)s: %(problems)s")
            % {"row": table.header_row, "problems": " ".join(error.messages)}
        ) from error


def _too_many_rows() -> None:
    raise ImportFileError(_("The file has too many rows (at most %(n)s).") % {"n": MAX_ROWS})


def _xlsx_rows(content: bytes) -> list[tuple[int, list[str]]]:
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        table = []
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if number > MAX_ROWS + 1:
                _too_many_rows()
            table.append((number, ["" if v is None else str(v) for v in values]))
        workbook.close()
    except ImportFileError:
        raise
    except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
        raise ImportFileError(_("The XLSX workbook is damaged and could not be read.")) from exc
    return table


def _csv_rows(text: str) -> list[tuple[int, list[str]]]:
    first_line = text.split("\n", 1)[0]
    delimiter = max(";,\t", key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        table = []
        for values in reader:
            if reader.line_num > MAX_ROWS + 1:
                raise ImportFileError(
                    _("The file has too many rows (at most %(n)s).") % {"n": MAX_ROWS}
                )
            table.append((reader.line_num, values))
    except csv.Error as exc:
        raise ImportFileError(
            _("The CSV file is broken on line %(line)s.") % {"line": reader.line_num}
        ) from exc
    return table


# --- Organisations: names, remembered aliases, suggestions --------------------------------


@dataclass
class _Organisations:
    """Every organisation and alias, read once per preview (two queries)."""

    by_key: dict[str, tuple[int, str]]  # normalised name or alias -> (pk, name)
    names: dict[int, str]
    sectors: dict[int, str]
    suggested: dict[str, list[Suggestion]] = field(default_factory=dict)

    @classmethod
    def load(cls) -> _Organisations:
        rows = list(Organisation.objects.values_list("pk", "name", "sector"))
        names = {pk: name for pk, name, _sector in rows}
        by_key = {_normalise(name): (pk, name) for pk, name, _sector in rows}
        for key, pk in OrganisationAlias.objects.values_list("key", "organisation_id"):
            by_key.setdefault(key, (pk, names[pk]))
        return cls(by_key=by_key, names=names, sectors={pk: s for pk, _n, s in rows})

    def suggest(self, value: str) -> list[Suggestion]:
        """The closest organisations: by name or alias, and by sector ("Kela", "TE office",
        "TYP" in any language suggest that sector's organisations)."""
        key = _normalise(value)
        if key not in self.suggested:
            self.suggested[key] = self._suggest(value)
        return self.suggested[key]

    def _suggest(self, value: str) -> list[Suggestion]:
        scores: dict[int, float] = {}
        keys = list(self.by_key)
        for key, score, _i in process.extract(
            value,
            keys,
            scorer=fuzz.WRatio,
            processor=utils.default_process,
            limit=SUGGESTIONS * 3,
            score_cutoff=SUGGESTION_CUTOFF,
        ):
            pk = self.by_key[key][0]
            scores[pk] = max(scores.get(pk, 0), score)
        for sector in _sectors_named(value):
            for pk, organisation_sector in self.sectors.items():
                if organisation_sector == sector:
                    scores[pk] = max(scores.get(pk, 0), 85.0)
        best = sorted(scores.items(), key=lambda item: (-item[1], self.names[item[0]]))
        return [Suggestion(pk, self.names[pk], round(score)) for pk, score in best[:SUGGESTIONS]]


def _sector_names() -> dict[str, set[str]]:
    """Each sector's names in every language, also the short form in brackets ("TYP")."""
    names: dict[str, set[str]] = {}
    for sector, label in Sector.choices:
        if sector == Sector.OTHER:
            continue
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                text = str(label)
            found = names.setdefault(sector, set())
            found.add(utils.default_process(text))
            found.update(utils.default_process(p) for p in re.findall(r"\(([^)]+)\)", text))
    return names


def _sectors_named(value: str) -> set[str]:
    key = utils.default_process(value)
    if not key:
        return set()
    return {
        sector
        for sector, names in _sector_names().items()
        if any(fuzz.ratio(key, name) >= 90 for name in names if name)
    }


def organisation_questions(*, rows: list[dict]) -> list[OrganisationQuestion]:
    """Each organisation value that is neither an organisation's name nor a remembered
    alias, once, in the order of the file, with its rows and the best suggestions."""
    organisations = _Organisations.load()
    questions: dict[str, OrganisationQuestion] = {}
    for raw in rows:
        value = raw.get("organisation", "")
        key = _normalise(value)
        if not key or key in organisations.by_key:
            continue
        if key not in questions:
            questions[key] = OrganisationQuestion(
                key=key, value=value, rows=[], suggestions=organisations.suggest(value)
            )
        questions[key].rows.append(raw["row"])
    return list(questions.values())


# --- Checking the rows -------------------------------------------------------------------


def _role_lookup() -> dict[str, str]:
    lookup = {_normalise(k): v for k, v in ROLE_ALIASES.items()}
    for value, label in MemberRole.choices:
        lookup[_normalise(value)] = value
        lookup[_normalise(value.replace("_", " "))] = value
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                lookup[_normalise(str(label))] = value
    return lookup


def _suggest(word: str, options: list[str]) -> str:
    match = process.extractOne(word, options, scorer=fuzz.ratio, score_cutoff=60)
    return match[0] if match else ""


def preview_import(
    *, network: Network, rows: list[dict], decisions: Mapping[str, int | str] | None = None
) -> ImportPreview:
    """Classify rows as new, already members, or errors. Saves nothing.

    `decisions`: the coordinator's answers to `organisation_questions`, value key ->
    an organisation's id or WITHOUT ("import without organisation")."""
    roles = _role_lookup()
    organisations = _Organisations.load()
    decisions = decisions or {}
    emails = {r["email"] for r in rows if r.get("email")}
    existing = _existing_memberships(network=network, emails=emails)
    seen: dict[str, int] = {}
    preview = ImportPreview(new=[], existing=[], errors=[])
    for raw in rows:
        item = ImportRow(**raw)
        if not item.name:
            item.errors.append(gettext("The name is missing."))
        elif len(item.name) > NAME_MAX:
            item.errors.append(
                gettext("The name is longer than %(n)s characters.") % {"n": NAME_MAX}
            )
        if len(item.title) > TITLE_MAX:
            item.errors.append(
                gettext("The title is longer than %(n)s characters.") % {"n": TITLE_MAX}
            )
        _check_email(item, seen)
        _check_role(item, roles)
        _check_organisation(item, organisations, decisions)
        if item.errors:
            preview.errors.append(item)
        elif item.email in existing:
            item.status = str(existing[item.email].get_status_display())
            preview.existing.append(item)
        else:
            preview.new.append(item)
    return preview


def _check_email(item: ImportRow, seen: dict[str, int]) -> None:
    """A valid address, once in the file (`seen`: address -> its first row)."""
    if not item.email:
        item.errors.append(gettext("The e-mail address is missing."))
        return
    try:
        validate_email(item.email)
    except ValidationError:
        item.errors.append(
            gettext("“%(email)s” is not a valid e-mail address.") % {"email": item.email}
        )
        return
    if item.email in seen:
        item.errors.append(
            gettext("The same e-mail address is already on row %(row)s.")
            % {"row": seen[item.email]}
        )
    else:
        seen[item.email] = item.row


def _check_role(item: ImportRow, roles: dict[str, str]) -> None:
    """A known role (practitioner when the cell is empty), or a message with a suggestion."""
    item.role_value = roles.get(_normalise(item.role), "") if item.role else MemberRole.PRACTITIONER
    if item.role_value:
        return
    suggestion = _suggest(_normalise(item.role), list(roles))
    message = gettext("Unknown role “%(role)s”.") % {"role": item.role}
    if suggestion:
        label = dict(MemberRole.choices)[roles[suggestion]]
        message += " " + gettext("Did you mean “%(suggestion)s”?") % {"suggestion": label}
    item.errors.append(message)


def _check_organisation(
    item: ImportRow, organisations: _Organisations, decisions: Mapping[str, int | str]
) -> None:
    """A known organisation or alias (or none), the coordinator's answer, or a message
    with a suggestion."""
    if not item.organisation:
        return
    key = _normalise(item.organisation)
    found = organisations.by_key.get(key)
    decided = decisions.get(key)
    if found is None and decided == WITHOUT:
        item.without_organisation = True
        return
    if found is None and decided in organisations.names:
        found = (decided, organisations.names[decided])
    if found:
        item.organisation_id, item.organisation_name = found
        return
    suggestions = organisations.suggest(item.organisation)
    message = gettext("Unknown organisation “%(name)s”.") % {"name": item.organisation}
    if suggestions:
        message += " " + gettext("Did you mean “%(suggestion)s”?") % {
            "suggestion": suggestions[0].name
        }
    else:
        message += " " + gettext("Leave the cell empty or ask staff to add it.")
    item.errors.append(message)


def _existing_memberships(*, network: Network, emails: set[str]) -> dict[str, Membership]:
    """Open memberships (invited, pending, active) of these e-mail addresses: two queries."""
    found: dict[str, Membership] = {}
    if not emails:
        return found
    base = Membership.objects.filter(network=network, status__in=OPEN_STATUSES)
    for membership in base.filter(user__email__in=emails).select_related("user"):
        found[membership.user.email.lower()] = membership
    for membership in base.filter(user__isnull=True, invited_email__in=emails):
        found.setdefault(membership.invited_email.lower(), membership)
    return found


def _remember_aliases(*, rows: list[dict], decisions: Mapping[str, int | str], by) -> int:
    """The confirmed answers "this value is that organisation" become aliases, for the
    values of these rows that still need one. Returns how many were saved."""
    organisations = _Organisations.load()
    values = {_normalise(r.get("organisation", "")): r.get("organisation", "") for r in rows}
    saved = 0
    for key, answer in decisions.items():
        if key not in values or key in organisations.by_key or answer not in organisations.names:
            continue
        OrganisationAlias.objects.update_or_create(
            key=key,
            defaults={"value": values[key][:200], "organisation_id": answer, "created_by": by},
        )
        saved += 1
    return saved


@transaction.atomic
def confirm_import(
    *, network: Network, rows: list[dict], by, decisions: Mapping[str, int | str] | None = None
) -> ImportPreview:
    """Remember the confirmed organisation aliases and save the valid new rows as
    invitations, all or nothing; e-mails go after commit."""
    if not is_coordinator(by, network):
        raise NotCoordinatorError
    network = _lock_network(network)
    decisions = decisions or {}
    remembered = _remember_aliases(rows=rows, decisions=decisions, by=by)
    preview = preview_import(network=network, rows=rows, decisions=decisions)
    organisations = Organisation.objects.in_bulk(
        [r.organisation_id for r in preview.new if r.organisation_id]
    )
    invited = [
        _invite_one(
            network=network,
            email=row.email,
            name=row.name,
            organisation=organisations.get(row.organisation_id),
            role=row.role_value,
            title=row.title,
        )
        for row in preview.new
    ]
    record_audit(
        actor=by,
        action="membership.imported",
        obj=network,
        invited=len(invited),
        already=len(preview.existing),
        errors=len(preview.errors),
        aliases=remembered,
    )
    send_invitations_after_commit([m.pk for m in invited])
    return preview

"""Bulk import of a member list (CSV or XLSX): read, check row by row, preview, confirm.

Nothing is saved by `read_member_file` or `preview_import`; `confirm_import` checks the
rows again (someone may have joined meanwhile) and saves the new ones in one transaction.

Decision: every new row becomes an *invited* membership and the person gets an
invitation e-mail, also when an account with that e-mail already exists. Joining shows a
person in the directory and sends them messages, so each person accepts (and gives
their consent choices) themselves; the coordinator's list does not decide for them.
"""

from __future__ import annotations

import csv
import difflib
import io
import unicodedata
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from openpyxl import load_workbook

from accounts.audit import record_audit
from kohtaamo.uploads import check_upload

from .models import MemberRole, Membership, Network, Organisation
from .selectors import OPEN_STATUSES, is_coordinator
from .services import (
    NetworkError,
    NotCoordinatorError,
    _invite_one,
    _lock_network,
    send_invitations_after_commit,
)

MAX_ROWS = 5000

HEADERS = {
    "name": {"name", "nimi", "namn", "full name", "koko nimi"},
    "email": {"email", "e-mail", "e-mail address", "sähköposti", "sahkoposti", "e-post"},
    "organisation": {"organisation", "organization", "organisaatio", "organisation (free text)"},
    "role": {"role", "rooli", "roll", "role in the network"},
}
REQUIRED = ("name", "email")

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


@dataclass
class ImportRow:
    row: int
    name: str
    email: str
    organisation: str = ""
    role: str = ""
    errors: list[str] = field(default_factory=list)
    status: str = ""  # existing membership's status, for "already a member" rows
    role_value: str = ""
    organisation_id: int | None = None

    def as_raw(self) -> dict:
        return {
            "row": self.row,
            "name": self.name,
            "email": self.email,
            "organisation": self.organisation,
            "role": self.role,
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


# --- Reading the file ---------------------------------------------------------------------


def _normalise(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", str(text or "")).strip().lower().split())


def read_member_file(*, content, filename: str = "") -> list[dict]:
    """Rows of a CSV or XLSX member list (bytes or an uploaded file) as dicts with row
    numbers. The file passes `kohtaamo.uploads.check_upload` first: size, kind by content,
    and the bounds of tables and workbooks (XLSX_LIMITS, CSV_LIMITS) before any parsing."""
    try:
        checked = check_upload(content, kind="member-list", name=filename)
    except ValidationError as exc:
        raise ImportFileError(" ".join(exc.messages)) from exc
    table = _xlsx_rows(checked.data) if checked.kind == "xlsx" else _csv_rows(checked.text)
    return _rows_with_headers(table)


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


def _rows_with_headers(table: list[tuple[int, list[str]]]) -> list[dict]:
    table = [(n, values) for n, values in table if any(str(v).strip() for v in values)]
    if not table:
        raise ImportFileError(_("The file has no rows."))
    header_row, header = table[0]
    columns: dict[str, int] = {}
    for index, title in enumerate(header):
        key = _normalise(title)
        for column, aliases in HEADERS.items():
            if key in aliases and column not in columns:
                columns[column] = index
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        names = {"name": _("name (nimi)"), "email": _("e-mail (sähköposti)")}
        raise ImportFileError(
            _(
                "Row %(row)s: the column %(columns)s is missing. Expected columns: name, e-mail, "
                "organisation, role (or nimi, sähköposti, organisaatio, rooli)."
            )
            % {"row": header_row, "columns": ", ".join(str(names[c]) for c in missing)}
        )
    rows = []
    for number, values in table[1:]:

        def cell(column: str, values=values) -> str:
            index = columns.get(column)
            if index is None or index >= len(values):
                return ""
            return " ".join(str(values[index]).split())

        rows.append(
            {
                "row": number,
                "name": cell("name"),
                "email": cell("email").lower(),
                "organisation": cell("organisation"),
                "role": cell("role"),
            }
        )
    return rows


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
    match = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return match[0] if match else ""


def preview_import(*, network: Network, rows: list[dict]) -> ImportPreview:
    """Classify rows as new, already members, or errors. Saves nothing."""
    roles = _role_lookup()
    organisations = {
        _normalise(name): (pk, name) for pk, name in Organisation.objects.values_list("pk", "name")
    }
    org_names = [name for _pk, name in organisations.values()]
    emails = {r["email"] for r in rows if r.get("email")}
    existing = _existing_memberships(network=network, emails=emails)
    seen: dict[str, int] = {}
    preview = ImportPreview(new=[], existing=[], errors=[])
    for raw in rows:
        item = ImportRow(**raw)
        if not item.name:
            item.errors.append(gettext("The name is missing."))
        _check_email(item, seen)
        _check_role(item, roles)
        _check_organisation(item, organisations, org_names)
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


def _check_organisation(item: ImportRow, organisations: dict, org_names: list[str]) -> None:
    """A known organisation (or none), or a message with a suggestion."""
    if not item.organisation:
        return
    found = organisations.get(_normalise(item.organisation))
    if found:
        item.organisation_id = found[0]
        return
    suggestion = _suggest(item.organisation, org_names)
    message = gettext("Unknown organisation “%(name)s”.") % {"name": item.organisation}
    if suggestion:
        message += " " + gettext("Did you mean “%(suggestion)s”?") % {"suggestion": suggestion}
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


@transaction.atomic
def confirm_import(*, network: Network, rows: list[dict], by) -> ImportPreview:
    """Save the valid new rows as invitations, all or nothing; e-mails go after commit."""
    if not is_coordinator(by, network):
        raise NotCoordinatorError
    network = _lock_network(network)
    preview = preview_import(network=network, rows=rows)
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
    )
    send_invitations_after_commit([m.pk for m in invited])
    return preview

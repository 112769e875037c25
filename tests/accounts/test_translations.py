"""The fi, sv and en catalogues are complete and match the strings in the code."""

import ast
import datetime as dt
import io
import re
import shutil
import subprocess
import sys
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

import polib
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from recordings.models import CaptionOrder
from tests.factories import (
    EventFactory,
    NetworkFactory,
    OrganisationFactory,
    RecordingFactory,
    RegistrationFactory,
    UserFactory,
)

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = ["fi", "sv", "en"]
MAKEMESSAGES_ARGS = ["--ignore=.venv", "--ignore=tests", "--ignore=benchmarks", "--no-obsolete"]


def _catalogue(root: Path, language: str) -> polib.POFile:
    return polib.pofile(str(root / "locale" / language / "LC_MESSAGES" / "django.po"))


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_has_no_untranslated_or_fuzzy_messages(language):
    catalogue = _catalogue(ROOT, language)
    missing = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert missing == [], f"{len(missing)} untranslated in {language}: {missing[:10]}"
    assert fuzzy == [], f"{len(fuzzy)} fuzzy in {language}: {fuzzy[:10]}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_placeholders_survive_translation(language):
    placeholder = re.compile(r"%\(\w+\)[sd]|\{\{ *\w+ *\}\}|\{\w*\}")
    broken = [
        entry.msgid
        for entry in _catalogue(ROOT, language).translated_entries()
        if not entry.msgid_plural
        and sorted(placeholder.findall(entry.msgid)) != sorted(placeholder.findall(entry.msgstr))
    ]
    assert broken == []


def test_every_string_in_the_code_is_in_the_catalogues(tmp_path):
    """Extract the strings afresh (makemessages in a copy) and compare with the committed files."""
    if shutil.which("xgettext") is None:
        pytest.fail("GNU gettext (xgettext) is needed: `make test` installs it")
    copy = tmp_path / "src"
    shutil.copytree(
        ROOT,
        copy,
        ignore=shutil.ignore_patterns(
            ".venv", ".git", "node_modules", "staticfiles", "media", "*.sqlite3", "__pycache__"
        ),
    )
    subprocess.run(  # noqa: S603 - our interpreter and manage.py, our arguments
        [
            sys.executable,
            "manage.py",
            "makemessages",
            *[f"-l{lang}" for lang in LANGUAGES],
            *MAKEMESSAGES_ARGS,
            "-v0",
        ],
        cwd=copy,
        check=True,
        env={"PATH": "/usr/bin:/bin", "DATABASE_URL": "sqlite://"},
    )
    for language in LANGUAGES:
        fresh = {(e.msgctxt, e.msgid) for e in _catalogue(copy, language)}
        committed = {(e.msgctxt, e.msgid) for e in _catalogue(ROOT, language)}
        new = sorted(m for _ctx, m in fresh - committed)
        assert new == [], f"{language}: not in the catalogue (run `make messages`): {new[:10]}"


# The names xgettext recognises as translation calls in Python: its own defaults for the
# language plus the --keyword options Django's makemessages adds (gettext_noop, gettext_lazy,
# ngettext_lazy, pgettext, npgettext, pgettext_lazy, npgettext_lazy). A string passed to a
# function imported under any other name is never extracted and stays English on every page.
EXTRACTED_NAMES = {
    "_",
    "gettext",
    "ngettext",
    "gettext_noop",
    "gettext_lazy",
    "ngettext_lazy",
    "pgettext",
    "npgettext",
    "pgettext_lazy",
    "npgettext_lazy",
}
SINGULAR = {"gettext", "gettext_lazy", "gettext_noop"}
TRANSLATION_FUNCTIONS = SINGULAR | {
    "ngettext",
    "ngettext_lazy",
    "pgettext",
    "pgettext_lazy",
    "npgettext",
    "npgettext_lazy",
    "gettext_noop",
}
SKIPPED_DIRS = {".venv", "tests", "benchmarks", "node_modules", ".git", "staticfiles", "media"}


def _translation_aliases(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if not isinstance(node, ast.ImportFrom) or not (node.module or "").startswith(
            "django.utils.translation"
        ):
            continue
        for alias in node.names:
            if alias.name not in TRANSLATION_FUNCTIONS or alias.asname in (None, alias.name):
                continue
            if alias.asname == "_" and alias.name in SINGULAR:
                continue
            found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {alias.name} as {alias.asname}")
    return found


def test_translation_functions_are_imported_under_names_extraction_sees():
    """Importing gettext under another name (say `_gettext`) hides every string passed to
    that name from makemessages: import them as `_` or under their own name."""
    files = [
        path
        for path in ROOT.rglob("*.py")
        if not SKIPPED_DIRS.intersection(path.relative_to(ROOT).parts)
    ]
    assert len(files) > 50
    aliases = [hit for path in files for hit in _translation_aliases(path)]
    assert aliases == []
    assert {"_"} | TRANSLATION_FUNCTIONS <= EXTRACTED_NAMES


# --- no English on a Finnish or Swedish page -----------------------------------------------

# Words of English sentences that do not occur as words in Finnish or Swedish text.
ENGLISH_WORDS = {
    "the",
    "is",
    "are",
    "was",
    "were",
    "not",
    "of",
    "and",
    "to",
    "with",
    "this",
    "that",
    "your",
    "you",
    "has",
    "have",
    "could",
    "would",
    "cannot",
    "missing",
    "unknown",
    "mean",
    "please",
    "should",
    "does",
    "must",
    "than",
    "only",
    "every",
    "each",
    "invalid",
    "format",
    "file",
    "line",
    "row",
    "column",
    "date",
    "empty",
    "error",
    "too",
    "short",
    "reading",
}


def _visible_sentences(html: str) -> list[str]:
    """The page's text as a person reads it: text nodes outside script and style, split into
    sentences."""
    chunks: list[str] = []

    class Text(HTMLParser):
        hidden = 0

        def handle_starttag(self, tag, attrs):  # noqa: ARG002 - HTMLParser's hook signature
            if tag in ("script", "style", "template", "code"):
                self.hidden += 1
            chunks.append("\n")

        def handle_endtag(self, tag):
            if tag in ("script", "style", "template", "code"):
                self.hidden -= 1
            chunks.append("\n")

        def handle_data(self, data):
            if not self.hidden:
                chunks.append(data)

    Text(convert_charrefs=True).feed(html)
    text = "".join(chunks)
    parts = re.split(r"\n|(?<=[.!?:])\s+", text)
    return [" ".join(part.split()) for part in parts if part.strip()]


def _english_sentences(html: str) -> list[str]:
    found = []
    for sentence in _visible_sentences(html):
        words = re.findall(r"[A-Za-z']+", sentence)
        if sum(word.lower() in ENGLISH_WORDS for word in words) >= 1 and len(words) >= 2:
            found.append(sentence)
    return found


def _post_in(client, language: str, url: str, data: dict, **extra):
    client.cookies["django_language"] = language
    return client.post(url, data, **extra)


def _member_list_pages(client, language: str, request) -> list:
    coordinator = UserFactory(with_totp=True)  # coordinators are staff: a second factor
    network = NetworkFactory()
    network.coordinators.add(coordinator)
    OrganisationFactory(name="Kela")
    client.force_login(coordinator)
    url = f"/networks/{network.slug}/manage/import/"
    rows = (
        "Nimi;Sähköposti;Organisaatio;Rooli\n"
        ";puuttuva@example.fi;Kela;kokemusasiantuntija\n"
        "Ei Osoitetta;;Kela;kokemusasiantuntija\n"
        "Virhe Osoite;ei-sahkoposti;Kela;johto\n"
        "Tupla Yksi;sama@example.fi;Kela;johto\n"
        "Tupla Kaksi;sama@example.fi;Kela;johto\n"
        "Tuntematon Rooli;rooli@example.fi;Kela;pomo\n"
        "Tuntematon Org;org@example.fi;Kelaa;johto\n"
        "Outo Org;outo@example.fi;Zyxw Qvb;johto\n"
    )
    pages = []
    for name, content in [("members.csv", rows.encode()), ("members.csv", b"\x00\x00\x00")]:
        upload = io.BytesIO(content)
        upload.name = name
        pages.append(_post_in(client, language, url, {"file": upload}))
    return pages


def _teams_pages(client, language: str, request) -> list:
    teams = ROOT / "tests" / "fixtures" / "teams"
    organiser = request.getfixturevalue("organiser")
    event = EventFactory()
    RegistrationFactory(event=event, user=None, name="Matti", email="matti.meikalainen@kunta.fi")
    client.force_login(organiser)
    url = reverse("events:organise_attendance_import", kwargs={"pk": event.pk})
    pages = []
    for name in [
        "report_en-us_utf16_tab.csv",
        "bad_date_line7.csv",
        "not_a_report.csv",
        "cut_off_utf16.csv",
    ]:
        with (teams / name).open("rb") as handle:
            pages.append(_post_in(client, language, url, {"file": handle, "action": "preview"}))
    upload = io.BytesIO(b"Hello;World\r\nfoo;bar\r\n")
    upload.name = "report.csv"
    pages.append(_post_in(client, language, url, {"file": upload, "action": "preview"}))
    return pages


def _caption_pages(client, language: str, request) -> list:
    vtt = ROOT / "tests" / "fixtures" / "vtt"
    client.force_login(request.getfixturevalue("communications"))
    pages = []
    for name in [
        "too_fast.vtt",
        "comma_timestamps.vtt",
        "overlapping.vtt",
        "latin1.vtt",
        "no_header.vtt",
        "too_long_line.vtt",
        "three_lines.vtt",
        "beyond_duration.vtt",
    ]:
        recording = RecordingFactory(duration_seconds=20)
        upload = SimpleUploadedFile("fi.vtt", (vtt / name).read_bytes(), content_type="text/vtt")
        url = reverse("recordings:upload", args=[recording.pk])
        pages.append(
            _post_in(client, language, url, {"language": "fi", "file": upload}, follow=True)
        )
    recording = RecordingFactory(duration_seconds=20)
    broken_srt = SimpleUploadedFile("fi.srt", b"1\n00:00:01,000 --> nonsense\nHei\n")
    url = reverse("recordings:upload", args=[recording.pk])
    pages.append(
        _post_in(client, language, url, {"language": "fi", "file": broken_srt}, follow=True)
    )
    return pages


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["fi", "sv"])
@pytest.mark.parametrize("pages", [_member_list_pages, _teams_pages, _caption_pages])
def test_import_and_caption_findings_have_no_english_sentence(client, language, pages, request):
    """Bad member lists, Teams reports and caption files, shown in Finnish or Swedish, say
    everything in that language: row errors, file errors and findings included."""
    responses = pages(client, language, request)
    assert all(r.status_code in (200, 400) for r in responses), [
        (r.status_code, r.get("Location")) for r in responses
    ]
    english = {
        sentence
        for response in responses
        for sentence in _english_sentences(response.content.decode())
    }
    assert english == set()


# --- numbers in Finnish and Swedish: decimal comma, euros with two decimals -----------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "speed", "short"),
    [
        (
            "fi",
            "Lukunopeus 58,9 merkkiä sekunnissa (enintään 17).",
            "Tekstitysjakso näkyy vain 0,5 s (vähintään 0,833 s).",
        ),
        (
            "sv",
            "Läshastighet 58,9 tecken per sekund (högst 17).",
            "Textremsan visas bara i 0,5 s (minst 0,833 s).",
        ),
        (
            "en",
            "Reading speed 58.9 characters per second (at most 17).",
            "The cue is shown for only 0.5 s (at least 0.833 s).",
        ),
    ],
)
def test_caption_findings_write_numbers_in_the_page_language(
    client, communications, language, speed, short
):
    recording = RecordingFactory(duration_seconds=20)
    text = "Tänään puhutaan työkokeilusta ja sen käytännöistä Kelassa"[:53]
    vtt = (
        f"WEBVTT\n\n1\n00:00:01.000 --> 00:00:01.900\n{text}\n\n"
        "2\n00:00:03.000 --> 00:00:03.500\nKiitos.\n"
    ).encode()
    client.force_login(communications)
    client.cookies["django_language"] = language
    response = client.post(
        reverse("recordings:upload", args=[recording.pk]),
        {"language": "fi", "file": SimpleUploadedFile("fi.vtt", vtt, content_type="text/vtt")},
        follow=True,
    )
    sentences = _visible_sentences(response.content.decode())
    assert speed in sentences
    assert short in sentences


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["fi", "sv"])
def test_caption_costs_are_euros_with_two_decimals(client, communications, reporting, language):
    """61 minutes at 3,20 € is 195,20 € on the dashboard, the recording and the report."""
    starts = dt.datetime(2025, 3, 10, 14, tzinfo=ZoneInfo("Europe/Helsinki"))
    event = EventFactory(starts_at=starts, ends_at=starts + dt.timedelta(hours=1))
    recording = RecordingFactory(event=event, view_count=4)
    CaptionOrder.objects.create(
        recording=recording,
        vendor="Tekstitys Oy",
        ordered_on=dt.date(2025, 3, 11),
        minutes=Decimal("61.00"),
        price_per_minute=Decimal("3.20"),
    )
    client.cookies["django_language"] = language
    client.force_login(communications)
    dashboard = " ".join(_visible_sentences(client.get(reverse("recordings:dashboard")).text))
    assert "195,20 €" in dashboard and "48,80 €" in dashboard  # the cost and the cost per view
    detail = _visible_sentences(client.get(reverse("recordings:detail", args=[recording.pk])).text)
    assert "195,20 €" in detail and "3,20 €" in detail
    client.force_login(reporting)
    report = client.get(
        "/reports/",
        {"period": "two_months", "year": "2025", "two_months": "2", "breakdown": ["kind"]},
    )
    assert report.status_code == 200
    cells = _visible_sentences(report.text)
    assert "195,20" in cells and "195,2" not in cells

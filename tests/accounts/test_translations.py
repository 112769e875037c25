"""The fi, sv and en catalogues are complete and match the strings in the code."""

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

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
    import re

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
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(
        ".venv", ".git", "node_modules", "staticfiles", "media", "*.sqlite3", "__pycache__"))
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", *[f"-l{lang}" for lang in LANGUAGES],
         *MAKEMESSAGES_ARGS, "-v0"],
        cwd=copy, check=True, env={"PATH": "/usr/bin:/bin", "DATABASE_URL": "sqlite://"},
    )
    for language in LANGUAGES:
        fresh = {(e.msgctxt, e.msgid) for e in _catalogue(copy, language)}
        committed = {(e.msgctxt, e.msgid) for e in _catalogue(ROOT, language)}
        new = sorted(m for _ctx, m in fresh - committed)
        assert new == [], f"{language}: not in the catalogue (run `make messages`): {new[:10]}"

"""check_captions: findings and verdict, JSON, exit codes; stores nothing."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from recordings.models import CaptionTrack

VTT = Path(__file__).resolve().parent.parent / "fixtures" / "vtt"
pytestmark = pytest.mark.django_db


def run(*args):
    out = StringIO()
    try:
        call_command("check_captions", *args, stdout=out)
    except SystemExit as exc:
        return exc.code, out.getvalue()
    return 0, out.getvalue()


def test_good_file_exits_zero():
    code, out = run(str(VTT / "good.vtt"), "--duration", "20")
    assert code == 0 and "COMPLIES" in out


def test_srt_file_is_checked():
    code, _out = run(str(VTT / "good.srt"), "--duration", "20")
    assert code == 0


def test_errors_exit_one_with_line_and_rule():
    code, out = run(str(VTT / "too_fast.vtt"))
    assert code == 1
    assert "too_fast" in out and "line 28" in out and "DOES NOT COMPLY" in out


def test_unreadable_exits_two():
    for name in ("latin1.vtt", "no_header.vtt"):
        code, out = run(str(VTT / name))
        assert code == 2 and "CANNOT BE READ" in out
    code, _out = run(str(VTT / "missing.vtt"))
    assert code == 2


def test_worst_file_decides_exit_code_and_json():
    code, out = run(
        str(VTT / "good.vtt"),
        str(VTT / "beyond_duration.vtt"),
        "--duration",
        "20",
        "--format",
        "json",
    )
    assert code == 1
    data = json.loads(out)
    assert data["ok"] is False
    good, beyond = data["files"]
    assert good["ok"] and good["cues"] == 6 and good["findings"] == []
    finding = beyond["findings"][0]
    assert finding["code"] == "beyond_duration" and finding["severity"] == "error"
    assert finding["line"] == 32 and finding["time"] == "00:00:20.500"


def test_stores_nothing():
    run(str(VTT / "good.vtt"))
    assert not CaptionTrack.objects.exists()

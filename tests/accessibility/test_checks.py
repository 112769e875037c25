"""Each caption check on hand-made cue lists and on files."""

from pathlib import Path

import pytest
from django.utils import translation

from accessibility.checks import Cue, check_cues, check_vtt, format_ms, srt_to_vtt
from accessibility.models import CaptionPolicy

VTT = Path(__file__).resolve().parent.parent / "fixtures" / "vtt"


def cue(start: float, end: float, *lines: str, line: int | None = None) -> Cue:
    return Cue(int(start * 1000), int(end * 1000), tuple(lines or ("Hyvää päivää.",)), line)


def codes(result, severity=None):
    return [f.code for f in result.findings if severity is None or f.severity == severity]


def test_clean_cues_pass():
    result = check_cues([cue(0, 3), cue(3.5, 6.5), cue(7, 9.9)], duration_ms=10_000)
    assert result.findings == [] and result.ok
    assert result.coverage == pytest.approx(0.89)


def test_out_of_order():
    result = check_cues([cue(5, 7), cue(1, 3)], duration_ms=10_000)
    assert "out_of_order" in codes(result, "error")


def test_end_before_start_and_zero_length():
    result = check_cues([cue(3, 2), cue(4, 4)])
    assert codes(result).count("end_before_start") == 2


def test_overlap_and_short_gap():
    result = check_cues([cue(0, 3), cue(2.5, 5), cue(5.05, 8)])
    assert codes(result, "error") == ["overlap"]
    assert codes(result, "warning") == ["short_gap"]
    assert result.findings[0].start_ms == 2500


def test_empty_cue_counts_tags_and_spaces_as_empty():
    result = check_cues([cue(0, 2, "<i> </i>")])
    assert codes(result) == ["empty_cue"]


def test_beyond_duration():
    result = check_cues([cue(0, 3), cue(9, 12)], duration_ms=10_000)
    assert "beyond_duration" in codes(result, "error")


def test_coverage_and_longest_silence():
    policy = CaptionPolicy(max_silent_stretch_seconds=60, min_coverage=0.5)
    result = check_cues([cue(0, 3), cue(200, 203)], duration_ms=300_000, policy=policy)
    assert result.coverage == pytest.approx(0.02)
    assert result.longest_gap_ms == 197_000
    assert "low_coverage" in codes(result, "error")
    silence = next(f for f in result.findings if f.code == "long_silence")
    assert silence.severity == "warning" and silence.start_ms == 3000


def test_trailing_silence_counts():
    policy = CaptionPolicy(max_silent_stretch_seconds=60, min_coverage=0)
    result = check_cues([cue(0, 3)], duration_ms=100_000, policy=policy)
    assert result.longest_gap_ms == 97_000


def test_cue_duration_min_and_max():
    result = check_cues([cue(0, 0.5, "Joo."), cue(1, 9, "Pitkä.")])
    assert codes(result, "error") == ["too_short"]
    assert codes(result, "warning") == ["too_long"]


def test_lines_per_cue():
    result = check_cues([cue(0, 5, "yksi", "kaksi", "kolme")])
    assert codes(result, "error") == ["too_many_lines"]


def test_characters_per_line_warning_and_error():
    warn = check_cues([cue(0, 6, "x" * 38)])
    err = check_cues([cue(0, 6, "x" * 43)])
    ok = check_cues([cue(0, 6, "x" * 37)])
    assert codes(warn) == ["line_too_long"] and warn.findings[0].severity == "warning"
    assert "line_too_long" in codes(err, "error")
    assert ok.findings == []


def test_characters_counted_after_tags_and_entities():
    # 37 visible characters: "&amp;" is one character, tags count nothing.
    text = "<b>" + "x" * 35 + "</b> &amp;"
    assert check_cues([cue(0, 6, text)]).findings == []


def test_reading_speed_uses_milliseconds_and_excludes_newlines():
    # 16 + 16 characters, newline not counted, in 2.000 s = 16 cps -> warning (> 15).
    warn = check_cues([cue(0, 2, "a" * 16, "b" * 16)])
    assert [(f.code, f.severity) for f in warn.findings] == [("too_fast", "warning")]
    # 35 characters in 2.000 s = 17.5 cps -> error; in 2.100 s = 16.7 -> warning.
    assert codes(check_cues([cue(0, 2.0, "c" * 35)]), "error") == ["too_fast"]
    assert codes(check_cues([cue(0, 2.1, "c" * 35)]), "error") == []


def test_policy_changes_thresholds():
    strict = CaptionPolicy(max_chars_per_line_warning=10, max_chars_per_line_error=20)
    assert codes(check_cues([cue(0, 6, "x" * 15)], policy=strict)) == ["line_too_long"]


def test_a_three_hour_file_of_three_thousand_cues_passes_whole():
    # Its speed is measured in `make bench` (benchmarks/run.py caption_checks), not here.
    body = "WEBVTT\n\n" + "".join(
        f"{format_ms(i * 3600)} --> {format_ms(i * 3600 + 3000)}\nRivi {i} tekstiä\ntoinen\n\n"
        for i in range(3000)
    )
    result = check_vtt(body, duration_seconds=3 * 3600)
    assert len(result.cues) == 3000 and result.ok


# --- files ------------------------------------------------------------------------------------


def check_file(name: str, duration: float = 20):
    return check_vtt((VTT / name).read_bytes(), duration_seconds=duration)


def test_good_file_and_bom():
    for name in ("good.vtt", "bom.vtt"):
        result = check_file(name)
        assert result.ok and result.findings == [] and len(result.cues) == 6


@pytest.mark.parametrize(
    ("name", "code", "line"),
    [
        ("no_header.vtt", "header", 1),
        ("comma_timestamps.vtt", "lost_cue", 13),
        ("cut_off.vtt", "lost_cue", 23),
        ("latin1.vtt", "encoding", 9),
        ("overlapping.vtt", "overlap", 18),
        ("reversed.vtt", "out_of_order", 18),
        ("empty_cue.vtt", "empty_cue", 18),
        ("too_long_line.vtt", "line_too_long", 23),
        ("three_lines.vtt", "too_many_lines", 8),
        ("too_fast.vtt", "too_fast", 28),
        ("beyond_duration.vtt", "beyond_duration", 32),
    ],
)
def test_bad_files_name_rule_and_line(name, code, line):
    result = check_file(name)
    assert not result.ok
    found = [f for f in result.findings if f.code == code and f.severity == "error"]
    assert found and found[0].line == line
    assert str(line) in found[0].message or found[0].line == line


def test_lost_cue_message_names_the_line():
    with translation.override("en"):
        result = check_file("comma_timestamps.vtt")
    assert len(result.cues) == 5  # webvtt-py dropped one silently; we report it
    with translation.override("en"):
        assert "line 13" in result.findings[0].message
    assert not result.readable


def test_srt_converts_and_passes():
    vtt = srt_to_vtt((VTT / "good.srt").read_bytes())
    assert vtt.startswith("WEBVTT")
    assert check_vtt(vtt, duration_seconds=20).ok


def test_not_utf8_is_a_clear_error_not_an_exception():
    result = check_file("latin1.vtt")
    assert result.cues == [] and "UTF-8" in result.findings[0].message

"""Editing one cue: the pure rewrite (checks.replace_cue), SubRip output, and edit_cue."""

import pytest
from django.db import connection
from django.utils import translation

from accessibility import checks
from accounts.models import AuditEntry
from recordings import services
from recordings.models import CaptionTrackVersion, TrackStatus, VersionKind
from tests.concurrency import run_in_threads
from tests.factories import RecordingFactory

from .conftest import vtt_bytes

SMALL = (
    "WEBVTT\n"
    "\n"
    "STYLE\n"
    "::cue { color: yellow }\n"
    "\n"
    "NOTE kept as it was\n"
    "\n"
    "intro\n"
    "00:00:01.000 --> 00:00:03.000 align:start line:90%\n"
    "<v Anna>Hei &amp; tervetuloa\n"
    "<i>kaikille</i>\n"
    "\n"
    "00:00:04.000 --> 00:00:06.500\n"
    "Toinen <c.loud>repliikki</c>\n"
)


def test_replace_cue_changes_only_that_cues_timing_and_text():
    edited = checks.replace_cue(SMALL, 0, 1_200, 3_400, ["Uusi teksti", "toinen rivi"])
    assert edited == SMALL.replace(
        "00:00:01.000 --> 00:00:03.000 align:start line:90%\n"
        "<v Anna>Hei &amp; tervetuloa\n"
        "<i>kaikille</i>\n",
        "00:00:01.200 --> 00:00:03.400 align:start line:90%\nUusi teksti\ntoinen rivi\n",
    )
    # the last cue too, with Windows line endings kept as they were
    crlf = SMALL.replace("\n", "\r\n")
    edited = checks.replace_cue(crlf, 1, 4_000, 7_000, ["Vain yksi"])
    assert edited.endswith(
        "intro\r\n00:00:01.000 --> 00:00:03.000 align:start line:90%\r\n"
        "<v Anna>Hei &amp; tervetuloa\r\n<i>kaikille</i>\r\n\r\n"
        "00:00:04.000 --> 00:00:07.000\r\nVain yksi\r\n"
    )
    cues, findings = checks.parse_vtt(edited)
    assert not findings and [c.lines for c in cues][1] == ("Vain yksi",)


@pytest.mark.parametrize(
    ("index", "start", "end", "lines"),
    [
        (2, 0, 1000, ["x"]),
        (-1, 0, 1000, ["x"]),
        (0, 2000, 2000, ["x"]),
        (0, 0, 900, ["", " "]),
        (0, 0, 900, ["a --> b"]),
    ],
)
def test_replace_cue_refuses_what_would_break_the_file(index, start, end, lines):
    with pytest.raises(ValueError, match=r"."):
        checks.replace_cue(SMALL, index, start, end, lines)


def test_replace_cue_on_a_63000_cue_track_is_one_linear_pass():
    blocks = [
        f"{checks.format_ms(n * 2000)} --> {checks.format_ms(n * 2000 + 1500)}\nRepliikki {n}"
        for n in range(63_000)
    ]
    text = "WEBVTT\n\n" + "\n\n".join(blocks) + "\n"
    edited = checks.replace_cue(text, 62_999, 125_998_000, 125_999_800, ["Viimeinen"])
    assert edited.endswith("34:59:58.000 --> 34:59:59.800\nViimeinen\n")
    assert len(edited) == len(text) - len("Repliikki 62999") + len("Viimeinen")


def test_vtt_to_srt_numbers_blocks_with_comma_decimals_and_plain_speaker():
    assert checks.vtt_to_srt(SMALL) == (
        "1\n00:00:01,000 --> 00:00:03,000\nAnna: Hei & tervetuloa\n<i>kaikille</i>\n\n"
        "2\n00:00:04,000 --> 00:00:06,500\nToinen repliikki\n"
    )


# --- the service ----------------------------------------------------------------------------


def _track(by=None, name="too_fast.vtt"):
    recording = RecordingFactory(duration_seconds=20)
    return services.store_track(
        recording=recording, language="fi", content=vtt_bytes(name), file_name=name, by=by
    )


@pytest.mark.django_db
def test_edit_cue_fixes_a_too_fast_cue_and_stores_an_edited_version(communications):
    track = _track(by=communications)
    assert track.error_count == 1 and track.findings[0]["code"] == "too_fast"
    before = track.vtt
    edited = services.edit_cue(
        track=track,
        cue_index=5,
        text="Kysymykset chattiin.",
        start_ms=18_000,
        end_ms=20_000,
        by=communications,
        note="Pidempi näyttöaika",
        expected_version=1,
    )
    assert edited.error_count == 0
    assert "too_fast" not in {f["code"] for f in edited.findings}
    assert edited.vtt == before.replace(
        "00:00:18.200 --> 00:00:19.200\nKysymyksiä saa esittää chatissa.",
        "00:00:18.000 --> 00:00:20.000\nKysymykset chattiin.",
    )
    version = edited.current_version
    assert (version.number, version.kind, version.note) == (
        2,
        VersionKind.EDITED,
        "Pidempi näyttöaika",
    )
    assert version.made_by == communications and version.vtt == edited.vtt
    assert version.error_count == 0
    assert edited.version_count == 2
    entry = AuditEntry.objects.get(action="captions.cue_edited")
    assert entry.details["cue"] == 6 and entry.details["version"] == 2


@pytest.mark.django_db
def test_edit_cue_resets_the_approval_but_keeps_the_approved_version(communications):
    track = _track(by=communications, name="good.vtt")
    track = services.approve_track(track=track, by=communications)
    approved = track.approved_version
    edited = services.edit_cue(
        track=track, cue_index=0, text="Tervetuloa!", start_ms=500, end_ms=3_000, by=communications
    )
    assert edited.status == TrackStatus.RECEIVED and edited.reviewed_by is None
    assert edited.approved_version == approved and edited.current_version != approved
    assert edited.approved_version_number is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("index", "text", "start", "end", "message"),
    [
        (0, "  \n ", 500, 3000, "Write the text of the cue."),
        (0, "Hei", 3000, 3000, "The cue must end after it starts."),
        (0, "Hei", 3000, 1000, "The cue must end after it starts."),
        (99, "Hei", 500, 3000, "There is no cue number 100 in these captions."),
        (0, "00:01.000 --> 00:02.000", 500, 3000, 'The text of a cue cannot contain "-->".'),
    ],
)
def test_edit_cue_refuses_bad_input_with_a_message(  # noqa: PLR0917 - parametrised
    communications, index, text, start, end, message
):
    track = _track(by=communications)
    with translation.override("en"), pytest.raises(services.RecordingError) as refused:
        services.edit_cue(
            track=track, cue_index=index, text=text, start_ms=start, end_ms=end, by=communications
        )
    with translation.override("en"):
        assert str(refused.value.message) == message
    assert CaptionTrackVersion.objects.filter(track=track).count() == 1


@pytest.mark.django_db
def test_edit_with_a_stale_version_is_refused_and_the_other_edit_kept(communications, organiser):
    track = _track(by=communications)
    services.edit_cue(
        track=track,
        cue_index=0,
        text="Ensimmäinen muokkaus",
        start_ms=500,
        end_ms=3_500,
        by=organiser,
        expected_version=1,
    )
    with translation.override("en"), pytest.raises(services.RecordingError) as refused:
        services.edit_cue(
            track=track,
            cue_index=1,
            text="Toinen muokkaus",
            start_ms=3_600,
            end_ms=7_000,
            by=communications,
            expected_version=1,
        )
    with translation.override("en"):
        assert "changed since you opened the page" in str(refused.value.message)
    track.refresh_from_db()
    assert "Ensimmäinen muokkaus" in track.vtt and "Toinen muokkaus" not in track.vtt
    assert track.version_count == 2


# --- two editors at once (row locks: PostgreSQL) ---------------------------------------------

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL (runs in make test)"
)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@postgres_only
def test_parallel_edits_of_the_same_version_keep_one_and_refuse_the_rest():
    track = _track()
    times = [(500, 3_500), (3_600, 7_000), (7_200, 10_800), (11_000, 14_500)]

    def edit(index):
        with translation.override("en"):
            return services.edit_cue(
                track=track,
                cue_index=index,
                text=f"Muokkaaja {index}",
                start_ms=times[index][0],
                end_ms=times[index][1],
                by=None,
                expected_version=1,
            )

    saved, refused = run_in_threads(edit, list(range(4)))
    assert len(saved) == 1 and len(refused) == 3
    assert all(isinstance(e, services.RecordingError) for e in refused)
    assert all("changed since you opened the page" in str(e.message) for e in refused)
    track.refresh_from_db()
    assert track.version_count == 2 and track.versions.count() == 2
    assert sum(f"Muokkaaja {i}" in track.vtt for i in range(4)) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@postgres_only
def test_parallel_uploads_get_distinct_version_numbers():
    recording = RecordingFactory(duration_seconds=20)
    services.store_track(recording=recording, language="fi", content=vtt_bytes("good.vtt"))

    def upload(n):
        return services.store_track(
            recording=recording,
            language="fi",
            content=vtt_bytes("good.vtt"),
            file_name=f"{n}.vtt",
        )

    saved, errors = run_in_threads(upload, list(range(4)))
    assert errors == [] and len(saved) == 4
    numbers = sorted(CaptionTrackVersion.objects.values_list("number", flat=True))
    assert numbers == [1, 2, 3, 4, 5]

"""Shared by the gate, upload and read tests: a YouTube recording with an approvable track,
the outbox row of a task, and Google's client pointed at a replay."""

from __future__ import annotations

import json
from pathlib import Path

from outbox.models import OutboxMessage
from outbox.services import deliver
from recordings.models import Recording
from recordings.services import approve_track, store_track
from tests.factories import RecordingFactory
from youtube import client

VTT_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "vtt"
VIDEO_ID = "kOhTaAmO101"


def good_vtt(marker: str = "") -> bytes:
    """The suite's clean WebVTT file; `marker` changes one cue's text (a new version)."""
    text = (VTT_DIR / "good.vtt").read_text(encoding="utf-8")
    if marker:
        lines = text.splitlines()
        for n, line in enumerate(lines):
            if line.strip() and "-->" not in line and n > 2:
                lines[n] = f"{line} {marker}"
                break
        text = "\n".join(lines) + "\n"
    return text.encode("utf-8")


def youtube_recording(video_id: str = VIDEO_ID, **kwargs) -> Recording:
    kwargs.setdefault("duration_seconds", 20)  # good.vtt covers most of 20 s
    return RecordingFactory(url=f"https://www.youtube.com/watch?v={video_id}", **kwargs)


def approve_new_version(recording: Recording, by, *, language: str = "fi", marker: str = ""):
    track = store_track(
        recording=recording, language=language, content=good_vtt(marker), file_name="fi.vtt", by=by
    )
    assert not track.error_count, track.findings
    return approve_track(track=track, by=by)


def rows(task: str) -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(task=task).order_by("pk"))


def run(row: OutboxMessage) -> OutboxMessage:
    """Deliver the row here (as a worker would) and answer it as stored afterwards."""
    deliver(message_id=row.pk)
    row.refresh_from_db()
    return row


def use_http(monkeypatch, http) -> None:
    """The tasks build their own client: hand them this replay (token refresh included)."""
    monkeypatch.setattr(client, "build_http", lambda: http)


def json_body(body) -> dict:
    return json.loads(body.decode("utf-8") if isinstance(body, bytes) else body)

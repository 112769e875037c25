import functools
import json
from pathlib import Path

import pytest
from yt_dlp.networking.exceptions import TransportError
from yt_dlp.utils import DownloadError, ExtractorError

from accessibility.checks import format_ms
from recordings import platform

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def load_info(name: str) -> dict:
    return json.loads((FIXTURES / "ytdlp" / name).read_text(encoding="utf-8"))


def vtt_bytes(name: str) -> bytes:
    return (FIXTURES / "vtt" / name).read_bytes()


@functools.cache
def long_track_vtt(cues: int) -> bytes:
    """`cues` cues a second apart, as a long live session's track: every 150th too short
    (an error), every 200th too fast (an error), every 300th (from the 10th) fast (a
    warning)."""
    lines = ["WEBVTT", ""]
    for i in range(cues):
        start = i * 1000
        end = start + (500 if i % 150 == 75 else 900)
        if i % 200 == 100:
            text = "Liian nopea repliikki"  # 21 characters in 0.9 s: 23.3 cps (error)
        elif i % 300 == 10:
            text = "Melko nopea ja"  # 14 characters in 0.9 s: 15.6 cps (warning)
        else:
            text = "a"
        lines += [f"{format_ms(start)} --> {format_ms(end)}", text, ""]
    return "\n".join(lines).encode()


def _error_from(saved: dict) -> DownloadError:
    """Rebuild the DownloadError yt-dlp raises, with its cause in exc_info[1]."""
    if saved["error"] == "TransportError":
        cause = ExtractorError(saved["orig_msg"], cause=TransportError(saved["orig_msg"]))
    else:
        cause = ExtractorError(saved["orig_msg"], expected=saved.get("expected", False))
    return DownloadError(saved["message"], exc_info=(type(cause), cause, None))


class FakePlatform:
    """Answers the one network seam from saved yt-dlp info JSON files."""

    def __init__(self):
        self.by_url: dict[str, str] = {}
        self.tracks: dict[str, bytes] = {}
        self.calls: list[str] = []

    def add(self, url: str, fixture: str) -> None:
        self.by_url[url] = fixture

    def extract(self, url: str) -> dict:
        self.calls.append(url)
        saved = load_info(self.by_url[url])
        if "error" in saved:
            raise _error_from(saved)
        return saved

    def download(self, url: str) -> bytes:
        self.calls.append(url)
        for key, content in self.tracks.items():
            if key in url:
                return content
        raise DownloadError("ERROR: Unable to download", exc_info=(None, None, None))


@pytest.fixture
def fake_platform(monkeypatch):
    fake = FakePlatform()
    monkeypatch.setattr(platform, "_extract_raw", fake.extract)
    monkeypatch.setattr(platform, "_download_text", fake.download)
    return fake

"""YouTube tests: Google's real client code against recorded answers (fixtures/README.md).

``replay(...)`` is a googleapiclient.http.HttpMockSequence: every request, the token refresh
included, goes through google-auth, google-auth-httplib2 and googleapiclient and is answered
from the list; nothing is sent anywhere. The settings point at 127.0.0.1 all the same."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.utils import translation
from googleapiclient.http import HttpMockSequence

from tests.youtube_channel import configure_youtube, connect_channel

FIXTURES = Path(__file__).parent / "fixtures"
JSON = {"status": "200", "content-type": "application/json; charset=UTF-8"}


def load(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def answer(name_or_body, status: int = 200) -> tuple[dict, str]:
    body = load(name_or_body) if isinstance(name_or_body, str) else name_or_body
    return ({**JSON, "status": str(status)}, json.dumps(body))


def token_answer() -> tuple[dict, str]:
    return answer("token_refreshed.json")


def replay(*answers) -> HttpMockSequence:
    return HttpMockSequence(list(answers))


def videos_answer(ids: list[str]) -> tuple[dict, str]:
    template = load("videos_list_item.json")
    items = [{**template, "id": video_id} for video_id in ids]
    return answer(
        {
            "kind": "youtube#videoListResponse",
            "etag": "etag",
            "items": items,
            "pageInfo": {"totalResults": len(items), "resultsPerPage": len(items)},
        }
    )


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def youtube_settings(settings):
    configure_youtube(settings)
    return settings


@pytest.fixture
def connected(db, youtube_settings):
    return connect_channel()

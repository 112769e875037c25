"""Walking the member-list import's steps through the test client, as a coordinator does."""

from __future__ import annotations

import io
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "members"


def import_url(network) -> str:
    return f"/networks/{network.slug}/manage/import/"


def upload(client, network, content: bytes, name: str = "members.csv"):
    """The page after uploading a file: the columns step (or the upload form with errors)."""
    file = io.BytesIO(content)
    file.name = name
    return client.post(import_url(network), {"file": file})


def step(client, network, page, button: str, data: dict | None = None):
    """Press `button` on the step `page` shows, with `data` (the page's nonce added)."""
    return client.post(
        import_url(network), {"nonce": page.context["nonce"], button: "1", **(data or {})}
    )


def proposed_columns(page) -> dict[str, str]:
    """The columns form as proposed, to post as it is (or changed)."""
    form = page.context["columns_form"]
    return {name: field.initial or "" for name, field in form.fields.items()}


def proposed_organisations(page) -> dict[str, str]:
    form = page.context["organisations_form"]
    return {name: field.initial or "" for name, field in form.fields.items()}


def organisation_fields(page) -> dict[str, str]:
    """The organisation value of the file each field asks about -> the field's name."""
    form = page.context["organisations_form"]
    return {q.value: f"organisation_{n}" for n, q in enumerate(form.questions)}

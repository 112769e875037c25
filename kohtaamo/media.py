"""Uploaded files served by Django itself, in the embedded mode only (`SERVE_MEDIA`).

In production the proxy serves /media/ (deploy/nginx.conf.example) and this is off. When on,
only the folders in `PUBLIC_MEDIA_FOLDERS` (slides: EventMaterial.file, whose links are on
public event pages anyway) are served; the rest of MEDIA_ROOT (attendance-uploads/, the
Teams reports waiting for an organiser's confirmation) answers 404 like any unknown path.
"""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings
from django.urls import URLPattern, re_path
from django.views.static import serve


def media_urlpatterns() -> list[URLPattern]:
    """One pattern per public folder, each rooted IN that folder: `serve` normalises the
    path, so `materials/../attendance-uploads/…` stays inside materials/ (and is 404)."""
    prefix = settings.MEDIA_URL.strip("/")
    return [
        re_path(
            rf"^{re.escape(prefix)}/{re.escape(folder)}/(?P<path>.+)$",
            serve,
            {"document_root": Path(settings.MEDIA_ROOT) / folder},
        )
        for folder in (name.strip("/") for name in settings.PUBLIC_MEDIA_FOLDERS)
        if prefix and folder
    ]

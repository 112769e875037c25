"""{% youtube_block recording %}: the recording page's YouTube block (a connected channel
only; without YOUTUBE_CLIENT_ID it renders nothing and makes no query)."""

from __future__ import annotations

from django import template

from youtube.selectors import recording_on_channel

register = template.Library()


@register.inclusion_tag("youtube/recording_block.html", takes_context=True)
def youtube_block(context, recording) -> dict:
    return {
        "recording": recording,
        "channel": recording_on_channel(recording),
        "csrf_token": context.get("csrf_token"),
        "user": context.get("user"),
    }

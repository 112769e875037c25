"""The county's YouTube channel through the YouTube Data API v3, with Google's own client
libraries: an administrator connects the channel once (OAuth consent, offline access; the
refresh token is stored encrypted), Kohtaamo reads its videos and caption tracks (client.py)
within the day's quota (quota.py). Set up in docs/youtube.md; nothing here calls Google
unless ``config.youtube_configured()`` and a channel is connected."""

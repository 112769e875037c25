"""Reach: visits, meeting-link clicks, slide downloads and recording plays counted by
Kohtaamo itself, server-side, without cookies or third-party trackers (docs/privacy.md,
"Reach")."""

"""Reach: visits, meeting-link clicks and slide downloads counted by Kohtaamo itself,
server-side, without cookies or third-party trackers (docs/privacy.md, "Reach")."""

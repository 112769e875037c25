"""Helpers that the factories of more than one app, and some tests, share."""

from django.utils import timezone

# The settings' time zone (Europe/Helsinki), in which the factories' dates are written.
HELSINKI = timezone.get_default_timezone()

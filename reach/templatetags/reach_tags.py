"""Links to the reach report from other pages (the attendance report links its period)."""

from __future__ import annotations

from urllib.parse import urlencode

from django import template
from django.urls import reverse

from reach.forms import period_query

register = template.Library()


@register.simple_tag
def reach_report_url(period) -> str:
    """The reach report of the same period: `{% reach_report_url report.period %}`."""
    return f"{reverse('reach:report')}?{urlencode(period_query(period))}"

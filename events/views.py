from django.shortcuts import get_object_or_404, render

from .models import Theme
from .selectors import upcoming_events, visible_events


def event_list(request):
    return render(request, "events/event_list.html", {"events": upcoming_events(user=request.user)})


def event_detail(request, pk: int):
    event = get_object_or_404(visible_events(user=request.user).select_related("theme"), pk=pk)
    return render(request, "events/event_detail.html", {"event": event})


def theme_detail(request, slug: str):
    theme = get_object_or_404(Theme, slug=slug)
    events = visible_events(user=request.user).filter(theme=theme).order_by("-starts_at")
    return render(request, "events/theme_detail.html", {"theme": theme, "events": events})


def archive(request):
    from django.utils import timezone

    events = (
        visible_events(user=request.user)
        .filter(ends_at__lt=timezone.now())
        .select_related("theme")
        .order_by("-starts_at")
    )
    return render(request, "events/archive.html", {"events": events})


def organiser_home(request):
    from django.core.exceptions import PermissionDenied

    from accounts.roles import Ability, can

    if not can(request.user, Ability.MANAGE_EVENTS):
        raise PermissionDenied
    return render(request, "events/organiser_home.html")

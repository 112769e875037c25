"""The site's URLs plus two the benchmark owns (benchmarks/settings.py mounts them)."""

from django.urls import include, path

from . import views

urlpatterns = [
    path("bench/trivial", views.trivial, name="bench-trivial"),
    path("bench/icalendar-feed.ics", views.icalendar_feed, name="bench-icalendar-feed"),
    path("", include("kohtaamo.urls")),
]

"""The site's URLs plus the benchmark's own (benchmarks/settings.py mounts them)."""

from django.urls import include, path

from . import views

urlpatterns = [
    path("bench/trivial", views.trivial, name="bench-trivial"),
    path("bench/signed-in-post", views.signed_in_post, name="bench-signed-in-post"),
    path("bench/icalendar-feed.ics", views.icalendar_feed, name="bench-icalendar-feed"),
    path("", include("kohtaamo.urls")),
]

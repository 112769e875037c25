from django.urls import path

from . import views

app_name = "calendar"
urlpatterns = [
    path("", views.subscribe, name="subscribe"),
    path("events.ics", views.feed, {"feed_kind": "all"}, name="all"),
    path("series/<slug:slug>.ics", views.feed, {"feed_kind": "series"}, name="series"),
    path("kind/<slug:kind>.ics", views.feed, {"feed_kind": "kind"}, name="kind"),
    path("theme/<slug:slug>.ics", views.feed, {"feed_kind": "theme"}, name="theme"),
    path(
        "network/<slug:slug>/<str:token>.ics",
        views.feed,
        {"feed_kind": "network"},
        name="network",
    ),
    path("personal/<str:token>.ics", views.feed, {"feed_kind": "personal"}, name="personal"),
    path("event/<int:pk>.ics", views.event_ics, name="event"),
]

from django.urls import path

from . import calendar_views as views

app_name = "calendar"
urlpatterns = [
    path("", views.subscribe, name="subscribe"),
    path("events.ics", views.all_events_feed, name="all"),
    path("series/<slug:slug>.ics", views.series_feed, name="series"),
    path("kind/<slug:kind>.ics", views.kind_feed, name="kind"),
    path("theme/<slug:slug>.ics", views.theme_feed, name="theme"),
    path("network/<slug:slug>/<str:token>.ics", views.network_feed, name="network"),
    path("personal/<str:token>.ics", views.personal_feed, name="personal"),
    path("event/<int:pk>.ics", views.event_ics, name="event"),
]

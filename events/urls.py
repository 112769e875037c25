from django.urls import include, path

from . import views
from .attendance import views as attendance_views
from .registration import views as registration_views

app_name = "events"
urlpatterns = [
    path("", views.event_list, name="list"),
    path("archive/", views.archive, name="archive"),
    path("organise/", include("events.planning.urls")),
    path("", include("events.feedback.urls")),
    path("<int:pk>/", views.event_detail, name="detail"),
    path("<int:pk>/register/", registration_views.event_register, name="register"),
    path("<int:pk>/cancel/", registration_views.event_cancel, name="cancel"),
    path("<int:pk>/participants/", registration_views.participants, name="participants"),
    path(
        "<int:pk>/participants/print/",
        registration_views.participants_print,
        name="participants_print",
    ),
    path(
        "<int:pk>/participants/add/", registration_views.participants_add, name="participants_add"
    ),
    path(
        "<int:pk>/participants/<int:registration_pk>/promote/",
        registration_views.participants_promote,
        name="participants_promote",
    ),
    path(
        "<int:pk>/participants/<int:registration_pk>/cancel/",
        registration_views.participants_cancel,
        name="participants_cancel",
    ),
    path(
        "<int:pk>/participants/export.<str:fmt>",
        registration_views.participants_export,
        name="participants_export",
    ),
    path("<int:pk>/capacity/", registration_views.event_capacity, name="capacity"),
    path("<int:pk>/check-in/", attendance_views.check_in, name="check_in"),
    path("<int:pk>/headcount/", attendance_views.headcount, name="headcount"),
    path("registration/<str:token>/", registration_views.registration_link, name="registration"),
    path("mine/", registration_views.my_registrations, name="mine"),
    path("themes/<slug:slug>/", views.theme_detail, name="theme"),
    path("presenters/<int:pk>/", views.presenter_detail, name="presenter"),
]

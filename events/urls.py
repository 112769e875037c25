from django.urls import include, path

from . import views

app_name = "events"
urlpatterns = [
    path("", views.event_list, name="list"),
    path("archive/", views.archive, name="archive"),
    path("organise/", include("events.organiser_urls")),
    path("", include("events.feedback_urls")),
    path("<int:pk>/", views.event_detail, name="detail"),
    path("<int:pk>/register/", views.event_register, name="register"),
    path("<int:pk>/cancel/", views.event_cancel, name="cancel"),
    path("<int:pk>/participants/", views.participants, name="participants"),
    path("<int:pk>/participants/add/", views.participants_add, name="participants_add"),
    path(
        "<int:pk>/participants/<int:registration_pk>/promote/",
        views.participants_promote,
        name="participants_promote",
    ),
    path(
        "<int:pk>/participants/<int:registration_pk>/cancel/",
        views.participants_cancel,
        name="participants_cancel",
    ),
    path(
        "<int:pk>/participants/export.<str:fmt>",
        views.participants_export,
        name="participants_export",
    ),
    path("<int:pk>/capacity/", views.event_capacity, name="capacity"),
    path("<int:pk>/check-in/", views.check_in, name="check_in"),
    path("<int:pk>/headcount/", views.headcount, name="headcount"),
    path("registration/<str:token>/", views.registration_link, name="registration"),
    path("mine/", views.my_registrations, name="mine"),
    path("themes/<slug:slug>/", views.theme_detail, name="theme"),
]

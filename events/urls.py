from django.urls import path

from . import views

app_name = "events"
urlpatterns = [
    path("", views.event_list, name="list"),
    path("archive/", views.archive, name="archive"),
    path("organise/", views.organiser_home, name="organiser_home"),
    path("<int:pk>/", views.event_detail, name="detail"),
    path("themes/<slug:slug>/", views.theme_detail, name="theme"),
]

from django.urls import path

from . import views

app_name = "reach"
urlpatterns = [
    path("go/meeting/<int:pk>/", views.meeting, name="meeting"),
    path("go/material/<int:pk>/", views.material, name="material"),
    path("go/play/<int:pk>/", views.play, name="play"),
    path("reports/reach/", views.report, name="report"),
]

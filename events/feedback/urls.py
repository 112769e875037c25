"""Feedback links: personal (registration token) and public per event (drop-in sessions)."""

from django.urls import path

from . import views

urlpatterns = [
    path("feedback/<str:token>/", views.personal_feedback, name="feedback"),
    path("<int:pk>/feedback/<str:token>/", views.public_feedback, name="public_feedback"),
]

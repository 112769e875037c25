"""The front page: the next events (mounted at "/" by kohtaamo/urls.py)."""

from django.urls import path

from . import views

urlpatterns = [path("", views.home, name="home")]

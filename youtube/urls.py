from django.urls import path

from . import views

app_name = "youtube"

urlpatterns = [
    path("", views.status, name="status"),
    path("connect/", views.connect, name="connect"),
    path("callback/", views.callback, name="callback"),
    path("disconnect/", views.disconnect, name="disconnect"),
    path("recordings/<int:pk>/captions/", views.read_captions, name="read_captions"),
]

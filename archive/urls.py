from django.urls import path

from . import views

app_name = "archive"
urlpatterns = [
    path("", views.archive_list, name="list"),
    path("request/", views.request_new, name="request"),
    path("<int:pk>/download/", views.download, name="download"),
]

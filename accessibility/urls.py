from django.urls import path

from . import views

app_name = "accessibility"
urlpatterns = [
    path("statement/", views.statement, name="statement"),
]

from django.urls import path

from . import views

app_name = "accessibility"
urlpatterns = [
    path("statement/", views.statement, name="statement"),
    path("statement/edit/", views.statement_edit, name="statement_edit"),
    path("caption-policy/", views.policy_edit, name="policy"),
]

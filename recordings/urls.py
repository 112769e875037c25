from django.urls import path
from django.views.generic import TemplateView

app_name = "recordings"
urlpatterns = [
    path("", TemplateView.as_view(template_name="recordings/dashboard.html"), name="dashboard"),
]

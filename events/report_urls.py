from django.urls import path
from django.views.generic import TemplateView

app_name = "reports"
urlpatterns = [
    path(
        "", TemplateView.as_view(template_name="events/report_placeholder.html"), name="attendance"
    ),
]

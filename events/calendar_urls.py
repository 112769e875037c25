from django.urls import path
from django.views.generic import TemplateView

app_name = "calendar"
urlpatterns = [
    path(
        "", TemplateView.as_view(template_name="events/calendar_subscribe.html"), name="subscribe"
    ),
]

"""The /api/v1/ router: every app registers its viewsets here."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

router = DefaultRouter()

# Each app exposes `register(router)` and optional extra `urlpatterns` in its api module.
from accessibility import api as accessibility_api  # noqa: E402
from events import api as events_api  # noqa: E402
from networks import api as networks_api  # noqa: E402
from recordings import api as recordings_api  # noqa: E402

_apps = [events_api, networks_api, recordings_api, accessibility_api]
for _app in _apps:
    _app.register(router)

api_urlpatterns = [
    *[p for _app in _apps for p in getattr(_app, "urlpatterns", [])],
    path(
        "reports/attendance/",
        __import__("events.report_api").report_api.AttendanceReportAPI.as_view(),
        name="api-reports-attendance",
    ),
    path("", include(router.urls)),
]

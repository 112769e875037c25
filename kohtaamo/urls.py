from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import health, views
from .api import api_urlpatterns
from .media import media_urlpatterns

# allauth's rate limits (sign-in, sign-up, codes) answer with this page too.
handler429 = "kohtaamo.ratelimit.too_many_requests"
handler500 = "kohtaamo.views.server_error"

admin.site.site_header = _("Kohtaamo administration")
admin.site.site_title = _("Kohtaamo")

urlpatterns = [
    path("", include("events.home_urls")),
    path("about/", views.about, name="about"),
    path("privacy/", views.privacy_notice, name="privacy"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("allauth.urls")),
    path("profile/", include("accounts.urls")),
    path("events/", include("events.urls")),
    path("calendar/", include("events.calendars.urls")),
    path("networks/", include("networks.urls")),
    path("recordings/", include("recordings.urls")),
    path("accessibility/", include("accessibility.urls")),
    path("youtube/", include("youtube.urls")),
    path("reports/archive/", include("archive.urls")),
    path("reports/", include("events.reports.urls")),
    path("", include("reach.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_urlpatterns)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]
if settings.SERVE_MEDIA:
    urlpatterns += media_urlpatterns()

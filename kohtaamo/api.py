"""The /api/v1/ router, filled by the apps that settings.API_MODULES names.

Each of those modules has `register(router)` for its viewsets and `urlpatterns` for its
other endpoints. They are imported by their dotted paths, as Django imports
INSTALLED_APPS, so that this configuration package imports no domain app.
"""

from importlib import import_module

from django.conf import settings
from django.urls import include, path
from rest_framework.routers import DefaultRouter


def _api_urlpatterns() -> list:
    router = DefaultRouter()
    patterns: list = []
    for dotted in settings.API_MODULES:
        module = import_module(dotted)
        module.register(router)
        patterns.extend(module.urlpatterns)
    return [*patterns, path("", include(router.urls))]


api_urlpatterns = _api_urlpatterns()

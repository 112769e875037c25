"""Celery application. In the embedded mode tasks run eagerly in-process."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kohtaamo.settings")

app = Celery("kohtaamo")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

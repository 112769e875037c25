from django.urls import path, re_path

from . import report_views

app_name = "reports"
urlpatterns = [
    path("", report_views.attendance, name="attendance"),
    path("export.csv", report_views.export, {"fmt": "csv"}, name="export_csv"),
    path("export.xlsx", report_views.export, {"fmt": "xlsx"}, name="export_xlsx"),
    re_path(r"^charts/(?P<name>kind|theme)\.svg$", report_views.chart, name="chart"),
]

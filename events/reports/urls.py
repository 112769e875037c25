from django.urls import path, re_path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.attendance, name="attendance"),
    path("export.csv", views.export, {"fmt": "csv"}, name="export_csv"),
    path("export.xlsx", views.export, {"fmt": "xlsx"}, name="export_xlsx"),
    re_path(r"^charts/(?P<name>kind|theme)\.svg$", views.chart, name="chart"),
    path("funder.pdf", views.funder_document, {"fmt": "pdf"}, name="funder_pdf"),
    path("funder.xlsx", views.funder_document, {"fmt": "xlsx"}, name="funder_xlsx"),
]

from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("", views.profile, name="profile"),
    path("calendar-link/", views.new_calendar_link, name="new_calendar_link"),
    path("api-token/", views.create_api_token_view, name="api_token_create"),
    path("api-token/revoke/", views.revoke_api_token_view, name="api_token_revoke"),
    path("data/", views.my_data, name="my_data"),
    path("data.json", views.my_data_json, name="my_data_json"),
    path("delete/", views.delete_my_account, name="delete"),
    path("audit/", views.audit_log_page, name="audit_log"),
]

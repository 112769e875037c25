from django.urls import path

from . import views

app_name = "networks"
urlpatterns = [
    path("", views.network_list, name="list"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("invitations/<str:token>/", views.invitation, name="invitation"),
    path("memberships/<int:pk>/", views.membership_detail, name="membership"),
    path("memberships/<int:pk>/leave/", views.leave, name="leave"),
    path("memberships/<int:pk>/decide/", views.decide, name="decide"),
    path("<slug:slug>/", views.network_detail, name="detail"),
    path("<slug:slug>/join/", views.join, name="join"),
    path("<slug:slug>/calendar-link/", views.new_calendar_link, name="new_calendar_link"),
    path("<slug:slug>/directory/", views.directory, name="directory"),
    path("<slug:slug>/manage/", views.manage, name="manage"),
    path("<slug:slug>/manage/requests/", views.decide_requests, name="decide_requests"),
    path("<slug:slug>/manage/export.<str:fmt>", views.export_members, name="export"),
    path("<slug:slug>/manage/invite/", views.invite, name="invite"),
    path("<slug:slug>/manage/import/", views.import_members, name="import"),
    path("<slug:slug>/manage/announce/", views.announce, name="announce"),
]

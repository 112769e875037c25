from django.urls import path

from . import versions, views, workbench

app_name = "recordings"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("add/", views.add, name="add"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/sync/", views.sync, name="sync"),
    path("<int:pk>/captions/", views.upload, name="upload"),
    path("<int:pk>/captions/fetch/<str:language>/", views.fetch_track, name="fetch_track"),
    path("<int:pk>/captions/<int:track_pk>/review/", views.review, name="review"),
    path("<int:pk>/captions/<int:track_pk>/findings/", views.findings, name="findings"),
    path("<int:pk>/captions/<int:track_pk>/workbench/", workbench.workbench, name="workbench"),
    path(
        "<int:pk>/captions/<int:track_pk>/workbench/cues/<int:index>/",
        workbench.workbench_cue_edit,
        name="workbench_cue_edit",
    ),
    path("<int:pk>/captions/<int:track_pk>/versions/", versions.version_list, name="versions"),
    path("<int:pk>/captions/<int:track_pk>/versions/compare/", versions.compare, name="compare"),
    path(
        "<int:pk>/captions/<int:track_pk>/versions/restore/",
        versions.restore,
        name="restore_version",
    ),
    path(
        "<int:pk>/captions/<int:track_pk>/versions/<int:number>/<str:fmt>/",
        versions.version_download,
        name="version_download",
    ),
    path("<int:pk>/orders/", views.order, name="order"),
    path("<int:pk>/orders/<int:order_pk>/delivery/", views.deliver, name="deliver"),
    path("<int:pk>/publish/", views.publish, name="publish"),
    path("<int:pk>/unpublish/", views.unpublish, name="unpublish"),
    path("<int:pk>/transcript/", views.transcript, name="transcript"),
]

"""Organiser pages under /events/organise/ (names in the "events" namespace)."""

from django.urls import path

from ..attendance import views as attendance_views
from ..feedback import views as feedback_views
from . import views

urlpatterns = [
    path("", views.organiser_home, name="organiser_home"),
    path("themes/", views.theme_list, name="organise_theme_list"),
    path("themes/new/", views.theme_edit, name="organise_theme_create"),
    path("themes/<int:pk>/", views.theme_edit, name="organise_theme_edit"),
    path("presenters/", views.presenter_list, name="organise_presenter_list"),
    path("presenters/new/", views.presenter_edit, name="organise_presenter_create"),
    path("presenters/<int:pk>/", views.presenter_edit, name="organise_presenter_edit"),
    path("presenters/<int:pk>/merge/", views.presenter_merge, name="organise_presenter_merge"),
    path("series/", views.series_list, name="organise_series_list"),
    path("series/new/", views.series_edit, name="organise_series_create"),
    path("series/<int:pk>/", views.series_edit, name="organise_series_edit"),
    path("series/<int:pk>/assign/", views.assign_themes, name="organise_assign_themes"),
    path("plan-term/", views.plan_term, name="organise_plan_term"),
    path("events/new/", views.event_create, name="organise_event_create"),
    path("events/<int:pk>/", views.event_edit, name="organise_event_edit"),
    path("events/<int:pk>/publish/", views.event_publish, name="organise_event_publish"),
    path("events/<int:pk>/cancel/", views.event_cancel, name="organise_event_cancel"),
    path("events/<int:pk>/materials/", views.event_materials, name="organise_event_materials"),
    path(
        "events/<int:pk>/materials/<int:material_pk>/delete/",
        views.material_delete,
        name="organise_material_delete",
    ),
    path(
        "events/<int:pk>/attendance/import/",
        attendance_views.attendance_import,
        name="organise_attendance_import",
    ),
    path(
        "events/<int:pk>/feedback/",
        feedback_views.feedback_results,
        name="organise_feedback_results",
    ),
]

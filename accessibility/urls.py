from django.urls import path

from . import views

app_name = "accessibility"
urlpatterns = [
    path("statement/", views.statement, name="statement"),
    path("statement/edit/", views.statement_edit, name="statement_edit"),
    path("statement/feedback/", views.statement_feedback, name="statement_feedback"),
    path("feedback/", views.feedback_list, name="feedback"),
    path("feedback/<int:pk>/answer/", views.feedback_answer, name="feedback_answer"),
    path("caption-policy/", views.policy_edit, name="policy"),
]

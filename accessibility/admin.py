from django.contrib import admin
from django.db import models
from modeltranslation.admin import TranslationAdmin

from . import services
from .models import AccessibilityFeedback, AccessibilityStatement, CaptionPolicy


@admin.register(CaptionPolicy)
class CaptionPolicyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return not CaptionPolicy.objects.exists()

    def save_model(self, request, obj, form, change):
        # Through the service: audit line and every stored track checked again.
        services.update_policy(
            by=request.user, **{name: getattr(obj, name) for name in services.POLICY_FIELDS}
        )


@admin.register(AccessibilityStatement)
class AccessibilityStatementAdmin(TranslationAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def has_add_permission(self, request):
        return not AccessibilityStatement.objects.exists()

    def save_model(self, request, obj, form, change):
        services.update_statement(
            by=request.user, **{name: getattr(obj, name) for name in services.STATEMENT_FIELDS}
        )


@admin.register(AccessibilityFeedback)
class AccessibilityFeedbackAdmin(admin.ModelAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ("received_on", "channel", "answered_on", "handled_by")
    list_filter = ("channel", "answered_on")
    date_hierarchy = "received_on"

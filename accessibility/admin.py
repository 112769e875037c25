from django.contrib import admin

from . import services
from .models import AccessibilityStatement, CaptionPolicy


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
class AccessibilityStatementAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return not AccessibilityStatement.objects.exists()

    def save_model(self, request, obj, form, change):
        services.update_statement(
            by=request.user, **{name: getattr(obj, name) for name in services.STATEMENT_FIELDS}
        )

from django.contrib import admin

from .models import AccessibilityStatement, CaptionPolicy


@admin.register(CaptionPolicy)
class CaptionPolicyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return not CaptionPolicy.objects.exists()


@admin.register(AccessibilityStatement)
class AccessibilityStatementAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return not AccessibilityStatement.objects.exists()

from django.shortcuts import render

from .models import AccessibilityStatement


def statement(request):
    return render(
        request, "accessibility/statement.html", {"statement": AccessibilityStatement.load()}
    )

"""Translated fields of the accessibility statement (django-modeltranslation).

Each field gets a column per language of settings.LANGUAGES (``<field>_fi``, ``_sv``,
``_en``); reading the plain name gives the visitor's language, falling back to Finnish when
that language's text is empty.
"""

from modeltranslation.translator import TranslationOptions, register

from .models import AccessibilityStatement

TRANSLATED_STATEMENT_FIELDS = (
    "non_accessible_content",
    "disproportionate_burden",
    "accessible_alternatives",
    "assessment_method",
    "feedback_contact",
    "authority_name",
    "authority_address",
)


@register(AccessibilityStatement)
class AccessibilityStatementTranslation(TranslationOptions):
    fields = TRANSLATED_STATEMENT_FIELDS
    fallback_languages = {"default": ("fi",)}

"""Every column of the project's tables is classified (archive.classification)."""

import re

from django.apps import apps
from django.conf import settings

from archive.classification import FIELDS, NOT_ARCHIVED, Treatment

LOOKS_PERSONAL = re.compile(r"(^|_)(e?mail|phone|display_name|contact|invited_name|comment)($|_)")
LOOKS_SECRET = re.compile(r"token|password|secret|session_key")


def _project_models():
    for label in settings.PROJECT_APPS:
        yield from apps.get_app_config(label).get_models()


def test_every_field_of_every_project_model_is_classified():
    missing = []
    for model in _project_models():
        label = model._meta.label
        if label in NOT_ARCHIVED:
            continue
        classified = FIELDS.get(label, {})
        missing += [
            f"{label}.{f.name}" for f in model._meta.concrete_fields if f.name not in classified
        ]
    assert missing == [], f"classify these in archive/classification.py: {missing}"


def test_the_classification_names_no_field_that_does_not_exist():
    stale = []
    for label, fields in FIELDS.items():
        model = apps.get_model(label)
        names = {f.name for f in model._meta.concrete_fields}
        stale += [f"{label}.{name}" for name in fields if name not in names]
    assert stale == []
    assert all(apps.get_model(label) for label in NOT_ARCHIVED)


def test_secrets_are_never_archived_and_personal_looking_fields_are_personal():
    wrong = []
    for label, fields in FIELDS.items():
        model = apps.get_model(label)
        for name, treatment in fields.items():
            if model._meta.get_field(name).get_internal_type() == "BooleanField":
                continue  # a flag about a person's data ("show_email") is not the data
            if LOOKS_SECRET.search(name) and treatment != Treatment.SECRET:
                wrong.append(f"{label}.{name} looks secret")
            if (
                LOOKS_PERSONAL.search(name)
                and treatment == Treatment.KEEP
                and not label.startswith("accessibility.AccessibilityStatement")
            ):
                wrong.append(f"{label}.{name} looks personal")
    assert wrong == []


def test_every_reference_to_a_person_is_a_person_id():
    wrong = []
    for model in _project_models():
        label = model._meta.label
        if label in NOT_ARCHIVED:
            continue
        for f in model._meta.concrete_fields:
            refers_to_user = (
                f.is_relation
                and f.related_model is not None
                and (f.related_model._meta.label == settings.AUTH_USER_MODEL)
            )
            if refers_to_user and FIELDS[label].get(f.name) != Treatment.PERSON:
                wrong.append(f"{label}.{f.name}")
    assert wrong == []

"""Our own import-linter contract types (scripts/import_contracts.py), on small graphs.

`make test` runs them on the real code with `lint-imports`; these tests show that they find
what they are for, so that a green `lint-imports` means something.
"""

from __future__ import annotations

import pytest
from grimp import ImportGraph
from importlinter.domain.helpers import MissingImport

from scripts.import_contracts import (
    AcyclicModulesContract,
    ForbiddenExternalContract,
    imported_names,
)


def graph_of(*imports: tuple[str, str, int, str]) -> ImportGraph:
    graph = ImportGraph()
    for importer, imported, line, contents in imports:
        graph.add_module(importer.split(".")[0])
        if not imported.startswith(("django", "webvtt")):
            graph.add_module(imported.split(".")[0])
        graph.add_import(
            importer=importer, imported=imported, line_number=line, line_contents=contents
        )
    return graph


def acyclic(**options) -> AcyclicModulesContract:
    return AcyclicModulesContract(
        name="no cycles", session_options={}, contract_options={"packages": ["a", "b"], **options}
    )


# A lazy import inside a function is an import like any other for grimp.
RING_ACROSS_APPS = (
    ("a.services", "a.signals", 16, "from .signals import acting_as"),
    ("a.signals", "a.models", 3, "from .models import User"),
    ("a.services", "b.services", 112, "from b.services import erase_person"),
    ("b.services", "a.services", 27, "from a.services import record_audit"),
)


def test_a_ring_of_imports_across_two_apps_breaks_the_contract():
    check = acyclic().check(graph_of(*RING_ACROSS_APPS), verbose=False)

    assert not check.kept
    [cycle] = check.metadata["cycles"]
    assert cycle["modules"] == ["a.services", "b.services"]
    assert cycle["ring"] == ["a.services", "b.services", "a.services"]
    assert cycle["imports"] == ["a.services:112 -> b.services", "b.services:27 -> a.services"]


def test_each_ring_is_reported_with_every_import_in_it():
    graph = graph_of(
        *RING_ACROSS_APPS,
        ("a.tasks", "a.feeds", 14, "from .feeds import store"),
        ("a.feeds", "a.notify", 40, "from .notify import tell"),
        ("a.notify", "a.tasks", 9, "from .tasks import send"),
    )
    check = acyclic().check(graph, verbose=False)

    assert [c["modules"] for c in check.metadata["cycles"]] == [
        ["a.feeds", "a.notify", "a.tasks"],
        ["a.services", "b.services"],
    ]
    assert check.metadata["cycles"][0]["ring"] == ["a.feeds", "a.notify", "a.tasks", "a.feeds"]


def test_imports_one_way_keep_the_contract():
    graph = graph_of(*RING_ACROSS_APPS[:3])

    assert acyclic().check(graph, verbose=False).kept


def test_an_ignored_import_opens_the_ring_and_a_stale_one_is_an_error():
    graph = graph_of(*RING_ACROSS_APPS)

    check = acyclic(ignore_imports=["b.services -> a.services"]).check(graph, verbose=False)
    assert check.kept
    assert check.ignored_import_count == 1

    with pytest.raises(MissingImport):
        acyclic(ignore_imports=["b.models -> a.services"]).check(
            graph_of(*RING_ACROSS_APPS), verbose=False
        )


def pure(graph: ImportGraph):
    contract = ForbiddenExternalContract(
        name="pure",
        session_options={},
        contract_options={"source_modules": ["a.checks"], "forbidden_modules": ["django.db"]},
    )
    return contract.check(graph, verbose=False)


def test_the_database_reached_through_a_module_of_ours_breaks_the_pure_contract():
    graph = graph_of(
        ("a.checks", "django", 5, "from django.utils.translation import gettext"),
        ("a.checks", "a.policy", 8, "from .policy import DEFAULTS"),
        ("a.policy", "django", 2, "from django import db"),
    )
    check = pure(graph)

    assert not check.kept
    assert check.metadata["violations"] == [
        {
            "forbidden": "django.db",
            "chain": "a.checks -> a.policy",
            "line": "a.policy:2: from django import db",
        }
    ]


def test_other_parts_of_the_same_outside_package_are_allowed():
    graph = graph_of(
        ("a.checks", "django", 5, "from django.utils.translation import gettext"),
        ("a.checks", "webvtt", 6, "import webvtt"),
        ("a.views", "django", 3, "from django.db import models"),  # not reached from checks
    )

    assert pure(graph).kept


@pytest.mark.parametrize(
    ("line", "names"),
    [
        ("from django.db import models, transaction", ["django.db", "django.db.models",
                                                       "django.db.transaction"]),
        ("from django.db.models import (", ["django.db.models"]),
        ("import django.db.models as m, os", ["django.db.models", "os"]),
        ("from django import db as database", ["django", "django.db"]),
    ],
)  # fmt: skip
def test_imported_names_are_read_from_the_statement(line, names):
    assert imported_names(line) == names

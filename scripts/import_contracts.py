"""Import-linter contract types of our own, registered in pyproject.toml [tool.importlinter].

`lint-imports` (run by `make test` and `make lint`) loads this module by its dotted path
`scripts.import_contracts`; the repository root is on its path. The graph it passes in is
grimp's: one node per module, one edge per import statement, lazy imports inside functions
included (a late import still makes the importer depend on the imported module at run time).

- `acyclic_modules`: no import cycle between modules, within an app or across apps.
  import-linter's own `acyclic_siblings` looks for cycles between the children of one package
  (accounts.services -> accounts.signals -> accounts.services); a cycle that leaves the
  package (accounts.services -> events.services -> accounts.services) is not between siblings,
  so it needs this one.
- `forbidden_external`: the source modules, and every module of ours they import directly or
  through others, do not import the named submodules of an outside package (`django.db`).
  import-linter's `forbidden` contract takes outside packages only whole (`django`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from grimp import ImportGraph
from importlinter import Contract, ContractCheck, fields, output
from importlinter.application import contract_utils
from importlinter.application.contract_utils import AlertLevel
from importlinter.domain.helpers import module_expressions_to_modules

_FROM_IMPORT = re.compile(r"^\s*from\s+([\w.]+)\s+import\s+\(?\s*(.*)$")
_IMPORT = re.compile(r"^\s*import\s+(.+)$")


def _line(graph: ImportGraph, importer: str, imported: str) -> str:
    numbers = sorted(
        {d["line_number"] for d in graph.get_import_details(importer=importer, imported=imported)}
    )
    return f"{importer}:{','.join(map(str, numbers))} -> {imported}"


def strongly_connected(graph: ImportGraph, modules: set[str]) -> list[list[str]]:
    """The groups of two or more modules that import each other in a ring (Tarjan's
    algorithm, without recursion), each sorted, in a stable order."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    groups: list[list[str]] = []

    def successors(module: str) -> list[str]:
        return sorted(graph.find_modules_directly_imported_by(module) & modules)

    for root in sorted(modules):
        if root in index:
            continue
        work = [(root, iter(successors(root)))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            module, pending = work[-1]
            for nxt in pending:
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(successors(nxt))))
                    break
                if nxt in on_stack:
                    low[module] = min(low[module], index[nxt])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[module])
                if low[module] == index[module]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == module:
                            break
                    if len(group) > 1:
                        groups.append(sorted(group))
    return sorted(groups)


def shortest_cycle(graph: ImportGraph, group: list[str]) -> list[str]:
    """One shortest ring through the group's first module, as a list that ends where it began."""
    members = set(group)
    start = group[0]
    came_from: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for module in frontier:
            for nxt in sorted(graph.find_modules_directly_imported_by(module) & members):
                if nxt == start:
                    ring = [module]
                    while ring[-1] != start:
                        ring.append(came_from[ring[-1]])
                    return [start, *reversed(ring[:-1]), start]
                if nxt not in came_from:
                    came_from[nxt] = module
                    following.append(nxt)
        frontier = following
    return [start]  # not reached for a strongly connected group


def _modules_within(graph: ImportGraph, expressions: Iterable) -> set[str]:
    modules: set[str] = set()
    for module in module_expressions_to_modules(graph, expressions, raise_if_unmatched=True):
        modules |= {module.name, *graph.find_descendants(module.name)}
    return modules


class AcyclicModulesContract(Contract):
    """No module imports itself through others: no ring of imports among `packages`.

    Options:
        - packages: the packages (with all their modules) to check, together: a ring that
          crosses from one to another counts.
        - ignore_imports: imports left out, each with its reason in a comment beside it.
        - unmatched_ignore_imports_alerting: "error" (default), "warn" or "none" when an
          ignored import no longer exists.
    """

    packages = fields.SetField(subfield=fields.ModuleExpressionField())
    ignore_imports = fields.SetField(subfield=fields.ImportExpressionField(), required=False)
    unmatched_ignore_imports_alerting = fields.EnumField(AlertLevel, default=AlertLevel.ERROR)

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:  # noqa: FBT001 - import-linter's Contract.check signature
        removal = contract_utils.remove_ignored_imports_and_report(
            graph=graph,
            ignore_imports=self.ignore_imports,  # type: ignore[arg-type]
            unmatched_alerting=self.unmatched_ignore_imports_alerting,  # type: ignore[arg-type]
        )
        modules = _modules_within(graph, self.packages)  # type: ignore[arg-type]
        output.verbose_print(verbose, f"Looking for import cycles among {len(modules)} modules...")
        cycles = []
        for group in strongly_connected(graph, modules):
            members = set(group)
            cycles.append(
                {
                    "modules": group,
                    "ring": shortest_cycle(graph, group),
                    "imports": [
                        _line(graph, importer, imported)
                        for importer in group
                        for imported in sorted(
                            graph.find_modules_directly_imported_by(importer) & members
                        )
                    ],
                }
            )
        return ContractCheck(
            kept=not cycles,
            warnings=list(removal.warnings),
            ignored_import_count=removal.ignored_import_count,
            metadata={"cycles": cycles},
        )

    def render_broken_contract(self, check: ContractCheck) -> None:
        for cycle in check.metadata["cycles"]:
            output.print_error(f"Import cycle among {', '.join(cycle['modules'])}:")
            output.print_error("  " + " -> ".join(cycle["ring"]), bold=False)
            for line in cycle["imports"]:
                output.print_error(f"  - {line}", bold=False)
            output.new_line()


def imported_names(line: str) -> list[str]:
    """The dotted names an import statement's first line brings in.

    `from django.db import models, transaction` gives django.db, django.db.models and
    django.db.transaction (either may be a module); `import django.db.models as m, os` gives
    django.db.models and os.
    """
    if match := _FROM_IMPORT.match(line):
        package, names = match.groups()
        found = [package]
        for part in names.split(","):
            name = part.strip().strip("()\\").split(" as ")[0].strip()
            if name and name != "*" and name.isidentifier():
                found.append(f"{package}.{name}")
        return found
    if match := _IMPORT.match(line):
        return [part.split(" as ")[0].strip() for part in match.group(1).split(",")]
    return []


def _chain_to(graph: ImportGraph, sources: set[str], module: str) -> list[str]:
    for source in sorted(sources):
        if chain := graph.find_shortest_chain(importer=source, imported=module):
            return list(chain)
    return [module]


class ForbiddenExternalContract(Contract):
    """The source modules, and the modules of ours they depend on, import none of the
    forbidden submodules of outside packages.

    Needs include_external_packages = true (outside packages are then one node each in the
    graph, and the submodule is read from the import statement).

    Options:
        - source_modules: the modules (with their descendants) to keep clean.
        - forbidden_modules: dotted names such as django.db (a name and everything under it).
    """

    source_modules = fields.SetField(subfield=fields.ModuleExpressionField())
    forbidden_modules = fields.SetField(subfield=fields.StringField())

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:  # noqa: FBT001, ARG002 - import-linter's Contract.check signature
        forbidden = sorted(self.forbidden_modules)  # type: ignore[arg-type]
        roots = {name.split(".")[0] for name in forbidden}
        missing = sorted(root for root in roots if root not in graph.modules)
        if missing:
            msg = f"forbidden_external needs include_external_packages = true ({missing})"
            raise ValueError(msg)
        sources = _modules_within(graph, self.source_modules)  # type: ignore[arg-type]
        reached = set(sources)
        for source in sources:
            reached |= graph.find_upstream_modules(source)
        reached = {module for module in reached if not graph.is_module_squashed(module)}
        violations = []
        for module in sorted(reached):
            for root in sorted(roots & graph.find_modules_directly_imported_by(module)):
                for detail in graph.get_import_details(importer=module, imported=root):
                    names = imported_names(detail["line_contents"])
                    hit = [
                        bad
                        for bad in forbidden
                        if any(name == bad or name.startswith(bad + ".") for name in names)
                    ]
                    if not hit:
                        continue
                    via = [module] if module in sources else _chain_to(graph, sources, module)
                    violations.append(
                        {
                            "forbidden": hit[0],
                            "chain": " -> ".join(via),
                            "line": f"{module}:{detail['line_number']}: {detail['line_contents']}",
                        }
                    )
        return ContractCheck(kept=not violations, metadata={"violations": violations})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for violation in check.metadata["violations"]:
            output.print_error(f"{violation['chain']} imports {violation['forbidden']}:")
            output.print_error(f"  {violation['line']}", bold=False)
            output.new_line()

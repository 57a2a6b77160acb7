"""Layers import one way only: the referee shares nothing of the solver, and the core knows nothing above it.

Read from the source with ``ast``, so a lazy import inside a function counts as much as one at the top.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "matcher"

CORE = ("format", "exceptions", "validation", "facts", "rules", "usable", "solution", "proposal_reader",
        "household_types")
ABOVE_THE_CORE = ("solver", "explain", "checker", "accountability", "workflow", "storage", "api", "cli",
                  "generator", "summary")


def modules(name: str) -> list[Path]:
    """The files of a module or of every module in a package."""
    path = PACKAGE / name
    return sorted(path.rglob("*.py")) if path.is_dir() else [path.with_suffix(".py")]


def imported(path: Path) -> set[str]:
    """The matcher modules a file imports, as dotted names below ``matcher``."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return {name.removeprefix("matcher.") for name in names if name.startswith("matcher.")}


def imports_below(name: str) -> set[str]:
    return {module for path in modules(name) for module in imported(path)}


def reaches(found: set[str], packages: tuple[str, ...]) -> set[str]:
    return {module for module in found if module.split(".")[0] in packages}


def test_the_module_list_is_real() -> None:
    for name in (*CORE, *ABOVE_THE_CORE):
        assert modules(name) and all(path.exists() for path in modules(name)), name
    assert "facts" in imports_below("rules") and "rules" in imports_below("checker")


@pytest.mark.parametrize("name", CORE)
def test_the_core_imports_nothing_above_it(name: str) -> None:
    assert reaches(imports_below(name), ABOVE_THE_CORE) == set()


def test_the_checker_shares_the_format_facts_and_rules_but_nothing_of_the_solver() -> None:
    found = {module for module in imports_below("checker") if not module.startswith("checker")}
    assert reaches(found, (*ABOVE_THE_CORE,)) == set(), found


def test_the_explanations_do_not_depend_on_the_solver() -> None:
    found = {module for module in imports_below("explain") if not module.startswith("explain")}
    assert reaches(found, ("solver", "checker", "accountability", "workflow", "api", "cli")) == set(), found

"""pyproject.toml says what the code uses: every module engine/ and tui/ import (lazy imports
included) comes from a declared distribution, and a declared distribution no code imports says
why it is there in a comment beside it."""

from __future__ import annotations

import ast
import functools
import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OWN = {"engine", "tui", "tests", "__future__"}


def normal(name: str) -> str:
    """PEP 503's form of a distribution name: `ruamel.yaml` and `Ruamel_YAML` alike."""
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(spec: str) -> str:
    return normal(re.split(r"[\s<>=!~;\[(]", spec.strip(), maxsplit=1)[0])


def declared() -> dict[str, bool]:
    """Every declared distribution (the dependencies and the non-development extras), and
    whether a comment says something of it (on its line, or the line above)."""
    text = (ROOT / "pyproject.toml").read_text()
    lines = text.splitlines()
    project = tomllib.loads(text)["project"]
    specs = list(project["dependencies"])
    for extra, more in project.get("optional-dependencies", {}).items():
        if extra != "dev":
            specs += more
    said = {}
    for spec in specs:
        at = next(i for i, line in enumerate(lines) if f'"{spec}"' in line)
        said[requirement_name(spec)] = "#" in lines[at] or lines[at - 1].lstrip().startswith("#")
    return said


@functools.cache
def owners() -> dict[str, list[str]]:
    return importlib.metadata.packages_distributions()  # type: ignore[return-value]


def imported_tops() -> dict[str, str]:
    """Top-level module → one file importing it, over engine/ and tui/ (functions too)."""
    found: dict[str, str] = {}
    for path in sorted([*(ROOT / "engine").rglob("*.py"), *(ROOT / "tui").rglob("*.py")]):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.partition(".")[0]
                if top not in OWN and top not in sys.stdlib_module_names:
                    found.setdefault(top, str(path.relative_to(ROOT)))
    return found


def test_every_import_comes_from_a_declared_distribution() -> None:
    declared_names = set(declared())
    missing = []
    for top, where in sorted(imported_tops().items()):
        dists = {normal(d) for d in owners().get(top, [])}
        assert dists, f"{top} (imported by {where}) belongs to no installed distribution"
        if not dists & declared_names:
            missing.append(f"{top} ({where}) from {sorted(dists)}")
    assert not missing, "imported but not declared in pyproject.toml: " + "; ".join(missing)


def test_a_distribution_nothing_imports_says_why_it_is_declared() -> None:
    used = {normal(d) for top in imported_tops() for d in owners().get(top, [])}
    silent = [name for name, said in declared().items() if name not in used and not said]
    assert not silent, f"declared, not imported, and no comment says why: {silent}"

"""The layering promises: what each part may import, checked in fresh interpreters and in the
source (every import, lazy ones included)."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("numpy", "tensorflow", "keras", "keras_tuner", "sklearn", "scikeras")
# what `tui/` may import of the engine: the light face, and the command line for the entry point
CONSOLE_DOORS = {"engine.face": "tui/", "engine.cli": "tui/cli.py"}


def loaded_after(code: str) -> set[str]:
    probe = f"{code}\nimport sys, json\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def tops(modules: set[str]) -> set[str]:
    return {m.split(".")[0] for m in modules}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """Modules `path` imports anywhere (functions too), except under `if TYPE_CHECKING:`."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {
        id(n)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for n in ast.walk(node)
    }
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def sources(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize(
    "module",
    [
        "engine",
        "engine.space",
        "engine.cli",
        "engine.commands.headless",
        "engine.commands.runner",
        "engine.face",
        "engine.export.exporter",
        "engine.export.listing",
        "engine.run.results",
        "engine.run.journal",
        "engine.plan.planner",
        "engine.data.datasets",
        "engine.model.builder",
        "engine.backends.keras_tuner.cluster",
    ],
)
def test_engine_imports_are_light(module: str) -> None:
    assert not tops(loaded_after(f"import {module}")) & ({*HEAVY, "textual"} - {"numpy"})


def test_headless_entry_point_never_loads_textual() -> None:
    assert "textual" not in tops(loaded_after("import tui.cli; tui.cli.command_line()"))


def test_the_console_loads_neither_numpy_nor_tensorflow() -> None:
    loaded = loaded_after("import tui.app")
    assert not tops(loaded) & set(HEAVY)
    engine = {m for m in loaded if m.startswith("engine.")}
    for heavy_part in (
        "engine.commands.runner",
        "engine.backends.base",
        "engine.data.datasets",
        "engine.export.exporter",
        "engine.model.builder",
    ):
        assert heavy_part not in engine


def test_the_console_opens_with_the_editor_only() -> None:
    """The first paint waits for no other screen, no plot and none of the analysis: they are
    imported when first opened (and the face's deferred names at their first use)."""
    loaded = loaded_after("import tui.launch, tui.app")
    later = {"tui.screens.run", "tui.screens.results", "tui.screens.runs", "tui.screens.editor"}
    assert not loaded & later
    assert not {m for m in loaded if m.startswith(("engine.analysis.", "engine.export.listing"))}
    assert not loaded & {"engine.run.results", "engine.run.journal", "engine.plan.pruning"}
    assert not tops(loaded) & {"plotext", "textual_plotext"}


def test_every_screen_and_every_name_of_the_face_stay_light() -> None:
    probe = (
        "import importlib, pkgutil, engine.face, tui.screens, tui.widgets\n"
        "[getattr(engine.face, name) for name in engine.face.__all__]\n"
        "for package in (tui.screens, tui.widgets):\n"
        "    for found in pkgutil.iter_modules(package.__path__, package.__name__ + '.'):\n"
        "        importlib.import_module(found.name)"
    )
    assert not tops(loaded_after(probe)) & set(HEAVY)


def test_the_console_imports_the_engine_only_through_its_face() -> None:
    wrong = []
    for path in sources("tui"):
        where = str(path.relative_to(ROOT))
        for name in imports_of(path):
            if name != "engine" and not name.startswith("engine."):
                continue
            door = next((d for d in CONSOLE_DOORS if name == d or name.startswith(d + ".")), None)
            if door is None or not where.startswith(CONSOLE_DOORS[door]):
                wrong.append(f"{where} imports {name}")
    assert not wrong, "tui/ reaches the engine only through engine.face:\n" + "\n".join(wrong)


def test_the_engine_never_imports_the_console() -> None:
    """No callback from engine into console: no engine module names `tui` or Textual, lazily
    either."""
    wrong = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in sources("engine")
        for name in sorted(imports_of(path))
        if name.split(".")[0] in ("tui", "textual")
    ]
    assert not wrong, "\n".join(wrong)


def engine_graph() -> dict[str, set[str]]:
    modules = {module_name(p): p for p in sources("engine")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        graph[name] = {m for m in imports_of(path) if m in modules and m != name}
    return graph


def cycle_in(graph: dict[str, set[str]]) -> list[str] | None:
    """One import circle of `graph`, or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_no_import_circles_between_engine_modules() -> None:
    circle = cycle_in(engine_graph())
    assert circle is None, " -> ".join(circle or [])


def test_no_import_circles_between_engine_packages() -> None:
    """run/, space/, data/, model/, export/, backends/ and the top-level modules form layers."""

    def package(module: str) -> str:
        parts = module.split(".")
        return ".".join(parts[:2])

    layers: dict[str, set[str]] = {}
    for module, targets in engine_graph().items():
        own = package(module)
        layers.setdefault(own, set()).update(package(t) for t in targets if package(t) != own)
    circle = cycle_in(layers)
    assert circle is None, " -> ".join(circle or [])


def test_the_run_contract_and_the_space_need_no_numpy() -> None:
    loaded = loaded_after(
        "import engine.run.events, engine.run.journal, engine.run.results, "
        "engine.run.rundir, engine.run.states, engine.run.control, engine.space"
    )
    assert not tops(loaded) & {*HEAVY, "textual"}

"""The layering promises, checked in fresh interpreters: what each part may never import."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("tensorflow", "keras", "keras_tuner", "sklearn", "scikeras")


def loaded_after(code: str) -> set[str]:
    probe = f"{code}\nimport sys, json\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize(
    "module",
    ["engine", "engine.space", "engine.cli", "engine.runner", "engine.export.exporter", "engine.export.listing",
     "engine.run.results", "engine.run.journal", "engine.backends.planner", "engine.data.datasets", "engine.model.builder"],
)  # fmt: skip
def test_engine_imports_are_light(module: str) -> None:
    modules = loaded_after(f"import {module}")
    assert not {m.split(".")[0] for m in modules} & {*HEAVY, "textual"}


def test_headless_entry_point_never_loads_textual() -> None:
    modules = loaded_after("import tui.cli")
    assert "textual" not in {m.split(".")[0] for m in modules}

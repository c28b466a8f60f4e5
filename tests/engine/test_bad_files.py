"""Files that are not what their name says, and errors that must blame them: a journal that is a
directory or holds JSON of the wrong types is named with what is wrong (not "no trials recorded
yet"); a model, loader or grid file that is a FIFO or a directory is "not a regular file" (not
"no such file", and never a read that blocks)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from engine.run.rundir import JOURNAL, MODEL
from tests.engine.cli_helpers import isolated_cli  # noqa: F401 - fixture
from tests.engine.corpus import (
    Case,
    fifo,
    finished_and,
    mkdir,
    params,
    replaced,
    run_case,
    write,
)

pytestmark = [pytest.mark.usefixtures("isolated_cli"), pytest.mark.timeout(60)]

USER = (
    "run",
    "--backend",
    "keras-tuner",
    "--max-trials",
    "1",
    "--epochs",
    "1",
    "--run-dir",
    "{tmp}/run",
    "{tmp}/space.yaml",
)


def mistyped(tmp: Path) -> None:
    """Every trial's lines given a number for a trial id (a hand edit, another tool's lines)."""
    path = tmp / "run" / JOURNAL
    records = [json.loads(line) for line in path.read_text().splitlines()]
    for record in records:
        if "trial_id" in record:
            record["trial_id"] = 7
    path.write_text("".join(json.dumps(r) + "\n" for r in records))


def user_file(space: str, name: str, make: Callable[[str], Callable[[Path], None]]):
    """A space naming `name` (a FIFO or a directory, made by `make`) as its code."""

    def setup(tmp: Path) -> None:
        write("space.yaml", space)(tmp)
        make(name)(tmp)

    return setup


JOURNAL_A_DIRECTORY = finished_and(replaced(f"run/{JOURNAL}", mkdir))
MISTYPED = finished_and(mistyped)

CASES: list[Case] = [
    # ---- a journal that is a directory: named, not "no trials recorded yet"
    Case(
        "export_csv_journal_a_directory",
        ("export", "{tmp}/run", "--format", "csv"),
        (f"{{tmp}}/run/{JOURNAL}", "not a regular file (a directory)", "no trials recorded"),
        JOURNAL_A_DIRECTORY,
    ),
    Case(
        "importance_journal_a_directory",
        ("importance", "{tmp}/run"),
        (f"{{tmp}}/run/{JOURNAL}", "not a regular file (a directory)"),
        JOURNAL_A_DIRECTORY,
    ),
    Case(
        "rerun_journal_a_directory",
        ("rerun", "{tmp}/run"),
        (f"{{tmp}}/run/{JOURNAL}", "not a regular file (a directory)"),
        JOURNAL_A_DIRECTORY,
    ),
    # ---- a journal of JSON lines of the wrong types: how many were skipped, and where
    Case(
        "export_csv_journal_of_wrong_types",
        ("export", "{tmp}/run", "--format", "csv"),
        (JOURNAL, "lines skipped as malformed, first at line 2", "no trials recorded"),
        MISTYPED,
    ),
    Case(
        "export_yaml_journal_of_wrong_types",
        ("export", "{tmp}/run", "--format", "yaml"),
        (JOURNAL, "lines skipped as malformed, first at line 2", "nothing to export"),
        MISTYPED,
    ),
    Case(
        "compare_journal_of_wrong_types",
        ("compare", "{tmp}/run"),
        (JOURNAL, "lines skipped as malformed, first at line 2"),
        MISTYPED,
    ),
    Case(
        "rerun_journal_of_wrong_types",
        ("rerun", "{tmp}/run"),
        (JOURNAL, "lines skipped as malformed, first at line 2"),
        MISTYPED,
    ),
    # ---- the user's code, or the retrained model, where a FIFO or a directory is
    Case(
        "model_file_a_fifo",
        USER,
        ("model:", "net.py: not a regular file (a FIFO)"),
        user_file("model: net.py:build\n", "net.py", fifo),
    ),
    Case(
        "model_file_a_directory",
        USER,
        ("model:", "net.py: not a regular file (a directory)"),
        user_file("model: net.py:build\n", "net.py", mkdir),
    ),
    Case(
        "loader_file_a_fifo",
        USER,
        ("data:", "data.py: not a regular file (a FIFO)"),
        user_file("data: data.py:load\n", "data.py", fifo),
    ),
    Case(
        "grid_file_a_fifo_never_blocks",
        ("validate", "{tmp}/space.yaml"),
        ("params:", "grid.py: not a regular file (a FIFO)"),
        user_file("params: grid.py:GRID\n", "grid.py", fifo),
    ),
    Case(
        "export_keras_model_a_fifo",
        ("export", "{tmp}/run", "--format", "keras", "-o", "{tmp}/out.keras"),
        (f"{{tmp}}/run/{MODEL}", "not a regular file (a FIFO)"),
        finished_and(
            lambda tmp: (tmp / "run" / MODEL).unlink(missing_ok=True), fifo(f"run/{MODEL}")
        ),
    ),
]


@pytest.mark.parametrize("case", params(CASES))
def test_errors_blame_the_file_that_is_wrong(
    case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_case(case, tmp_path, capsys)

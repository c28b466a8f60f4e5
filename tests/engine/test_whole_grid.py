"""A grid search runs its whole grid unless a budget was set, and says beforehand how many
candidates and fits it will train and about how long they take (real training, iris, 1 epoch).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from engine.run import events as ev
from engine.run.journal import read_run
from engine.run.kept import load_results

SPACE = (
    "training: {batch_size: [16, 32, 64], epochs: 1}\n"
    "architecture: {nodes: [4, 8, 16, 32]}\n"  # 12 configurations: more than the default 10
    "early_stopping: {enabled: false}\n"
)

pytestmark = pytest.mark.timeout(300)


def run(folder: Path, backend: str, *extra: str) -> list[str]:
    """`run` through the real entry point; stdout and stderr in the order they were written."""
    (folder / "space.yaml").write_text(SPACE)
    argv = [
        "run",
        "space.yaml",
        "--dataset",
        "iris",
        "--backend",
        backend,
        "--algorithm",
        "grid",
        "--cv",
        "2",
        "--run-dir",
        "r",
        *extra,
    ]
    done = subprocess.run(
        [sys.executable, "-m", "engine", *argv],
        cwd=folder,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        timeout=280,
    )
    assert done.returncode == 0, done.stdout
    return done.stdout.splitlines()


@pytest.mark.parametrize(
    ("backend", "fits"),
    [("keras-tuner", "12 candidates, 12 fits"), ("sklearn", "12 candidates × 2 folds = 24 fits")],
)
def test_a_grid_with_no_budget_set_runs_every_candidate(
    tmp_path: Path, backend: str, fits: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TUNEDECK_ESTIMATE")  # the plan line's estimate, from a timed epoch
    lines = run(tmp_path, backend)
    results = load_results(tmp_path / "r")
    assert results.planned == 12 and len(results.trials) == 12
    assert {t.status for t in results.trials.values()} == {"completed"}
    assert "(the whole grid: 12 configurations" in results.reason
    [plan] = [i for i, line in enumerate(lines) if line.startswith("plan: ")]
    first_trial = next(i for i, line in enumerate(lines) if re.match(r"trial \d+  1/12 ", line))
    assert plan < first_trial
    assert (
        lines[plan].startswith(f"plan: {fits}, about ")
        and "(estimate from a timed epoch" in lines[plan]
    )
    events = read_run(tmp_path / "r")
    started = next(e for e in events if isinstance(e, ev.SearchStarted))
    assert started.estimated_seconds is not None and started.estimated_seconds > 0
    assert started.params == 4 * 4 + 4 + 4 * 3 + 3  # iris: 4 features, 4 nodes, 3 classes
    assert started.folds == (2 if backend == "sklearn" else 1)


@pytest.mark.parametrize("backend", ["keras-tuner", "sklearn"])
def test_a_budget_set_below_the_grid_runs_just_that_many(tmp_path: Path, backend: str) -> None:
    lines = run(tmp_path, backend, "--max-trials", "3")
    results = load_results(tmp_path / "r")
    assert results.planned == 3 and len(results.trials) == 3
    assert "(the first 3 of 12 grid configurations: raise the trial budget)" in results.reason
    assert any(line.startswith("plan: 3 candidates") for line in lines)

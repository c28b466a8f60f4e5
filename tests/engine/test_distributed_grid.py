"""Parallel runs that must end: a grid search on two workers (auto picks grid for small
spaces); a search whose every worker dies, which fails in one line instead of waiting (on
GPUs, faked here, where every worker is a process); and one whose second worker dies on a
CPU, which the coordinator, training too, finishes alone."""

from __future__ import annotations

import glob
import subprocess
import sys
from pathlib import Path

import pytest

from engine.run.kept import load_results
from engine.system import places as userdirs
from tests.engine.test_distributed import ENV

pytestmark = pytest.mark.slow
GRID = "training: {batch_size: [16, 32], epochs: 1}\n"
DIES = """import os
import keras
if os.environ.get("KERASTUNER_TUNER_ID", "").startswith("tuner"):
    raise RuntimeError("no GPU on this worker")


def build(hp, input_shape, n_outputs):
    return keras.Sequential([keras.Input(input_shape), keras.layers.Flatten(),
                             keras.layers.Dense(n_outputs, activation="softmax")])
"""


def run(
    tmp_path: Path, space: str, *extra: str, env: dict[str, str] = ENV
) -> subprocess.CompletedProcess[str]:
    (tmp_path / "space.yaml").write_text(space)
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "engine",
            "run",
            str(tmp_path / "space.yaml"),
            "--backend",
            "keras-tuner",
            "--workers",
            "2",
            "--max-trials",
            "2",
            "--subsample",
            "300",
            "--run-dir",
            str(tmp_path / "run"),
            *extra,
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_a_grid_search_runs_on_two_workers(tmp_path: Path) -> None:
    proc = run(tmp_path, GRID, "--epochs", "1")
    assert proc.returncode == 0, proc.stderr
    assert "keras-tuner grid" in proc.stdout
    results = load_results(tmp_path / "run")
    assert sorted(t.hyperparameters["batch_size"] for t in results.trials.values()) == [16, 32]
    assert {t.status for t in results.trials.values()} == {"completed"}


def test_a_search_whose_workers_all_die_fails_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "net.py").write_text(DIES)
    space = "model: net.py:build\nparams: {u: [1, 2]}\ntraining: {epochs: 1}\n"
    proc = run(tmp_path, space, env={**ENV, "TUNEDECK_GPUS": "fake,fake"})
    assert proc.returncode == 1, proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("tunedeck:")]
    assert len(errors) == 1 and "every worker exited before the search ended" in errors[0]
    assert "no GPU on this worker" in errors[0]
    assert load_results(tmp_path / "run").state == "failed"


def test_the_coordinator_finishes_alone_when_its_worker_dies(tmp_path: Path) -> None:
    (tmp_path / "net.py").write_text(DIES)
    proc = run(tmp_path, "model: net.py:build\nparams: {u: [1, 2]}\ntraining: {epochs: 1}\n")
    assert proc.returncode == 0, proc.stderr
    results = load_results(tmp_path / "run")
    assert {t.worker for t in results.trials.values()} == {"tuner0"}
    assert {t.status for t in results.trials.values()} == {"completed"}
    assert load_results(tmp_path / "run").state == "finished"


BROKEN = """import keras


def build(hp, input_shape, n_outputs):
    raise ValueError("this model cannot be built")
"""


def test_workers_started_early_end_when_the_search_cannot_start(tmp_path: Path) -> None:
    """Workers start before the data and the model are checked; a model that fails its
    preflight is one line, and the workers started for it go too, leaving no log behind."""
    (tmp_path / "net.py").write_text(BROKEN)
    logs = userdirs.logs_dir()  # the workers' early logs go there, never to the temporary folder
    before = set(glob.glob(f"{logs}/tuner1-*.log"))
    proc = run(tmp_path, "model: net.py:build\nparams: {u: [1, 2]}\ntraining: {epochs: 1}\n")
    assert proc.returncode == 2, proc.stderr
    assert "this model cannot be built" in proc.stderr
    assert not (tmp_path / "run").exists()
    left = subprocess.run(
        ["pgrep", "-f", "--", f"--tuner-id tuner1 {tmp_path / 'run'}"],
        capture_output=True,
        text=True,
    )
    assert left.stdout.strip() == ""
    assert set(glob.glob(f"{logs}/tuner1-*.log")) <= before

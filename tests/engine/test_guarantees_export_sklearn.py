"""README: the exported standalone script "reproduces the run's reported test score" — on a
scikit-learn run too (tests/engine/test_export_reproduces.py searches with Keras Tuner only).
The search and the export run in this process; the script runs with plain `python`, no
PYTHONPATH, from a folder of its own. Guards what the script embeds and replays (the
builder, the recorded split and the winner's retrain epochs) against the scikit-learn
backend's winner: a script that trained anything else prints another score."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from engine.cli import main
from engine.commands.runner import run_search
from engine.prepare import prepare
from engine.run.settings import RunSettings
from engine.space import Space
from tests.engine.test_export_reproduces import ENV, assert_standalone, constant

pytestmark = pytest.mark.slow
SPACE = {
    "training": {"batch_size": [16, 64], "epochs": 3},
    "optimizer": {"name": "adam", "learning_rate": [0.01, 0.001]},
    "early_stopping": {"enabled": False},
}


def test_the_script_of_a_scikit_learn_run_prints_its_test_score(tmp_path: Path) -> None:
    settings = RunSettings(
        dataset="digits",
        subsample=300,
        backend="sklearn",
        algorithm="grid",
        max_trials=3,
        cv=2,
        seed=3,
    )
    results = run_search(prepare(tmp_path / "run", Space.from_dict(SPACE), settings))
    assert results.state == "finished" and results.test_score is not None
    best = yaml.safe_load((tmp_path / "run" / "best.yaml").read_text())
    exports = tmp_path / "exports"
    exports.mkdir()
    assert (
        main(
            ["export", str(tmp_path / "run"), "--format", "python", "-o", str(exports / "train.py")]
        )
        == 0
    )
    script = (exports / "train.py").read_text()
    done = subprocess.run(
        [sys.executable, "train.py"],
        cwd=exports,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == f"test accuracy: {best['test_score']:.4f}"
    assert constant(script, "SUBSAMPLE") == 300
    assert constant(script, "DATA_SHA256") == best["data_recipe"]["sha256"]
    assert_standalone(script, exports / "train.py")

"""A trial that raises keeps its full traceback in the run directory, for the console and the
report; one that completes or is stopped keeps none."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.analysis.failures import failed_trials, failure
from engine.analysis.runs import open_run
from tests.engine.cli_helpers import fake_run, isolated_cli, tunedeck  # noqa: F401 - fixture

SPACE = "optimizer:\n  name: adam\n  learning_rate: [0.01, 2.0]\ntraining:\n  batch_size: 16\n"


@pytest.mark.usefixtures("isolated_cli")
def test_a_failed_trial_keeps_its_traceback(capsys, tmp_path: Path) -> None:
    (tmp_path / "space.yaml").write_text(SPACE)
    code, _, _ = tunedeck(capsys, *fake_run(tmp_path / "r", "space.yaml", "--algorithm", "grid"))
    assert code == 0
    results = open_run(tmp_path / "r")
    [failed] = failed_trials(results)
    assert failed.hyperparameters["learning_rate"] == 2.0
    kept = failure(results, tmp_path / "r", failed.trial_id).traceback
    assert kept is not None and kept.startswith("Traceback (most recent call last):")
    assert "in _train" in kept and kept.rstrip().endswith("loss became nan at epoch 1")
    assert [p.name for p in (tmp_path / "r" / "tracebacks").iterdir()] == [f"{failed.trial_id}.txt"]

"""Continuing real searches: Keras Tuner's Bayesian oracle and a scikit-learn random search take
more trials and a queued configuration, on iris with one epoch (in-process: TensorFlow loads once
for both)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from engine.run.kept import load_results
from tests.engine.cli_helpers import isolated_cli, tunedeck
from tests.records import records

__all__ = ["isolated_cli"]
pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("isolated_cli")]
WANTED = {"learning_rate": 0.1, "batch_size": 16, "optimizer": "adam", "nodes": 16}


@pytest.mark.parametrize(
    ("backend", "algorithm", "extra", "queued_id"),
    [("keras-tuner", "bayesian", [], "1"), ("sklearn", "random", ["--cv", "2"], "002")],
)
def test_a_finished_search_takes_a_queued_configuration_then_more_trials(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    backend: str,
    algorithm: str,
    extra: list[str],
    queued_id: str,
) -> None:
    monkeypatch.setenv("TUNEDECK_ESTIMATE", "0")
    run = tmp_path / "run"
    args = [
        "run",
        "--dataset",
        "iris",
        "--subsample",
        "90",
        "--backend",
        backend,
        "--algorithm",
        algorithm,
        "--max-trials",
        "1",
        "--epochs",
        "1",
        *extra,
        "--run-dir",
        str(run),
        "--quiet",
    ]
    code, _, err = tunedeck(capsys, *args)
    assert code == 0, err
    before = load_results(run)
    mine = tmp_path / "mine.yaml"
    mine.write_text(yaml.safe_dump(WANTED))
    assert tunedeck(capsys, "enqueue", str(run), str(mine))[0] == 0
    code, _, err = tunedeck(capsys, "resume", str(run), "--more", "1", "--quiet")
    assert code == 0, err
    after = load_results(run)
    assert (after.state, after.planned, len(after.trials)) == ("finished", 3, 3)
    starts = [e for e in records(run, "events.jsonl") if e["type"] == "trial_started"]
    assert [e["trial_id"] for e in starts if e["enqueued"]] == [queued_id]
    queued = after.trials[queued_id]
    assert {k: queued.hyperparameters[k] for k in WANTED} == WANTED
    assert starts[1]["trial_id"] == queued_id  # first in line, before the added trial
    for trial_id, trial in before.trials.items():  # kept, never trained again
        assert after.trials[trial_id].score == trial.score
    assert len(starts) == 3
    assert before.best is not None and after.best is not None
    assert after.goal.better(after.best.score, before.best.score) or (
        after.best.score == before.best.score
    )
    assert after.test_score is not None  # the winner retrained for the new end

"""Pruning in real Keras Tuner searches: a hopeless learning rate is stopped early and recorded
`pruned`, never wins, and a resumed search does not train it again."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from engine.commands.runner import run_search
from engine.prepare import prepare
from engine.run import events as ev
from engine.run.journal import read_run
from engine.run.kept import load_results
from engine.run.results import RunResults
from engine.run.rundir import RunDir, StopMode
from engine.run.settings import RunSettings
from engine.space import Space

HOPELESS = 1e-5  # Adam at this rate barely moves from chance in four epochs
SPACE = {
    "training": {"batch_size": 32, "epochs": 4},
    "optimizer": {"name": "adam", "learning_rate": [0.01, 0.003, HOPELESS]},
    "architecture": {"nodes": [16, 32]},
    "early_stopping": {"enabled": False},
}


def settings(algorithm: str, trials: int) -> RunSettings:
    return RunSettings(
        dataset="digits",
        backend="keras-tuner",
        algorithm=algorithm,
        max_trials=trials,
        seed=0,
        subsample=400,
        prune=True,
    )


@pytest.fixture(scope="module")
def stopped_and_resumed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, RunResults]:
    """A grid search stopped right after its first pruned trial, then resumed to the end;
    returns the run and the results as they stood at the stop."""
    path = tmp_path_factory.mktemp("pruning") / "run"
    run = prepare(path, Space.from_dict(SPACE), settings("grid", 6))

    def stop_after_pruning(event: ev.Event) -> None:
        if isinstance(event, ev.TrialEnded) and event.status == "pruned":
            RunDir(path).request_stop(StopMode.AFTER_TRIAL)

    with pytest.raises(Exception, match="stop requested"):
        run_search(run, sinks=[stop_after_pruning])
    at_stop = load_results(path)
    run_search(RunDir(path))
    return path, at_stop


def test_hopeless_trials_are_pruned_at_the_epoch_they_stopped(stopped_and_resumed) -> None:
    path, _ = stopped_and_resumed
    results = load_results(path)
    assert results.state == "finished" and len(results.trials) == 6
    pruned = [t for t in results.trials.values() if t.status == "pruned"]
    assert pruned, [(t.hyperparameters["learning_rate"], t.curve) for t in results.trials.values()]
    hopeless = [
        t for t in results.trials.values() if t.hyperparameters["learning_rate"] == HOPELESS
    ]
    assert all(t.status == "pruned" and len(t.curve) == 2 for t in hopeless)  # at the first chance
    for trial in pruned:  # a weak trial with a useful rate may trail the median too
        stopped_at = trial.curve[-1]["epoch"]
        assert 2 <= stopped_at < 4 and len(trial.curve) == stopped_at
        assert trial.reason is not None and trial.reason.startswith(f"at epoch {stopped_at}:")
        assert trial.score is None  # not a result; its best so far kept beside
        assert trial.epoch_score == max(row["val_accuracy"] for row in trial.curve)
    completed = [t for t in results.trials.values() if t.status == "completed"]
    assert len(completed) + len(pruned) == 6 and len(completed) >= 3
    assert all(len(t.curve) == 4 for t in completed)  # completed trials trained every epoch


def test_a_pruned_trial_is_never_the_best(stopped_and_resumed) -> None:
    path, _ = stopped_and_resumed
    results = load_results(path)
    assert results.best is not None and results.best.status == "completed"
    assert results.best.hyperparameters["learning_rate"] != HOPELESS
    board = results.leaderboard()
    first_pruned = next(i for i, t in enumerate(board) if t.status == "pruned")
    assert all(t.status == "completed" for t in board[:first_pruned])
    assert all(t.status != "completed" for t in board[first_pruned:])


def test_resume_does_not_train_a_pruned_trial_again(stopped_and_resumed) -> None:
    path, at_stop = stopped_and_resumed
    before = [t.trial_id for t in at_stop.trials.values() if t.status == "pruned"]
    assert len(before) == 1 and at_stop.state == "stopped" and len(at_stop.trials) < 6
    starts = [e.trial_id for e in read_run(path) if isinstance(e, ev.TrialStarted)]
    assert starts.count(before[0]) == 1  # started once, before the stop
    assert len(starts) == len(set(starts)) == 6
    assert load_results(path).trials[before[0]].status == "pruned"


def test_a_journal_that_lost_a_pruned_end_gets_it_back_from_keras_tuner(
    stopped_and_resumed, tmp_path: Path
) -> None:
    """Keras Tuner's own record of a pruned trial (completed, the verdict as its message) is
    journaled again as pruned, with no score, and the trial is not trained again."""
    path, _ = stopped_and_resumed
    copy = tmp_path / "run"
    shutil.copytree(path, copy, ignore=shutil.ignore_patterns("*.lock"))
    pruned = next(t for t in load_results(copy).trials.values() if t.status == "pruned")
    journal = copy / "events.jsonl"
    kept = [
        line
        for line in journal.read_text().splitlines()
        if not (
            json.loads(line)["type"] == "search_finished"
            or (
                json.loads(line)["type"] == "trial_ended"
                and json.loads(line)["trial_id"] == pruned.trial_id
            )
        )
    ]
    journal.write_text("\n".join(kept) + "\n")
    assert load_results(copy).trials[pruned.trial_id].status == "running"
    results = run_search(RunDir(copy))
    again = results.trials[pruned.trial_id]
    assert again.status == "pruned" and again.score is None and again.reason == pruned.reason
    assert again.epoch_score == pruned.epoch_score
    after = read_run(copy)[len(kept) :]
    assert not any(isinstance(e, ev.EpochEnded) for e in after)  # nothing trained again
    assert results.best is not None and results.best.status == "completed"


def test_parallel_workers_prune_against_each_others_trials(tmp_path: Path) -> None:
    """Each worker reads every journal of the run: a trial is judged against the completed
    trials of the other worker too."""
    Space.from_dict(SPACE).save(tmp_path / "space.yaml")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "engine",
            "run",
            str(tmp_path / "space.yaml"),
            "--dataset",
            "digits",
            "--subsample",
            "400",
            "--backend",
            "keras-tuner",
            "--algorithm",
            "grid",
            "--max-trials",
            "6",
            "--workers",
            "2",
            "--prune",
            "--run-dir",
            str(tmp_path / "run"),
            "--quiet",
        ],
        check=True,
        capture_output=True,
        timeout=600,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
    )
    results = load_results(tmp_path / "run")
    assert results.state == "finished" and len(results.trials) == 6
    completed = [t for t in results.trials.values() if t.status == "completed"]
    assert len({t.worker for t in completed}) == 2
    for trial in (t for t in results.trials.values() if t.status == "pruned"):
        judged = int(re.search(r"of (\d+) completed", trial.reason or "")[1])
        own = [t for t in completed if t.worker == trial.worker and t.trial_id < trial.trial_id]
        assert judged > len(own)  # the median counted the other worker's trials too
    hopeless = [
        t for t in results.trials.values() if t.hyperparameters["learning_rate"] == HOPELESS
    ]
    assert hopeless and all(t.status == "pruned" for t in hopeless)
    assert results.best is not None and results.best.status == "completed"

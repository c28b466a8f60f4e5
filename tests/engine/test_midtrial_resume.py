"""A trial killed mid-run resumes from its last completed epoch, with the results it would have
had: SIGKILL after a chosen epoch's checkpoint (`TUNEDECK_KILL_AFTER_CHECKPOINT`), then
`resume`, against the same search never interrupted — on both backends."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from engine.commands.runner import run_search
from engine.model.checkpoint import FOLDER
from engine.prepare import prepare
from engine.run import events as ev
from engine.run.results import RunResults
from engine.run.rundir import RunDir
from engine.run.settings import RunSettings
from engine.space import Space
from tests.records import records

pytestmark = pytest.mark.slow

SPACE = {
    "training": {"batch_size": 16, "epochs": 4},
    "optimizer": {"name": "adam", "learning_rate": [0.01, 0.03]},
    "schedule": {"name": "cosine_restarts", "first_decay_steps": 7},  # a step-driven schedule
    "architecture": {"layers": 1, "nodes": 16},
    "regularization": {"dropout": 0.5},  # dropout's seed state must come back too
    "early_stopping": {
        "enabled": True,
        "monitor": "val_loss",
        "patience": 3,
        "restore_best_weights": True,
    },
}


@pytest.fixture(autouse=True)
def every_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    """A checkpoint after every epoch, however short (these are): the kill lands where asked."""
    monkeypatch.setenv("TUNEDECK_CHECKPOINT", "epoch")


def settings(backend: str, algorithm: str, trials: int = 2) -> RunSettings:
    return RunSettings(
        dataset="digits",
        subsample=200,
        backend=backend,
        algorithm=algorithm,
        max_trials=trials,
        seed=5,
        cv=2,
    )


def killed_then_resumed(run_dir: Path, backend: str, algorithm: str, kill: str) -> RunResults:
    """The search started in a process that kills itself after checkpoint `kill`, then resumed
    here; returns the results, having checked what the kill left."""
    run = prepare(run_dir, Space.from_dict(SPACE), settings(backend, algorithm))
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "TUNEDECK_KILL_AFTER_CHECKPOINT": kill}
    proc = subprocess.run(
        [sys.executable, "-m", "engine", "resume", str(run.path), "--quiet"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == -9, proc.stderr  # killed itself, mid-trial
    held = [p.stem for p in (run.state_dir / FOLDER).iterdir()]
    assert len(held) == 1 and kill.rpartition(":")[0] in ("", held[0])  # one: the running fit's
    return run_search(RunDir.open(run.path))


def uninterrupted(run_dir: Path, backend: str, algorithm: str, sinks: Any = ()) -> RunResults:
    run = prepare(run_dir, Space.from_dict(SPACE), settings(backend, algorithm))
    return run_search(run, sinks=sinks)


def curves(results: RunResults) -> dict[tuple[str, Any, int], dict[str, Any]]:
    return {
        (t.trial_id, row["fold"], row["epoch"]): row
        for t in results.trials.values()
        for row in t.curve
    }


def assert_same(got: RunResults, want: RunResults) -> None:
    assert got.state == want.state == "finished"
    assert sorted(got.trials) == sorted(want.trials)
    for trial_id, trial in want.trials.items():
        other = got.trials[trial_id]
        assert other.status == trial.status
        assert other.score == pytest.approx(trial.score, rel=1e-5, abs=1e-6)
        assert other.epoch_score == pytest.approx(trial.epoch_score, rel=1e-5, abs=1e-6)
        assert other.fold_scores == pytest.approx(trial.fold_scores, rel=1e-5, abs=1e-6)
    a, b = curves(got), curves(want)
    assert sorted(a) == sorted(b)  # every epoch, once, restored ones included
    for key, row in b.items():
        assert a[key]["val_loss"] == pytest.approx(row["val_loss"], rel=1e-5, abs=1e-6), key
    assert got.test_score == pytest.approx(want.test_score, abs=1e-6)


def restored(run_dir: Path) -> list[dict[str, Any]]:
    return [e for e in records(run_dir, "events.jsonl") if e.get("restored")]


def lost_epochs(run_dir: Path, trial_id: str, fold: int | None) -> int:
    """Epochs the trial had journaled before the kill that its resume did not restore."""
    lines = records(run_dir, "events.jsonl")
    cut = next(i for i, e in enumerate(lines) if e["type"] == "search_started" and e["resumed"])
    before = [
        e["epoch"]
        for e in lines[:cut]
        if e["type"] == "epoch_ended" and e["trial_id"] == trial_id and e["fold"] == fold
    ]
    after = [e["epoch"] for e in lines[cut:] if e.get("restored") and e["trial_id"] == trial_id]
    return max(before) - max(after, default=0)


def test_a_keras_tuner_trial_killed_mid_run_resumes_from_its_epoch_to_the_same_results(
    tmp_path: Path,
) -> None:
    got = killed_then_resumed(tmp_path / "run", "keras-tuner", "random", "1:2")
    rows = restored(tmp_path / "run")
    assert [(r["trial_id"], r["epoch"]) for r in rows] == [("1", 1), ("1", 2)]
    assert lost_epochs(tmp_path / "run", "1", None) == 0
    assert not (RunDir.open(tmp_path / "run").state_dir / FOLDER).exists()  # ended: removed

    folder = tmp_path / "reference" / "state" / FOLDER
    seen: list[tuple[str, str, list[str]]] = []  # the checkpoints at each event of the reference

    def look(event: ev.Event) -> None:
        if isinstance(event, ev.TrialStarted | ev.EpochEnded):
            names = sorted(p.name for p in folder.iterdir()) if folder.exists() else []
            seen.append((event.type, event.trial_id, names))

    assert_same(got, uninterrupted(tmp_path / "reference", "keras-tuner", "random", [look]))
    starts = [names for kind, _, names in seen if kind == "trial_started"]
    assert starts == [[], []]  # the first trial's went when it ended, before the second began
    during = [(trial_id, names) for kind, trial_id, names in seen if kind == "epoch_ended"]
    assert all(len(names) <= 1 for _, names in during)  # one per worker
    assert ("1", ["1.npz"]) in during  # written while the trial ran


class Interrupted(BaseException):
    """Ends the search the way a kill does: no trial end, no search end (not an Exception,
    which a trial would catch as its failure)."""


def test_a_hyperband_continuation_interrupted_mid_bracket_resumes_to_the_same_results(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In-process (cheaper than a process of its own): Hyperband's 3-epoch bracket, a
    continuation trained from its parent's epoch 1, cut after its epoch 2."""
    space = {
        **SPACE,
        "training": {"batch_size": 16, "epochs": 3},
        "optimizer": {"name": "adam", "learning_rate": [0.003, 0.01, 0.03]},
        "architecture": {"layers": 1, "nodes": [8, 16]},
    }
    chosen = settings("keras-tuner", "hyperband", trials=6)
    want = run_search(prepare(tmp_path / "reference", Space.from_dict(space), chosen))
    continued = [t for t in want.trials.values() if t.continues is not None]
    assert continued and continued[0].initial_epoch == 1  # the case this test is about
    import engine.model.epoch_checkpoint as module

    def cut(path: Path, epoch: int) -> None:
        if path.stem == continued[0].trial_id and epoch == 2:
            raise Interrupted

    monkeypatch.setattr(module, "_kill_after", cut)
    run = prepare(tmp_path / "run", Space.from_dict(space), chosen)
    with pytest.raises(Interrupted):
        run_search(run)
    got = run_search(RunDir.open(run.path))
    rows = restored(run.path)
    assert [(r["trial_id"], r["epoch"]) for r in rows] == [(continued[0].trial_id, 2)]
    assert_same(got, want)


def test_a_scikit_learn_fold_killed_mid_run_resumes_from_its_epoch_to_the_same_results(
    tmp_path: Path,
) -> None:
    got = killed_then_resumed(tmp_path / "run", "sklearn", "grid", "001.fold2:2")
    rows = restored(tmp_path / "run")
    assert {(r["trial_id"], r["fold"], r["epoch"]) for r in rows} == {
        ("001", 2, 1),
        ("001", 2, 2),
    }
    assert lost_epochs(tmp_path / "run", "001", 2) == 0
    assert_same(got, uninterrupted(tmp_path / "reference", "sklearn", "grid"))

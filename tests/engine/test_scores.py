"""Scores that say what they are: the validation split is one per run (not tunable), the trials
CSV carries each fold's score and the winner's test score, and the history export lists every
epoch's metrics of every trial."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from engine.errors import SpaceError
from engine.export.exporter import best_record, render
from engine.run import events as ev
from engine.run.kept import load_results
from engine.run.rundir import JOURNAL, RunDir
from engine.run.settings import RunSettings
from engine.space import Space


@pytest.mark.parametrize(
    "value", [[0.1, 0.2], {"min": 0.1, "max": 0.3}, {"min": 0.1, "max": 0.3, "step": 0.1}]
)
def test_the_validation_split_cannot_be_tuned(value: object) -> None:
    with pytest.raises(SpaceError) as caught:
        Space.from_dict({"training": {"validation_split": value}})
    message = str(caught.value)
    assert message.startswith("training.validation_split: cannot be tuned")
    assert "same validation split" in message and "\n" not in message


def test_one_validation_split_per_run_is_fine() -> None:
    for value in (0.3, [0.3]):
        space = Space.from_dict({"training": {"validation_split": value}})
        assert space.defaults()["validation_split"] == 0.3


def cross_validated_run(path: Path) -> RunDir:
    """A scikit-learn run by hand: two trials over 3 folds, two epochs per fold."""
    space = Space.from_dict({"architecture": {"nodes": [8, 16]}})
    settings = RunSettings(dataset="iris", backend="sklearn", algorithm="grid", max_trials=2)
    run = RunDir.create(path, space, settings)
    events: list[ev.Event] = [
        ev.SearchStarted(
            space=space.to_dict(),
            backend="sklearn",
            algorithm="grid",
            planned_trials=2,
            settings=settings.to_dict(),
        ),
    ]
    for trial, nodes, folds in (("0", 8, [0.5, 0.625, 0.75]), ("1", 16, [0.875, 0.75, 1.0])):
        config = {**space.defaults(), "nodes": nodes}
        events.append(
            ev.TrialStarted(trial_id=trial, number=int(trial) + 1, hyperparameters=config, epochs=2)
        )
        for fold in range(3):
            for epoch in (1, 2):
                logs = {"loss": 1.0 / epoch + fold, "accuracy": folds[fold] - 0.1 / epoch}
                events.append(ev.EpochEnded(trial_id=trial, epoch=epoch, logs=logs, fold=fold))
        events.append(
            ev.TrialEnded(
                trial_id=trial,
                status="completed",
                duration=1.0,
                score=sum(folds) / 3,
                fold_scores=folds,
            )
        )
    events.append(
        ev.SearchFinished(
            best_trial_id="1", best_score=0.875, test_score=0.9, test_metrics={"accuracy": 0.9}
        )
    )
    (run.path / JOURNAL).write_text("".join(e.to_json() + "\n" for e in events))
    return run


def rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode())))


def test_the_trials_csv_carries_fold_scores_and_the_winners_test_score(tmp_path: Path) -> None:
    table = rows(render(cross_validated_run(tmp_path / "run"), "csv"))
    assert [(r["fold_1"], r["fold_2"], r["fold_3"]) for r in table] == [
        ("0.5", "0.625", "0.75"),
        ("0.875", "0.75", "1.0"),
    ]
    assert [r["test_score"] for r in table] == ["", "0.9"]  # only the retrained winner has one


def test_the_history_export_is_long_form(tmp_path: Path) -> None:
    table = rows(render(cross_validated_run(tmp_path / "run"), "history"))
    assert list(table[0]) == ["trial_id", "fold", "epoch", "metric", "value"]
    assert len(table) == 2 * 3 * 2 * 2  # trials x folds x epochs x metrics
    assert table[0] == {
        "trial_id": "0",
        "fold": "0",
        "epoch": "1",
        "metric": "loss",
        "value": "1.0",
    }
    last = table[-1]
    assert (last["trial_id"], last["fold"], last["epoch"], last["metric"]) == (
        "1",
        "2",
        "2",
        "accuracy",
    )


def test_the_best_record_lists_only_what_applies_to_the_winner(tmp_path: Path) -> None:
    run = cross_validated_run(tmp_path / "run")
    results = load_results(run.path)
    shown = best_record(run, results)["hyperparameters"]
    assert shown["optimizer"] == "adam" and "beta_1" in shown and "momentum" not in shown
    assert shown["schedule"] == "constant" and "decay_steps" not in shown
    assert shown["family"] == "mlp" and "filters" not in shown and "kernel_strength" not in shown
    full = best_record(run, results, full=True)["hyperparameters"]  # what a script builds from
    assert {"momentum", "decay_steps", "filters", "kernel_strength"} <= set(full)

"""Continuing a search on the fake backend: more trials, a widened space, queued configurations,
and the one-line refusals (no TensorFlow: milliseconds a search)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
import yaml

from engine.commands.runner import run_search
from engine.prepare import prepare
from engine.run.kept import load_results
from engine.run.queue import TrialQueue
from engine.run.rundir import RunDir
from engine.run.settings import RunSettings
from engine.space import default_space
from tests.engine.cli_helpers import fake_run, isolated_cli, tunedeck

__all__ = ["isolated_cli"]
pytestmark = pytest.mark.usefixtures("isolated_cli")


def started(run: Path) -> list[tuple[str, dict, bool]]:
    """(trial id, configuration, enqueued) of each trial as it started, in order."""
    from tests.records import records

    return [
        (e["trial_id"], e["hyperparameters"], e.get("enqueued", False))
        for e in records(run, "events.jsonl")
        if e["type"] == "trial_started"
    ]


def write(path: Path, data: object) -> str:
    path.write_text(yaml.safe_dump(data))
    return str(path)


def test_more_trials_continue_the_same_draws_and_the_best_never_worsens(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = tmp_path / "run"
    assert tunedeck(capsys, *fake_run(run, "--algorithm", "random", "--max-trials", "4"))[0] == 0
    before = load_results(run)
    code, _, err = tunedeck(capsys, "resume", str(run), "--more", "3", "--quiet")
    assert code == 0, err
    assert "continuing: 3 more trials" in err
    after = load_results(run)
    assert (after.state, after.planned, len(after.trials)) == ("finished", 7, 7)
    assert [t[0] for t in started(run)] == [f"{i:03d}" for i in range(7)]  # none ran twice
    for trial_id, trial in before.trials.items():
        assert after.trials[trial_id].score == trial.score
    assert after.best is not None and before.best is not None
    assert after.best.score >= before.best.score
    # the same search run with the larger budget at once draws the same seven configurations
    whole = tmp_path / "whole"
    assert tunedeck(capsys, *fake_run(whole, "--algorithm", "random", "--max-trials", "7"))[0] == 0
    assert [t[1] for t in started(run)] == [t[1] for t in started(whole)]


def test_a_complete_grid_says_so_and_a_widened_one_runs_only_its_new_configurations(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    small = write(tmp_path / "small.yaml", {"optimizer": {"learning_rate": [0.01, 0.1]}})
    grid_size = load_space_size(small)
    run = tmp_path / "grid"
    assert tunedeck(capsys, *fake_run(run, "--algorithm", "grid"), small)[0] == 0
    code, out, err = tunedeck(capsys, "resume", str(run), "--more", "2")
    assert (code, out) == (2, "")
    assert err.strip().splitlines() == [
        f"tunedeck: error: the grid is complete: all {grid_size} configurations ran "
        "(widen it: --space FILE)"
    ]
    assert len(load_results(run).trials) == grid_size  # nothing written, nothing run
    wide = write(tmp_path / "wide.yaml", {"optimizer": {"learning_rate": [0.01, 0.1, 0.3]}})
    code, _, err = tunedeck(capsys, "resume", str(run), "--space", wide, "--quiet")
    assert code == 0, err
    configs = [t[1] for t in started(run)]
    assert len(configs) == load_space_size(wide) == 3  # the new one, each once
    assert len({str(sorted(c.items())) for c in configs}) == len(configs)


def load_space_size(path: str) -> int:
    from engine.space import Space

    size = Space.load(path).grid_size()
    assert size is not None
    return size


def test_a_queued_configuration_runs_next_with_exactly_its_values(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = tmp_path / "run"
    assert tunedeck(capsys, *fake_run(run, "--algorithm", "random", "--max-trials", "3"))[0] == 0
    wanted = {"learning_rate": 0.3, "batch_size": 64, "optimizer": "sgd", "nodes": 64}
    code, _, err = tunedeck(capsys, "enqueue", str(run), write(tmp_path / "mine.yaml", wanted))
    assert code == 0, err
    assert "runs it first" in err
    code, _, err = tunedeck(capsys, "resume", str(run), "--more", "2", "--quiet")
    assert code == 0, err
    trial_id, config, enqueued = started(run)[3]  # the next trial after the three that ran
    assert (trial_id, enqueued) == ("003", True)
    assert {k: config[k] for k in wanted} == wanted
    results = load_results(run)
    assert (results.planned, len(results.trials)) == (6, 6)  # one beyond the 3 + 2 planned
    assert not TrialQueue(run).pending()


def test_a_running_search_takes_a_queued_configuration_before_its_next_trial(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TUNEDECK_FAKE_DELAY", "0.05")
    settings = RunSettings(backend="fake", algorithm="random", max_trials=6, epochs=2)
    run = prepare(tmp_path / "run", default_space(), settings)
    search = threading.Thread(target=run_search, args=(run,))
    search.start()
    deadline = time.monotonic() + 30
    while len(started(run.path)) < 2 and time.monotonic() < deadline:  # during trial 2 of 6
        time.sleep(0.01)
    wanted = {"learning_rate": 0.05, "batch_size": 16}
    code, _, err = tunedeck(capsys, "enqueue", str(run.path), write(tmp_path / "mine.yaml", wanted))
    search.join(timeout=60)
    assert code == 0 and "before its next trial" in err
    after = started(run.path)
    assert [t[2] for t in after] == [False, False, True, False, False, False, False]
    assert {k: after[2][1][k] for k in wanted} == wanted
    results = load_results(run.path)
    assert (results.state, results.planned, len(results.trials)) == ("finished", 7, 7)


def test_a_widened_space_keeps_the_trials_it_holds_and_names_the_others(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = tmp_path / "run"
    assert tunedeck(capsys, *fake_run(run, "--algorithm", "random", "--max-trials", "8"))[0] == 0
    before = load_results(run)
    edited = RunDir(run).space().to_dict()
    edited["optimizer"]["learning_rate"] = [0.01, 0.05, 0.2]  # 0.1 and 0.3 are gone
    changed = write(tmp_path / "edited.yaml", edited)
    code, _, err = tunedeck(capsys, "resume", str(run), "--space", changed, "--more", "2")
    assert code == 0, err
    outside = {
        tid
        for tid, t in before.trials.items()
        if t.hyperparameters["learning_rate"] not in (0.01, 0.05, 0.2)
    }
    assert outside and len(outside) < 8
    warning = next(line for line in err.splitlines() if "outside the changed space" in line)
    for trial_id in outside:
        assert f"{trial_id} (learning_rate: " in warning
    after = load_results(run)
    assert len(after.trials) == 10  # every earlier trial is still in the journal
    assert {tid for tid, t in after.trials.items() if t.outside} == outside
    assert after.best is not None and after.best.trial_id not in outside
    ranked = [t.trial_id for t in after.leaderboard() if t.status == "completed" and not t.outside]
    assert after.best.trial_id == ranked[0]
    new = [t for tid, t in after.trials.items() if tid not in before.trials]
    assert all(t.hyperparameters["learning_rate"] in (0.01, 0.05, 0.2) for t in new)
    assert load_results(run).trials.keys() == after.trials.keys()


BAD_FILES = [
    (
        {"learning_rat": 0.1},
        "learning_rat: not a parameter of this run's space (did you mean 'learning_rate'?)",
    ),
    ({"learning_rate": 7}, "learning_rate: 7 is not one of [0.01, 0.05, 0.1, 0.3]"),
    ({"batch_size": "big"}, "batch_size: 'big' is not one of [16, 32, 64]"),
    ({"dropout": True}, "dropout: true is not one of [0.0, 0.5]"),
    ([1, 2], "expected a mapping of parameter names to values"),
]


@pytest.mark.parametrize(("content", "message"), BAD_FILES)
def test_a_bad_configuration_file_is_one_line_naming_the_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: object, message: str
) -> None:
    run = tmp_path / "run"
    assert tunedeck(capsys, *fake_run(run, "--algorithm", "random", "--max-trials", "1"))[0] == 0
    path = write(tmp_path / "mine.yaml", content)
    code, out, err = tunedeck(capsys, "enqueue", str(run), path)
    assert (code, out, err) == (2, "", f"tunedeck: error: {path}: {message}\n")
    assert not TrialQueue(run).pending()


def test_a_grid_search_refuses_a_queued_configuration(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = tmp_path / "run"
    small = write(tmp_path / "small.yaml", {"optimizer": {"learning_rate": [0.01, 0.1]}})
    assert tunedeck(capsys, *fake_run(run, "--algorithm", "grid"), small)[0] == 0
    path = write(tmp_path / "mine.yaml", {"learning_rate": 0.1})
    code, _, err = tunedeck(capsys, "enqueue", str(run), path)
    assert code == 2 and len(err.splitlines()) == 1
    assert "a grid search runs the configurations it plans" in err

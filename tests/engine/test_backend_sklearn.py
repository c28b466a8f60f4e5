"""The scikit-learn backend: the backend contract, plus what only cross-validation has: folds,
stratification, exact conditional grids, halving iterations and resuming from the fold cache.

Real training throughout (iris, one epoch, two folds): a Keras fit costs about a second here, so
each test trains as few candidates as shows its point.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sklearn.base import is_classifier
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.model_selection import (
    GridSearchCV,
    HalvingGridSearchCV,
    ParameterGrid,
    ParameterSampler,
    RandomizedSearchCV,
    StratifiedKFold,
)

from engine.backends.base import SKIPPED, SearchContext, StopControl, StopSearch
from engine.backends.sklearn.grid import param_grid
from engine.backends.sklearn.search import CACHE, SklearnBackend
from engine.commands.runner import run_search
from engine.plan.planner import plan
from engine.prepare import prepare
from engine.run import events as ev
from engine.run.journal import read_run
from engine.run.kept import load_results
from engine.run.results import RunResults
from engine.run.rundir import RunDir
from engine.run.settings import RunSettings
from engine.space import Space, default_space
from tests.engine.backends.contract import BackendContract, trial_events_in_order


class TestSklearnBackend(BackendContract):
    backend = "sklearn"
    algorithms = ("random", "grid", "halving")  # random first: the contract's default runs 3
    dataset = "iris"
    subsample = None


def nodes_space(*nodes: int) -> Space:
    return Space.from_dict(
        {
            "training": {"batch_size": 32, "epochs": 1},
            "architecture": {"nodes": list(nodes)},
            "early_stopping": {"enabled": False},
        }
    )


def settings(**changes: Any) -> RunSettings:
    base = dict(
        dataset="iris", backend="sklearn", algorithm="grid", cv=2, epochs=1, seed=0, max_trials=4
    )
    return RunSettings(**{**base, **changes})


def cache_lines(run: RunDir) -> list[dict[str, Any]]:
    path = run.state_dir / CACHE
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def board(results: RunResults) -> list[tuple]:
    return [(t.trial_id, t.hyperparameters, t.score, t.fold_scores) for t in results.leaderboard()]


# ---- the space as scikit-learn grids (no training) -------------------------------------------
def canonical_set(space: Space, configs: list[dict[str, Any]]) -> list[str]:
    return sorted(json.dumps(space.canonical(c), sort_keys=True) for c in configs)


def test_param_grid_has_exactly_the_space_grid_conditions_included() -> None:
    space = Space.from_dict(
        {
            "optimizer": {
                "name": ["adam", "sgd", "adagrad"],
                "beta_1": [0.9, 0.8],
                "momentum": [0.0, 0.5],
            },
            "schedule": {"name": ["constant", "exponential"], "decay_rate": [0.9, 0.5]},
            "early_stopping": {"enabled": [True, False], "patience": [2, 5]},
        }
    )
    assert space.grid_size() == 5 * 3 * 3
    candidates = [
        {k.removeprefix("model__"): v for k, v in c.items()}
        for c in ParameterGrid(param_grid(space))
    ]
    assert len(candidates) == space.grid_size()
    assert canonical_set(space, candidates) == canonical_set(space, list(space.grid()))
    assert len(ParameterGrid(param_grid(default_space()))) == default_space().grid_size()


def test_continuous_ranges_become_seeded_distributions() -> None:
    space = Space.from_dict(
        {
            "optimizer": {"learning_rate": {"min": 0.001, "max": 0.1, "sampling": "log"}},
            "architecture": {"nodes": {"min": 4, "max": 64, "sampling": "log"}},
            "regularization": {"dropout": {"min": 0.0, "max": 0.5}},
        }
    )
    first = list(ParameterSampler(param_grid(space), 20, random_state=3))
    assert first == list(ParameterSampler(param_grid(space), 20, random_state=3))
    for c in first:
        assert 0.001 <= c["model__learning_rate"] <= 0.1
        assert isinstance(c["model__nodes"], int) and 4 <= c["model__nodes"] <= 64
        assert isinstance(c["model__dropout"], float) and 0 <= c["model__dropout"] <= 0.5
    assert len({c["model__learning_rate"] for c in first}) == 20
    huge = Space.from_dict(
        {"optimizer": {"learning_rate": {"min": 1e-4, "max": 0.1, "step": 1e-7}}}
    )
    assert hasattr(param_grid(huge, draw=True)[0]["model__learning_rate"], "rvs")  # not listed


@pytest.mark.parametrize(
    ("algorithm", "cls"),
    [("grid", GridSearchCV), ("random", RandomizedSearchCV), ("halving", HalvingGridSearchCV)],
)
def test_the_search_is_scikit_learns_own_stratified_and_seeded(
    tmp_path: Path, algorithm: str, cls: type
) -> None:
    from engine.data.datasets import load_dataset

    space, chosen = nodes_space(4, 8, 16), settings(algorithm=algorithm, seed=7, max_trials=2)
    run = RunDir.create(tmp_path / "run", space, chosen)
    ctx = SearchContext(
        space,
        chosen,
        plan(space, chosen),
        run,
        lambda e: None,
        StopControl(run),
        load_dataset("iris", seed=7),
    )
    search, rows, y = SklearnBackend(ctx).build()
    assert isinstance(search, cls)
    assert isinstance(search.cv, StratifiedKFold) and search.cv.n_splits == 2
    assert search.cv.shuffle and search.cv.random_state == 7
    assert is_classifier(search.estimator)  # scikeras alone says no on scikit-learn >= 1.7
    assert search.error_score == "raise" and search.refit is False
    assert len(rows) == len(y) == len(ctx.dataset.y_train) + len(ctx.dataset.y_val)
    if algorithm == "random":
        assert search.n_iter == 2 and search.random_state == 7
    for _, test in search.cv.split(rows, y):  # each fold holds every class in proportion
        assert np.abs(np.bincount(y[test], minlength=3) - np.bincount(y) / 2).max() <= 1


# ---- real searches -----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def grid_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[RunDir, list[ev.Event]]:
    """One uninterrupted 3-candidate grid: the reference for several tests."""
    run = prepare(tmp_path_factory.mktemp("grid") / "run", nodes_space(4, 8, 16), settings())
    seen: list[ev.Event] = []
    run_search(run, sinks=[seen.append])
    return run, seen


def test_each_candidate_is_one_trial_over_every_fold(grid_run) -> None:
    run, seen = grid_run
    results = load_results(run.path)
    trial_events_in_order(seen)
    assert results.state == "finished" and results.planned == 3
    assert sorted(results.trials) == ["000", "001", "002"]
    for number, trial_id in enumerate(sorted(results.trials), start=1):
        trial = results.trials[trial_id]
        assert trial.number == number and trial.status == "completed"
        events = [e for e in seen if getattr(e, "trial_id", None) == trial_id]
        assert isinstance(events[0], ev.TrialStarted) and isinstance(events[-1], ev.TrialEnded)
        assert [e.fold for e in events[1:-1]] == [1, 2]  # one epoch per fold, in fold order
        assert len(trial.fold_scores) == 2
        assert trial.score == pytest.approx(sum(trial.fold_scores) / 2)
    assert len(cache_lines(run)) == 3 * 2
    assert results.test_score is not None


def test_halving_runs_iterations_as_new_trials(tmp_path: Path) -> None:
    run = prepare(tmp_path / "run", nodes_space(4, 8, 16), settings(algorithm="halving"))
    results = run_search(run)
    ids = sorted(results.trials, key=lambda t: results.trials[t].number)
    assert ids == ["000", "001", "002", "003"]  # 3 candidates, factor 3: 1 promoted, numbered on
    assert results.planned == 4
    promoted = results.trials[ids[3]]
    first = {i: results.trials[i] for i in ids[:3]}
    [best_first] = [t for t in first.values() if t.hyperparameters == promoted.hyperparameters]
    assert best_first.hyperparameters == promoted.hyperparameters
    assert best_first.score == max(t.score for t in first.values())
    assert all(len(t.fold_scores) == 2 for t in results.trials.values())
    assert [r["trial_id"] for r in cache_lines(run)] == [*[i for i in ids for _ in (0, 1)]]


def test_a_failing_candidate_is_recorded_and_the_search_goes_on(tmp_path, monkeypatch) -> None:
    import engine.model.builder

    real = engine.model.builder.build

    def build(config: dict, *args: Any) -> Any:
        if config["nodes"] == 8:
            raise ValueError("no eights")
        return real(config, *args)

    monkeypatch.setattr(engine.model.builder, "build", build)
    run = prepare(tmp_path / "run", nodes_space(4, 8), settings())
    results = run_search(run)
    ok, bad = results.trials["000"], results.trials["001"]
    assert ok.status == "completed" and bad.status == "failed"
    assert bad.reason == "ValueError: no eights" and bad.score is None and not bad.curve
    assert results.best_trial_id == "000"


def test_a_skipped_candidate_trains_no_more_folds(tmp_path: Path) -> None:
    run = prepare(tmp_path / "run", nodes_space(4, 8), settings())

    def skip_first(event: ev.Event) -> None:
        if isinstance(event, ev.EpochEnded) and event.trial_id == "000":
            run.request_skip("000")

    results = run_search(run, sinks=[skip_first])
    skipped = results.trials["000"]
    assert skipped.status == "stopped" and skipped.reason == SKIPPED and skipped.score is None
    assert [row["fold"] for row in skipped.curve] == [1]
    assert results.trials["001"].status == "completed"


def test_stop_then_resume_trains_only_missing_folds_and_matches_a_full_run(
    tmp_path: Path, grid_run
) -> None:
    reference, _ = grid_run
    run = prepare(tmp_path / "run", nodes_space(4, 8, 16), settings())

    def stop_in_second_fold_of_001(event: ev.Event) -> None:
        if isinstance(event, ev.EpochEnded) and (event.trial_id, event.fold) == ("001", 2):
            run.request_stop("now")

    with pytest.raises(StopSearch):
        run_search(run, sinks=[stop_in_second_fold_of_001])
    stopped = load_results(run.path)
    assert stopped.state == "stopped"
    assert stopped.trials["000"].status == "completed"
    assert stopped.trials["001"].status == "stopped" and stopped.trials["001"].score is None
    assert "002" not in stopped.trials
    trained = [(r["trial_id"], r["fold"]) for r in cache_lines(run)]
    assert trained == [("000", 0), ("000", 1), ("001", 0)]

    seen: list[ev.Event] = []
    results = run_search(run, sinks=[seen.append])
    trained = [(r["trial_id"], r["fold"]) for r in cache_lines(run)]
    assert trained[3:] == [("001", 1), ("002", 0), ("002", 1)]  # only the missing folds
    started = [e.trial_id for e in seen if isinstance(e, ev.TrialStarted)]
    assert started == ["001", "002"]  # 000 is not reported again
    assert [r["fold"] for r in results.trials["001"].curve] == [1, 2]  # fold 1 replayed from cache
    journal = read_run(run.path)
    ended = [e.trial_id for e in journal if isinstance(e, ev.TrialEnded) and e.status != "stopped"]
    assert sorted(ended) == ["000", "001", "002"]
    assert results.state == "finished"
    assert board(results) == board(load_results(reference.path))


@pytest.mark.slow  # two joblib workers, each importing TensorFlow
def test_parallel_folds_are_reported_per_round_with_the_same_scores(tmp_path, grid_run) -> None:
    run = prepare(tmp_path / "run", nodes_space(4, 8, 16), settings(n_jobs=2))
    seen: list[ev.Event] = []
    results = run_search(run, sinks=[seen.append])
    trial_events_in_order(seen)
    assert board(results) == board(load_results(grid_run[0].path))  # seeded per fit
    for trial in results.trials.values():
        assert [row["fold"] for row in trial.curve] == [1, 2]  # epochs replayed from the cache


def test_a_grid_larger_than_the_budget_runs_its_first_configurations(tmp_path: Path) -> None:
    space = nodes_space(4, 8, 16, 32)
    run = prepare(tmp_path / "run", space, settings(max_trials=2))
    results = run_search(run)
    assert results.planned == 2 and "first 2 of 4" in results.reason
    assert [
        t.hyperparameters["nodes"] for t in sorted(results.trials.values(), key=lambda t: t.number)
    ] == [4, 8]

"""The analysis of fixture runs whose answers are known (tests/analysis_runs.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.analysis.compare import compare_runs, compare_trials, config_diff
from engine.analysis.curves import curves, metrics, top_trials
from engine.analysis.failures import failed_trials, failure
from engine.analysis.importance import MIN_TRIALS, Importance, importance
from engine.analysis.progress import best_so_far
from engine.analysis.runs import neighbours, open_run, tuned_names
from engine.analysis.slices import slices
from engine.analysis.text import comparison_lines
from engine.errors import InputError
from tests.analysis_runs import TRACEBACK, plan, score_of, write_analysis_run


@pytest.fixture
def run(tmp_path: Path) -> Path:
    return write_analysis_run(tmp_path / "run", trials=12, failed=(5,))


def test_the_deciding_parameter_ranks_first_and_the_constant_one_last(run: Path) -> None:
    result = importance(open_run(run))
    names = [name for name, _ in result.rows]
    assert names == ["optimizer", "batch_size", "dropout"]
    shares = dict(result.rows)
    assert shares["optimizer"] > 0.9
    assert shares["dropout"] == 0.0
    assert sum(shares.values()) == pytest.approx(1.0)
    assert result.trials == 11 and result.trusted and result.note == ""


def test_importance_says_when_there_are_too_few_trials(tmp_path: Path) -> None:
    result = importance(open_run(write_analysis_run(tmp_path / "few", trials=4)))
    assert not result.trusted
    assert f"only 4 completed trials: too few to trust (at least {MIN_TRIALS})" == result.note
    assert result.rows[0][0] == "optimizer"


def test_importance_travels_as_json(run: Path) -> None:
    result = importance(open_run(run))
    assert Importance.from_dict(result.to_dict()) == result


def test_best_so_far_follows_the_direction(run: Path) -> None:
    points = best_so_far(open_run(run))
    scores = [score_of(o, b) for o, b in plan(12)]
    expected = [
        max(s for i, s in enumerate(scores[: n + 1]) if i != 4) for n in range(12) if n != 4
    ]
    assert [p.best for p in points] == expected
    assert [p.number for p in points] == [n for n in range(1, 13) if n != 5]
    assert points[0].improved and points[1].improved and not points[2].improved
    assert all(b.elapsed > a.elapsed for a, b in zip(points, points[1:], strict=False))


def test_best_so_far_of_a_minimised_objective_keeps_the_lowest(tmp_path: Path) -> None:
    run = write_analysis_run(tmp_path / "min", trials=6, direction="min")
    points = best_so_far(open_run(run))
    scores = [score_of(o, b) for o, b in plan(6)]
    assert [p.best for p in points] == [min(scores[: n + 1]) for n in range(6)]
    assert [p.improved for p in points] == [True, False, False, False, False, False]


def test_slices_pair_each_value_with_its_scores(run: Path) -> None:
    by_name = {s.name: s for s in slices(open_run(run))}
    assert set(by_name) == {"optimizer", "batch_size", "dropout"}
    opt = by_name["optimizer"]
    assert not opt.numeric and opt.categories() == ["sgd", "adam"]
    assert {v for v, s, _ in opt.points if s > 0.8} == {"adam"}
    assert by_name["batch_size"].numeric and by_name["batch_size"].categories() == [
        "16",
        "32",
        "64",
    ]
    assert len(opt.points) == 11  # the failed trial has no score


def test_curves_of_any_recorded_metric(run: Path) -> None:
    results = open_run(run)
    assert metrics(results) == ["val_accuracy", "loss", "val_loss", "accuracy"]
    top = top_trials(results, 3)
    assert results.trials[top[0]].score == max(t.score or 0 for t in results.trials.values())
    got = curves(results, top, "loss")
    assert [c.trial_id for c in got] == top and got[0].epochs == [1, 2, 3]
    assert got[0].values == pytest.approx([1.0, 2 / 3, 0.5], abs=1e-4)


def test_two_trials_side_by_side(run: Path) -> None:
    pair = compare_trials(open_run(run), "000", "001")
    differing = [(n, v) for n, v, d in pair.diff if d]
    assert differing == [("batch_size", [16, 32]), ("optimizer", ["sgd", "adam"])]
    assert pair.diff[2][2] is False  # the shared parameters follow, marked the same
    assert set(pair.curves) == {"val_accuracy", "loss", "val_loss", "accuracy"}


def test_config_diff_marks_a_parameter_one_side_lacks() -> None:
    assert config_diff([{"a": 1}, {"a": 1, "b": 2}]) == [
        ("b", ["-", 2], True),
        ("a", [1, 1], False),
    ]


def test_compare_runs(tmp_path: Path) -> None:
    a = open_run(write_analysis_run(tmp_path / "a", trials=6))
    b = open_run(write_analysis_run(tmp_path / "b", trials=4, shift=0.05))
    comparison = compare_runs([("a", a), ("b", b)])
    assert [r.best_score for r in comparison.runs] == [0.901, 0.9505]
    assert [r.best_trial_id for r in comparison.runs] == ["005", "001"]
    assert comparison.diff[0] == ("batch_size", [64, 32], True)
    assert [len(r.progress) for r in comparison.runs] == [6, 4] and comparison.note == ""
    data = comparison.to_dict()
    assert data["runs"][1]["best_config"]["optimizer"] == "adam"


def test_compare_runs_notes_different_objectives(tmp_path: Path) -> None:
    a = open_run(write_analysis_run(tmp_path / "a", trials=2))
    b = open_run(
        write_analysis_run(tmp_path / "b", trials=2, objective="val_loss", direction="min")
    )
    assert "different objectives" in compare_runs([("a", a), ("b", b)]).note


def test_compare_runs_lists_other_objectives_and_tasks_apart(tmp_path: Path) -> None:
    """Only the runs of the first one's task and objective are compared (diffed, plotted)."""
    a = open_run(write_analysis_run(tmp_path / "a", trials=2))
    same = open_run(write_analysis_run(tmp_path / "b", trials=3, shift=0.05))
    loss = open_run(
        write_analysis_run(tmp_path / "c", trials=2, objective="val_loss", direction="min")
    )
    runs = [("a", a), ("b", same), ("c", loss), ("d", same)]
    tasks = ["classification", "classification", "classification", "regression"]
    comparison = compare_runs(runs, tasks)
    assert [r.label for r in comparison.compared] == ["a", "b"]
    assert [r.apart for r in comparison.runs[2:]] == [
        "optimises val_loss (min), not val_accuracy (max)",
        "a regression run, not classification",
    ]
    assert all(len(values) == 2 for _, values, _ in comparison.diff)  # a and b only
    lines = comparison_lines(comparison)
    assert "c: not compared (optimises val_loss (min), not val_accuracy (max))" in lines
    assert [row["compared"] for row in comparison.to_dict()["runs"]] == [True, True, False, False]


def test_a_failed_trial_keeps_its_traceback_and_log(run: Path) -> None:
    results = open_run(run)
    assert [t.trial_id for t in failed_trials(results)] == ["004"]
    found = failure(results, run, "004")
    assert found.reason == "ValueError: boom" and found.traceback == TRACEBACK
    assert found.log == ["warning: trial 004 broke"]


def test_tuned_names_of_the_space(run: Path) -> None:
    assert tuned_names(open_run(run)) == ("batch_size", "optimizer", "dropout")


@pytest.mark.parametrize("make", ["missing", "file", "foreign", "unstarted"])
def test_a_bad_run_dir_is_one_clear_error(tmp_path: Path, make: str) -> None:
    target = tmp_path / "x"
    if make == "file":
        target.write_text("hello")
    elif make == "foreign":
        target.mkdir()
    elif make == "unstarted":
        write_analysis_run(target, trials=1)
        (target / "events.jsonl").write_text("")
    with pytest.raises(InputError) as caught:
        open_run(target)
    assert str(target) in str(caught.value)


def test_neighbours_are_the_started_runs_beside_it(tmp_path: Path) -> None:
    here = write_analysis_run(tmp_path / "2024-01", trials=2)
    write_analysis_run(tmp_path / "2024-02", trials=3)
    write_analysis_run(tmp_path / "2024-03", trials=1)
    (tmp_path / "2024-03" / "events.jsonl").write_text("")  # never started: left out
    (tmp_path / "notes").mkdir()
    found = neighbours(here)
    assert [(label, r.done) for label, r in found] == [("2024-01", 2), ("2024-02", 3)]
    assert [label for label, _ in neighbours(here, limit=0)] == ["2024-01"]

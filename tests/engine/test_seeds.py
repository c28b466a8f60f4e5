"""`tunedeck rerun`: the top configurations trained again with several seeds, mean ± std, and
whether the winner's lead is larger than the seed noise; resumable, one line each."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.analysis.seeds import SEEDS, read_seeds, seed_report
from tests.engine.cli_helpers import isolated_cli, tunedeck  # noqa: F401

pytestmark = pytest.mark.usefixtures("isolated_cli")


def records(scores: dict[str, list[float]]) -> list[dict]:
    return [
        {"trial_id": t, "seed": i, "val": v, "test": v - 0.01}
        for t, vals in scores.items()
        for i, v in enumerate(vals)
    ]


def test_a_lead_beyond_the_noise_is_called_real() -> None:
    report = seed_report(
        records({"a": [0.90, 0.91, 0.92], "b": [0.80, 0.81, 0.79]}), "val_accuracy", "max", "a"
    )
    assert [r.trial_id for r in report.rows] == ["a", "b"]
    assert report.rows[0].val_mean == pytest.approx(0.91) and report.rows[0].n == 3
    assert report.lead == pytest.approx(0.11) and report.noise is not None
    assert report.noise < report.lead and "the lead is real" in report.verdict


def test_a_lead_within_the_noise_is_said_so_and_a_different_winner_is_named() -> None:
    report = seed_report(
        records({"a": [0.95, 0.80, 0.90], "b": [0.70, 0.99, 0.95]}), "val_accuracy", "max", "b"
    )
    assert report.rows[0].trial_id == "a" and "within the seed noise" in report.verdict
    assert "(the search picked trial b)" in report.verdict


def test_the_searchs_order_is_judged_not_the_reruns_ranking() -> None:
    """The search's winner against its runner-up, even when the rerun has them the other way
    round (re-ranking on the rerun's scores would favour whichever seeds were luckiest)."""
    report = seed_report(
        records({"a": [0.80, 0.81, 0.79], "b": [0.90, 0.91, 0.92]}),
        "val_accuracy",
        "max",
        "a",
        order=["a", "b"],
    )
    assert [r.trial_id for r in report.rows] == ["a", "b"]
    assert report.lead == pytest.approx(-0.11)
    assert report.verdict.startswith("trial a trails trial b by 0.1100 val_accuracy; Welch's t")
    assert report.verdict.endswith("(two-sided, 5% level): the runner-up is really better")


def test_the_critical_values_are_students_t() -> None:
    from scipy.stats import t

    from engine.analysis.seeds import t_critical

    for df in [1, 1.1, 1.6, 2, 2.3, 3.7, 4, 5.5, 9, 13.4, 28, 45, 90, 500, 10_000]:
        assert t_critical(df) == pytest.approx(t.ppf(0.975, df), rel=0.005), df


@pytest.mark.parametrize(("difference", "low", "high"), [(0.0, 0.0, 0.07), (0.05, 0.95, 1.0)])
def test_the_verdict_calls_noise_real_at_most_at_its_level(difference, low, high) -> None:
    """3 seeds each, 2,000 draws: with no true difference a lead is called real about 5 % of
    the time (a fixed two standard errors would say so 12–18 % of the time); a lead of five
    seed deviations is found."""
    import random

    rng = random.Random(0)
    real = 0
    for _ in range(2000):
        a = [0.9 + difference + rng.gauss(0, 0.01) for _ in range(3)]
        b = [0.9 + rng.gauss(0, 0.01) for _ in range(3)]
        report = seed_report(records({"a": a, "b": b}), "val_accuracy", "max", "a", ["a", "b"])
        real += report.verdict.endswith(("the lead is real", "the runner-up is really better"))
    assert low <= real / 2000 <= high


def test_a_loss_ranks_lowest_first_and_small_samples_are_not_judged() -> None:
    report = seed_report(records({"a": [0.5], "b": [0.3]}), "val_loss", "min", None)
    assert [r.trial_id for r in report.rows] == ["b", "a"]
    assert report.noise is None and "two seeds or more" in report.verdict
    assert (
        "tie"
        in seed_report(
            records({"a": [1.0, 1.0], "b": [1.0, 1.0]}), "val_accuracy", "max", None
        ).verdict
    )


@pytest.mark.slow
def test_rerun_trains_each_configuration_with_each_seed_and_resumes(capsys, tmp_path) -> None:
    run = tmp_path / "run"
    flags = (
        "--dataset",
        "iris",
        "--backend",
        "keras-tuner",
        "--algorithm",
        "random",
        "--max-trials",
        "3",
        "--epochs",
        "2",
        "--run-dir",
        str(run),
        "--quiet",
    )
    assert tunedeck(capsys, "run", *flags)[0] == 0
    code, out, err = tunedeck(capsys, "rerun", str(run), "--top", "2", "--seeds", "2")
    assert code == 0, err
    lines = read_seeds(run)
    assert len(lines) == 4 and {r["seed"] for r in lines} == {0, 1}
    assert len({r["trial_id"] for r in lines}) == 2
    assert err.count(" seed ") == 4 and out.splitlines()[0].startswith("TRIAL")
    assert out.splitlines()[-1].startswith(("trial", "only", "a lead"))

    code, out, err = tunedeck(capsys, "rerun", str(run), "--top", "2", "--seeds", "2", "--json")
    assert code == 0 and err == "", "all done before: nothing trained again"
    report = json.loads(out)
    assert [r["n"] for r in report["rows"]] == [2, 2] and report["metric"] == "val_accuracy"
    assert len((run / SEEDS).read_text().splitlines()) == 4


def test_rerun_of_a_run_without_completed_trials_is_one_line(capsys, tmp_path: Path) -> None:
    code, out, err = tunedeck(capsys, "rerun", str(tmp_path / "nowhere"))
    assert (code, out) == (2, "") and len(err.splitlines()) == 1 and "nowhere" in err

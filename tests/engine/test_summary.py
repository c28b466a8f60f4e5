"""The summary kept beside a run's journals: the same results with or without it, and never a
stale one: appended lines are replayed on top, a changed journal or a damaged summary is
replayed from the start."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.run import events as ev
from engine.run.journal import read_run
from engine.run.kept import load_results
from engine.run.results import replay
from engine.run.rundir import JOURNAL
from engine.run.summary import SUMMARY
from tests.analysis_runs import write_analysis_run
from tests.engine.cli_helpers import fake_run, isolated_cli, tunedeck  # noqa: F401 - fixture
from tests.multi_runs import write_multi_run


@pytest.fixture
def run(tmp_path: Path) -> Path:
    return write_analysis_run(tmp_path / "run", trials=12, failed=(4,))


def test_the_same_results_with_and_without_the_summary(run: Path) -> None:
    first = load_results(run)  # replays the journal and writes the summary
    assert (run / SUMMARY).exists()
    kept = load_results(run)  # from the summary
    assert kept == first == replay(read_run(run))
    assert [t.trial_id for t in kept.leaderboard()] == [t.trial_id for t in first.leaderboard()]
    assert kept.trials["001"].curve == first.trials["001"].curve
    assert kept.trials["001"].epochs_trained == 3 and kept.logs == first.logs


def test_lines_appended_after_the_summary_are_replayed_on_top(run: Path) -> None:
    load_results(run)
    late = ev.TrialStarted(time=2e9, trial_id="012", number=13, hyperparameters={"a": 1})
    with open(run / JOURNAL, "a") as journal:
        journal.write(late.to_json() + "\n")
    results = load_results(run)
    assert results.trials["012"].hyperparameters == {"a": 1}
    assert results == replay(read_run(run))


def test_a_journal_changed_under_the_summary_is_replayed_from_the_start(run: Path) -> None:
    load_results(run)
    journal = run / JOURNAL
    text = journal.read_text()
    best = load_results(run).best
    assert best is not None and f'"score":{best.score}' in text
    # the same length, another score: only the prefix's hash can tell (the file grew too)
    changed = text.replace(f'"score":{best.score}', f'"score":{best.score - 0.5:.3f}', 1)
    assert len(changed) == len(text)
    journal.write_text(changed + ev.LogMessage(level="info", message="later").to_json() + "\n")
    results = load_results(run)
    assert results == replay(read_run(run))
    assert results.trials[best.trial_id].score == pytest.approx(best.score - 0.5)


def test_a_shortened_journal_or_a_damaged_summary_is_replayed(run: Path) -> None:
    load_results(run)
    lines = (run / JOURNAL).read_text().splitlines(keepends=True)
    (run / JOURNAL).write_text("".join(lines[:-1]))  # the search's end lost
    assert load_results(run).state == "running"
    (run / JOURNAL).write_text("".join(lines))
    (run / SUMMARY).write_text('{"shape": [')
    assert load_results(run) == replay(read_run(run))
    assert json.loads((run / SUMMARY).read_text())["results"]["state"] == "finished"


@pytest.mark.usefixtures("isolated_cli")
def test_a_search_leaves_its_summary_behind(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, _ = tunedeck(capsys, *fake_run(tmp_path / "r", "--max-trials", "3"))
    assert code == 0 and (tmp_path / "r" / SUMMARY).exists()
    assert load_results(tmp_path / "r") == replay(read_run(tmp_path / "r"))


def test_the_front_is_kept_in_the_summary_and_ranked_again_once_a_trial_ends(
    tmp_path: Path,
) -> None:
    """Several objectives: the leaderboard's order and the fronts come back from the summary
    as they were computed; a trial ending after it ranks them again."""
    run = write_multi_run(tmp_path / "front")
    first = load_results(run)  # replayed; the summary written with the ranking
    kept = load_results(run)
    assert kept._ranking is not None  # read back, not computed
    assert (
        dict(kept.front())
        == dict(first.front())
        == {
            "003": 0,
            "001": 0,
            "000": 0,
            "002": 1,
            "005": 1,
        }
    )
    assert [t.trial_id for t in kept.leaderboard()] == ["003", "001", "000", "002", "005", "004"]
    started = ev.TrialStarted(time=2e9, trial_id="006", number=7, hyperparameters={})
    ended = ev.TrialEnded(
        time=2e9 + 1, trial_id="006", status="completed", score=0.95, values={"params": 600.0}
    )
    for late in (started, ended):  # the same trial count once it started: its end must count
        with open(run / JOURNAL, "a") as journal:
            journal.write(late.to_json() + "\n")
        again = load_results(run)
    assert again.front() == {"006": 0, "003": 1, "001": 1, "000": 1, "002": 2, "005": 2}
    assert again.leaderboard()[0].trial_id == "006"

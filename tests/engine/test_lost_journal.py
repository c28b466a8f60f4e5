"""A deleted, emptied or garbled journal, or a `trial_ended` line cut in its middle: resume
reconciles it with the backend's own state (Keras Tuner's oracle, scikit-learn's fold records)
so that no ended trial is lost, run twice, or left out of the choice of the best; it never
reports success over lost trials."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from engine.commands.runner import run_search
from engine.prepare import prepare
from engine.run import events as ev
from engine.run.journal import read_run
from engine.run.kept import load_results
from engine.run.results import RunResults
from engine.run.rundir import JOURNAL, RunDir
from engine.run.settings import RunSettings
from engine.run.states import RunState, TrialStatus
from tests.engine.backends.contract import small_space

pytestmark = pytest.mark.slow  # trains real Keras models


def _deleted(journal: Path) -> None:
    journal.unlink()


def _emptied(journal: Path) -> None:
    journal.write_bytes(b"")


def _garbled(journal: Path) -> None:
    journal.write_bytes(b"\x00\xff not json {{{\n" * 20)


def _cut_in_the_middle(journal: Path) -> None:
    """The first trial_ended line loses its second half; the journal goes on after it."""
    lines = journal.read_bytes().split(b"\n")
    index = next(i for i, line in enumerate(lines) if b'"trial_ended"' in line)
    lines[index] = lines[index][: len(lines[index]) // 2]
    journal.write_bytes(b"\n".join(lines))


DAMAGES: dict[str, Callable[[Path], None]] = {
    "deleted": _deleted,
    "emptied": _emptied,
    "garbled": _garbled,
    "cut": _cut_in_the_middle,
}


def _ended(results: RunResults) -> dict[str, tuple[TrialStatus, float | None]]:
    return {t.trial_id: (t.status, t.score) for t in results.trials.values()}


def _trial_ends(run: Path) -> list[str]:
    return [e.trial_id for e in read_run(run) if isinstance(e, ev.TrialEnded)]


def _trained_after(run: Path, since: float) -> set[str]:
    return {e.trial_id for e in read_run(run) if isinstance(e, ev.EpochEnded) and e.time > since}


@pytest.fixture(scope="module", params=["keras-tuner", "sklearn"])
def finished(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    settings = RunSettings(
        dataset="digits",
        backend=request.param,
        algorithm="grid",
        max_trials=3,
        cv=2,
        seed=1,
        epochs=1,
        subsample=200,
    )
    run = prepare(tmp_path_factory.mktemp(request.param) / "run", small_space(), settings)
    run_search(run)
    return run.path


@pytest.mark.timeout(600)
@pytest.mark.parametrize("damage", list(DAMAGES))
def test_resume_over_a_damaged_journal_loses_and_reruns_nothing(
    finished: Path, tmp_path: Path, damage: str
) -> None:
    before = load_results(finished)
    assert before.state == RunState.FINISHED and len(before.trials) == 3
    run = tmp_path / "run"
    shutil.copytree(finished, run)
    DAMAGES[damage](run / JOURNAL)
    since = max(e.time for e in read_run(run)) if read_run(run) else 0.0
    after = run_search(RunDir.open(run))
    assert after.state == RunState.FINISHED
    assert _ended(after) == _ended(before)
    assert after.best_trial_id == before.best_trial_id
    assert sorted(_trial_ends(run)) == sorted(before.trials)  # each ended once
    ran_again = _trained_after(run, since)
    if (run / "state" / "sklearn_folds.jsonl").exists():  # replayed from the fold records
        folds = (finished / "state" / "sklearn_folds.jsonl").read_text()
        assert (run / "state" / "sklearn_folds.jsonl").read_text() == folds  # none retrained
    else:
        assert ran_again == set()
    settings = json.loads(json.dumps(RunDir.open(run).settings().to_dict()))
    assert settings["max_trials"] == 3

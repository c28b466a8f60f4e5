"""Trial statuses and run states: one vocabulary, the journal's strings, one run_state()."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.backends.base import SKIPPED, SkipTrial, StopSearch, TrialFailed, trial_end
from engine.run import events as ev
from engine.run.journal import parse_lines
from engine.run.states import RunState, TrialStatus, run_state


def test_the_journal_keeps_plain_strings() -> None:
    event = ev.TrialEnded(trial_id="000", status=TrialStatus.COMPLETED, score=0.5)
    assert json.loads(event.to_json())["status"] == "completed"
    back = ev.from_json(event.to_json())
    assert isinstance(back, ev.TrialEnded) and back.status is TrialStatus.COMPLETED


def test_a_journal_line_with_an_unknown_status_is_skipped() -> None:
    good = ev.TrialEnded(trial_id="000", status=TrialStatus.FAILED).to_json()
    bad = good.replace('"failed"', '"exploded"')
    assert [e.trial_id for e in parse_lines(f"{bad}\n{good}\n".encode())] == ["000"]


@pytest.mark.parametrize(
    ("journal", "alive", "shown"),
    [
        (RunState.NEW, True, RunState.STARTING),
        (RunState.NEW, False, RunState.INTERRUPTED),  # a runner died before its first event
        (RunState.RUNNING, True, RunState.RUNNING),
        (RunState.RUNNING, False, RunState.INTERRUPTED),
        (RunState.FINISHED, False, RunState.FINISHED),
        (RunState.FAILED, True, RunState.FAILED),
        (RunState.STOPPED, False, RunState.STOPPED),
    ],
)
def test_run_state(journal: RunState, alive: bool, shown: RunState) -> None:
    assert run_state(journal, alive) is shown
    assert shown.live == (shown in (RunState.STARTING, RunState.RUNNING))


@pytest.mark.parametrize(
    ("exc", "status", "reason"),
    [
        (StopSearch("interrupted"), TrialStatus.STOPPED, "interrupted"),
        (StopSearch(), TrialStatus.STOPPED, "stop requested"),
        (SkipTrial("003"), TrialStatus.STOPPED, SKIPPED),
        (
            TrialFailed("loss became nan at epoch 2"),
            TrialStatus.FAILED,
            "loss became nan at epoch 2",
        ),
        (ValueError("bad shape"), TrialStatus.FAILED, "ValueError: bad shape"),
        (MemoryError(), TrialStatus.OOM, "out of memory: MemoryError"),
    ],
)
def test_how_a_trial_that_raised_ends(exc: Exception, status: TrialStatus, reason: str) -> None:
    assert trial_end(exc) == (status, reason)


def test_ls_and_the_monitor_say_the_same(tmp_path: Path) -> None:
    """A run whose runner is gone mid-search is 'interrupted' for both."""
    from engine.export.listing import list_runs
    from tests.tui.runs import write_run

    write_run(tmp_path / "runs" / "live", finished=False)
    assert list_runs(tmp_path / "runs")[1].split()[1] == "interrupted"
    # the monitor: tests/tui/test_monitor.py::test_attach_shows_the_journal_and_an_interrupted_run

"""A failed trial as a reader needs it: the reason, the kept traceback, the log of its span."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from engine.run.results import RunResults, TrialRecord
from engine.run.states import TrialStatus
from engine.run.tracebacks import read_traceback


@dataclass(frozen=True)
class Failure:
    trial: TrialRecord
    reason: str
    traceback: str | None  # None: the run predates kept tracebacks, or none was written
    log: list[str] = field(default_factory=list)  # the run's log lines while the trial ran


FAILURES = (TrialStatus.FAILED, TrialStatus.OOM)  # the trials that raised, with a reason


def failed_trials(results: RunResults) -> list[TrialRecord]:
    return sorted(
        (t for t in results.trials.values() if t.status in FAILURES), key=lambda t: t.number
    )


def failure(results: RunResults, run_dir: str | Path, trial_id: str) -> Failure:
    trial = results.trials[trial_id]
    end = trial.started + (trial.duration or 0.0)
    log = [
        f"{m.level}: {m.message}"
        for m in results.logs
        if trial.started <= m.time <= end + 1.0 and m.worker == trial.worker
    ]
    return Failure(trial, trial.reason or "", read_traceback(run_dir, trial_id), log)

"""The monitor's header: run, backend, state, progress, elapsed time, ETA and best so far, and
a third line, once the search has sampled them, with its workers' CPU, memory and GPU use."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.widgets import Static

from engine.face import RunResults, RunState, TrialStatus
from tui.fmt import fmt_duration, fmt_score
from tui.widgets.resources import resources_text

STATE_STYLE = {
    RunState.RUNNING: "bold yellow",
    RunState.FINISHED: "bold green",
    RunState.FAILED: "bold red",
    RunState.STOPPED: "bold magenta",
    RunState.INTERRUPTED: "bold red",
    RunState.STARTING: "yellow",
}


@dataclass(frozen=True)
class Progress:
    """What the header shows; computed from results and a clock (frozen in tests)."""

    state: RunState
    done: int
    total: int
    elapsed: float | None
    eta: float | None
    best: str
    guessed: bool = False  # the ETA is the search's estimate: no fit has trained yet
    resources: str = ""  # the workers' last resource samples (none once the search ended)

    @classmethod
    def of(
        cls, results: RunResults, state: RunState, now: float | None, last: float | None
    ) -> Progress:
        started = results.started
        end = results.ended or (now if state == RunState.RUNNING else last)
        elapsed = None if started is None or end is None else max(end - started, 0.0)
        total = max(results.planned, len(results.trials))
        done = results.done
        if elapsed is not None:
            elapsed = float(int(elapsed))  # whole seconds: the header changes once a second
        eta, guessed = None, False
        if state == RunState.RUNNING and elapsed:  # whole seconds, or it ticks 4×/s
            work, planned = trials_work(results), float(total)
            if results.algorithm == "hyperband" and results.planned_epochs:
                work, planned = results.epochs_done, results.planned_epochs  # uneven trials
            if work:
                eta = float(int(elapsed / work * max(planned - work, 0)))
            elif (guess := results.estimate.seconds) is not None:  # nothing trained yet
                eta, guessed = float(int(max(guess - elapsed, 0.0))), True
        best = results.best
        best_text = "-" if best is None else f"{fmt_score(best.score)} (trial {best.trial_id})"
        used = "" if RunState(state).ended else resources_text(results)
        return cls(state, done, total, elapsed, eta, best_text, guessed, used)


def folds_of(results: RunResults) -> int:
    """How many fits a trial is: scikit-learn's cross-validation folds, else one."""
    return int(results.settings.get("cv", 1)) if results.backend == "sklearn" else 1


def trials_work(results: RunResults) -> float:
    """Trials done, counting the running ones by the epochs and folds they have trained: the
    ETA is calibrated from the first fits, not only from whole trials."""
    folds = folds_of(results)
    work = 0.0
    for trial in results.trials.values():
        if trial.status != TrialStatus.RUNNING:
            work += 1
        elif trial.curve:
            last = trial.curve[-1]
            epochs = trial.epochs_planned or int(last.get("epoch") or 1)
            within = min(int(last.get("epoch") or 0) / epochs, 1.0)
            work += (int(last.get("fold") or 1) - 1 + within) / folds
    return work


class RunStatus(Static):
    """Two lines (three with resources), rewritten when their text changes: at once for a new
    state, else at most once a second (a search of short trials would otherwise rewrite them
    at every tick)."""

    def __init__(self, run_label: str, **kwargs: Any) -> None:
        super().__init__("", **kwargs)
        self.run_label = run_label
        self._last: Progress | None = None
        self._shown_at = float("-inf")  # monotonic

    def show(self, results: RunResults, progress: Progress) -> None:
        last = self._last
        if progress == last:
            return
        now = time.monotonic()
        if last is not None and progress.state == last.state and now - self._shown_at < 1.0:
            return  # the caller asks again at its next tick
        self._last, self._shown_at = progress, now
        head = Text.assemble(
            (self.run_label, "bold"),
            "  ",
            (progress.state, STATE_STYLE.get(progress.state, "")),
            f"  {results.backend or '?'} {results.algorithm}".rstrip(),
        )
        bar = _bar(progress.done, progress.total, 16)
        line = Text.assemble(
            f"{bar} {progress.done}/{progress.total}",
            f"  elapsed {fmt_duration(progress.elapsed)}",
            f"  ETA {'~' * progress.guessed}{fmt_duration(progress.eta)}"
            if progress.eta is not None
            else "",
            "  best ",
            (progress.best, "bold"),
        )
        lines = [head, line, *([Text(progress.resources, "dim")] if progress.resources else [])]
        # no layout pass (it would repaint every scrollbar on screen) unless a line comes or goes
        grown = last is None or bool(last.resources) != bool(progress.resources)
        text = Text("\n").join(lines)
        text.no_wrap, text.overflow = True, "ellipsis"  # a line too long for the screen is cut
        self.update(text, layout=grown)


def _bar(done: int, total: int, width: int) -> str:
    filled = 0 if total <= 0 else min(width, round(width * done / total))
    return "█" * filled + "░" * (width - filled)

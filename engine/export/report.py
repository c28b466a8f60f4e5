"""Human-readable progress of a headless run: one line per trial and a closing summary."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from engine.export.fmt import fmt_duration, fmt_score
from engine.run import events as ev
from engine.run.estimate import about, estimate_text, remaining
from engine.run.results import RunResults
from engine.run.states import TrialStatus
from engine.space.schema import is_active


def format_params(config: dict, names: tuple[str, ...]) -> str:
    """`name=value` of the given names that matter under `config` (inactive ones left out)."""
    return " ".join(f"{k}={config.get(k)}" for k in names if k in config and is_active(k, config))


class LinePrinter:
    """A sink that prints a line per finished trial (stdout) and warnings (stderr)."""

    def __init__(
        self,
        tuned: tuple[str, ...],
        results: RunResults | None = None,
        out: TextIO | None = None,
        announce: bool = True,
    ) -> None:
        self.tuned = tuned
        self.announce = announce  # False after a memory restart: the search just goes on
        self.out = out or sys.stdout
        self.results = results or RunResults()  # a resumed run counts on from what it had
        self.started = self.results.started or time.time()
        self.pace_from = (time.time(), 0.0)  # (when, work done then): this session's pace

    def __call__(self, event: ev.Event) -> None:
        self.results.apply(event)
        if isinstance(event, ev.SearchStarted) and self.announce:
            verb = "resuming" if event.resumed else "searching"
            print(
                f"{verb}: {event.backend} {event.algorithm}, {event.planned_trials} trials "
                f"— {event.reason}",
                file=self.out,
                flush=True,
            )
            if not event.resumed:  # before the first trial: what it will take
                plan = estimate_text(self.results.estimate, event.algorithm)
                print(f"plan: {plan}", file=sys.stderr, flush=True)
        if isinstance(event, ev.SearchStarted):
            self.pace_from = (time.time(), self._work()[0])
        elif isinstance(event, ev.TrialEnded):
            self._trial_line(event)
        elif isinstance(event, ev.LogMessage) and event.level in ("warning", "error"):
            print(f"{event.level}: {event.message}", file=sys.stderr, flush=True)

    def _trial_line(self, event: ev.TrialEnded) -> None:
        r = self.results
        trial = r.trials.get(event.trial_id)
        params = ""
        if trial is not None:
            params = format_params(trial.hyperparameters, self.tuned)
        outcome = fmt_score(event.score) if event.status == TrialStatus.COMPLETED else event.status
        if event.values:
            outcome += "".join(f"  {k} {fmt_value(v)}" for k, v in event.values.items())
        if event.reason:
            outcome += f" ({event.reason})"
        if event.infeasible:
            outcome += f" infeasible: {event.infeasible}"
        best = r.best.score if r.best else None
        elapsed = time.time() - self.started
        print(
            f"trial {event.trial_id}  {r.done}/{r.planned}  {params}  score {outcome}  "
            f"best {fmt_score(best)}  elapsed {fmt_duration(elapsed)}{self._left()}",
            file=self.out,
            flush=True,
        )

    def _work(self) -> tuple[float, float]:
        """(work done, work planned): trials, or Hyperband's epochs (its trials are uneven)."""
        r = self.results
        if r.algorithm == "hyperband" and r.planned_epochs:
            return float(r.epochs_done), float(r.planned_epochs)
        return float(r.done), float(max(r.planned, len(r.trials)))

    def _left(self) -> str:
        """`, about 4 min left`: the plan's estimate updated from the pace of the trials this
        search has ended so far."""
        (since, before), (done, planned) = self.pace_from, self._work()
        left = remaining(time.time() - since, done - before, planned - before)
        return "" if left is None else f", {about(left)} left"


def _count(results: RunResults, status: TrialStatus) -> int:
    return sum(t.status == status for t in results.trials.values())


def summary(results: RunResults, run_dir: str, tuned: tuple[str, ...]) -> str:
    best = results.best
    lines = [
        f"{results.state}: {results.done}/{results.planned} trials, "
        f"{_count(results, TrialStatus.FAILED)} failed"
        + (f", {pruned} pruned" if (pruned := _count(results, TrialStatus.PRUNED)) else "")
        + (f", {oom} out of memory" if (oom := _count(results, TrialStatus.OOM)) else ""),
    ]
    if best is not None:
        lines.append(
            f"best trial {best.trial_id}: {objective_label(results)} {fmt_score(best.score)}"
        )
        lines.append(
            "  " + format_params(best.hyperparameters, tuned or tuple(best.hyperparameters))
        )
    if results.goals.multi:
        lines.extend(front_lines(results))
    if results.test_score is not None:
        metric = results.objective.removeprefix("val_")
        lines.append(f"test {metric} of the retrained best model: {results.test_score:.4f}")
    from engine.data.recipe import describe, read_recipe

    if (recipe := read_recipe(run_dir)) is not None:
        lines.extend(describe(recipe))
    lines.append(f"run directory: {run_dir}")
    return "\n".join(lines)


def fmt_value(value: float | None) -> str:
    """An objective's value: a count as a count, a fraction to four places."""
    if value is None:
        return "-"
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"


def front_lines(results: RunResults, limit: int = 8) -> list[str]:
    """The Pareto front, one trial a line (`tunedeck export RUN --pick TRIAL` exports one)."""
    fronts = results.front()
    front = [t for t in results.leaderboard() if fronts.get(t.trial_id) == 0]
    names = [o.metric for o in results.goals.items]
    lines = [
        f"Pareto front: {len(front)} trial(s) ({', '.join(str(o) for o in results.goals.items)})"
    ]
    for trial in front[:limit]:
        named = results.goals.values_of(trial.score, trial.values)
        lines.append(
            f"  trial {trial.trial_id}  "
            + "  ".join(f"{n} {fmt_value(named.get(n))}" for n in names)
        )
    if len(front) > limit:
        lines.append(f"  … {len(front) - limit} more (tunedeck results RUN)")
    return lines


def objective_label(results: RunResults) -> str:
    """`val_loss (min)`, or `val_accuracy (max, 3-fold cross-validated mean)` on scikit-learn,
    whose score is the mean over folds rather than one validation split."""
    cv = results.settings.get("cv") if results.backend == "sklearn" else None
    how = f", {cv}-fold cross-validated mean" if cv else ""
    return f"{results.objective} ({results.direction}{how})"

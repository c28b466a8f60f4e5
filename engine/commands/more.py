"""Continuing a search: more trials on the same oracle or candidate set (`resume --more N`), a
changed space (`resume --space FILE`), a hand-written configuration first in line (`enqueue`).

The plan is written into the run directory before the runner starts, so a kill at any point
resumes the same continuation: Keras Tuner and the fake backend get a larger `max_trials` in
settings.yaml (the oracle's own state carries every earlier trial, so Bayesian optimisation
learns on); scikit-learn gets a round of explicit candidates (`engine.backends.sklearn.rounds`).
Trials a changed space no longer holds stay in the journal, named, but are neither ranked nor
learnt from.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine.backends.sklearn.rounds import add_round, planned_beyond
from engine.errors import InputError
from engine.plan.planner import plan
from engine.run.control import command_hint
from engine.run.kept import load_results
from engine.run.queue import TrialQueue
from engine.run.results import RunResults
from engine.run.rundir import SPACE, RunDir
from engine.run.settings import RunSettings
from engine.run.states import RunState, TrialStatus
from engine.space import Config, Space
from engine.space.membership import configuration, outside
from engine.space.reading import parse_text, read_text

if TYPE_CHECKING:
    from engine.backends.base import SearchContext

FIXED_PLANS = ("hyperband", "halving")  # brackets and rungs sized once: a new run instead
DRAW_TRIES = 50  # draws per wanted configuration before a random space counts as spent


def kept_trials(
    previous: RunResults, space: Space, settings: RunSettings
) -> tuple[bool, dict[str, str]]:
    """(whether `space` differs from the one last searched, the ended trials it does not hold
    with why). An unchanged space keeps the exclusions of the session that changed it."""
    if previous.state == RunState.NEW or not previous.space:
        return False, {}
    if _plain(space.to_dict()) == previous.space:
        return False, {t.trial_id: t.outside for t in previous.trials.values() if t.outside}
    excluded = {}
    for trial in previous.trials.values():
        if trial.status == TrialStatus.RUNNING:
            continue
        config = dict(trial.hyperparameters)
        if settings.epochs is not None:  # every trial trained the override, whatever the space
            config.pop("epochs", None)
        why = outside(space, config)
        if why is not None:
            excluded[trial.trial_id] = why
    return True, excluded


def excluded_line(excluded: dict[str, str], shown: int = 5) -> str:
    """`3 earlier trials lie outside the changed space, kept but not used: 004 (…), …`."""
    listed = [f"{tid} ({why})" for tid, why in sorted(excluded.items())[:shown]]
    more = f" and {len(excluded) - shown} more" if len(excluded) > shown else ""
    noun = "trial lies" if len(excluded) == 1 else "trials lie"
    return (
        f"{len(excluded)} earlier {noun} outside the changed space, kept but neither ranked "
        f"nor learnt from: {', '.join(listed)}{more}"
    )


def planned_total(ctx: SearchContext) -> int:
    """The plan's trials, scikit-learn's further rounds and the queued trials that ran."""
    extra = sum(1 for t in ctx.previous.trials.values() if t.enqueued)
    if ctx.plan.backend == "sklearn":
        extra += planned_beyond(ctx.run.state_dir)
    return ctx.plan.planned_trials + extra


def extend(run_dir: str | Path, more: int | None, space: Space | None, source: str = "") -> str:
    """Write the continuation of a search that is not running; returns what it will run, in
    a line. Refusals (a complete grid, a plan that cannot grow) are InputErrors, nothing
    written."""
    run = RunDir.open(run_dir)
    if run.is_running():
        raise InputError(
            f"a search is running here: add trials once it ends, or queue a "
            f"configuration ({command_hint('enqueue', run.path, 'FILE.yaml')})",
            source=str(run.path),
        )
    results = load_results(run.path)
    if results.state == RunState.NEW:
        raise InputError(
            f"the search never started: {command_hint('resume', run.path)} starts it as planned",
            source=str(run.path),
        )
    backend, algorithm = results.backend, results.algorithm
    settings = run.settings().but(backend=backend, algorithm=algorithm)  # pinned as it ran
    old = run.space()
    new = old if space is None else space
    if space is not None:
        _check_change(old, new, backend, algorithm, results, source)
    if algorithm in FIXED_PLANS:
        raise InputError(
            f"--more: {algorithm} sizes its brackets once; start a new run for more trials"
        )
    changed = _plain(new.to_dict()) != _plain(old.to_dict())
    if backend == "sklearn":
        what = _more_candidates(run, results, new, settings, more, changed)
    else:
        settings, what = _more_budget(results, new, settings, more, changed)
    if changed:
        new.save(run / SPACE)
    run.save_settings(settings)
    return what  # the runner names the trials the changed space does not hold


def _check_change(
    old: Space, new: Space, backend: str, algorithm: str, results: RunResults, source: str
) -> None:
    if new.source != old.source:
        raise InputError(
            "its model, data, task and objective must be the run's (a new run searches another)",
            source=source,
        )
    if algorithm in FIXED_PLANS or (backend == "keras-tuner" and algorithm == "grid"):
        raise InputError(
            f"--space: a {algorithm} search on {backend} keeps its space; start "
            "a new run to search another",
            source=source,
        )
    if backend == "sklearn" and results.state != RunState.FINISHED:
        raise InputError(
            f"--space: finish the search first ({command_hint('resume', source)} "
            "without --space), then widen it",
            source=source,
        )


def _more_budget(
    results: RunResults, space: Space, settings: RunSettings, more: int | None, changed: bool
) -> tuple[RunSettings, str]:
    """Keras Tuner and the fake backend: the same oracle with a larger budget."""
    planned = plan(space, settings).planned_trials
    if settings.algorithm == "grid":
        grid = space.grid_size() or 0
        have = len(
            _ran(results, space, settings) & {_key(space, settings, c) for c in space.grid()}
        )
        if have >= grid:
            hint = "" if changed else " (widen it: --space FILE)"
            raise InputError(f"the grid is complete: all {grid:,} configurations ran{hint}")
        count = min(grid - have, more) if more else grid - have
        budget = have + count if more else None
        return settings.but(max_trials=budget), f"{_more(count)} of the grid"
    if more is None:
        if results.state != RunState.FINISHED:
            return settings, "the rest of its plan"
        raise InputError(
            "--more N: say how many trials the finished random or Bayesian search adds"
        )
    return settings.but(max_trials=planned + more), _more(more)


def _more_candidates(
    run: RunDir,
    results: RunResults,
    space: Space,
    settings: RunSettings,
    more: int | None,
    changed: bool,
) -> str:
    """scikit-learn: a round of configurations not run yet, written down before it runs."""
    ran = _ran(results, space, settings)
    if settings.algorithm == "grid":
        fresh = [c for c in space.grid() if _key(space, settings, c) not in ran]
        if not fresh:
            hint = "" if changed else " (widen it: --space FILE)"
            raise InputError(
                f"the grid is complete: all {space.grid_size():,} configurations ran{hint}"
            )
        chosen = fresh[:more] if more else fresh
    else:
        if more is None:
            raise InputError("--more N: say how many trials the finished random search adds")
        rng = random.Random(f"{settings.seed}:more:{len(results.trials)}")
        chosen = []
        for _ in range(more * DRAW_TRIES):
            config = space.sample(rng)
            if _key(space, settings, config) not in ran:
                ran.add(_key(space, settings, config))
                chosen.append(config)
                if len(chosen) == more:
                    break
        if not chosen:
            raise InputError(
                f"every configuration of the space ran ({len(results.trials)} "
                "trials): widen it with --space FILE"
            )
    done = results.state == RunState.FINISHED
    add_round(run.state_dir, chosen, enqueued=False, base_done=done)
    return _more(len(chosen))


def enqueue(run_dir: str | Path, path: str) -> str:
    """Check a hand-written configuration against the run's space and queue it; returns a line
    saying when it runs. Grids, Hyperband and successive halving choose every configuration
    themselves: refused."""
    run = RunDir.open(run_dir)
    results = load_results(run.path)
    algorithm = results.algorithm or plan(run.space(), run.settings()).algorithm
    if algorithm in ("grid", *FIXED_PLANS):
        raise InputError(
            f"a {algorithm} search runs the configurations it plans; queue "
            "configurations into a random or Bayesian search",
            source=str(run.path),
        )
    try:
        config = configuration(run.space(), parse_text(read_text(path), Path(path).suffix))
    except InputError as exc:
        raise exc.with_source(path) from None
    place = TrialQueue(run.path).put(config)
    when = (
        "the running search takes it before its next trial"
        if run.is_running()
        else f"{command_hint('resume', run.path)} runs it first"
    )
    return f"queued {path} ({'next' if place == 1 else f'number {place} in line'}): {when}"


def _ran(results: RunResults, space: Space, settings: RunSettings) -> set[str]:
    return {_key(space, settings, t.hyperparameters) for t in results.trials.values()}


def _key(space: Space, settings: RunSettings, config: Config) -> str:
    """A configuration as the trials record it (defaults filled, the epochs override applied,
    inactive parameters reset), comparable across sessions."""
    full = {**space.defaults(), **{k: v for k, v in config.items() if k in space.params}}
    if settings.epochs is not None:
        full["epochs"] = settings.epochs
    return json.dumps(space.canonical(full), sort_keys=True, default=str)


def _more(count: int) -> str:
    return f"{count:,} more trial{'' if count == 1 else 's'}"


def _plain(data: Any) -> Any:
    """As the journal holds it (JSON: tuples as lists)."""
    return json.loads(json.dumps(data, default=str))

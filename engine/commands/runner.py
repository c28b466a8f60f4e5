"""Runs one search in a run directory: lock, journal, backend, best-model retrain, best.yaml.

The same function serves the headless CLI (in-process), the console (in a child process of its
own session, so a dropped SSH connection cannot stop it) and the tests.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any

from engine.backends import get_backend, needs_data
from engine.backends.base import (
    RecycleProcess,
    SearchContext,
    StopControl,
    StopSearch,
    describe_failure,
)
from engine.backends.environment import environment_failure
from engine.commands.more import excluded_line, kept_trials, planned_total
from engine.errors import InputError
from engine.model.checkpoint import Checkpoints
from engine.model.checkpoint import enabled as checkpoints_enabled
from engine.plan.planner import plan
from engine.run import events as ev
from engine.run.estimate import Estimate, estimate_for
from engine.run.journal import JournalWriter, read_run
from engine.run.kept import keep_summary
from engine.run.queue import TrialQueue
from engine.run.results import RunResults, replay
from engine.run.rundir import JOURNAL, RunDir
from engine.run.states import RunState, TrialStatus
from engine.system.atomic import write_text

Sink = Callable[[ev.Event], None]


TRACEBACK = "traceback.txt"  # in state/: what the user's code raised, in full


class SearchFailedError(Exception):
    """Every trial failed, or the search itself broke; exit code 1."""


def run_search(
    run: RunDir,
    *,
    sinks: Iterable[Sink] = (),
    handle_signals: bool = False,
    dataset: Any = None,
    recycle: bool = False,
    fresh: bool = True,
    extended: bool = False,
) -> RunResults:
    """Run (or continue) the search of `run`; returns the replayed results.

    Raises StopSearch when stopped, SearchFailedError when every trial failed, and (only with
    `recycle`) RecycleProcess when the caller should restart the process and resume.

    A `fresh` runner (not one restarting itself to free memory) first drops stop and skip
    requests left over: no runner held the lock, so they were meant for one that is gone.
    A finished search runs again only when `extended` (`engine.commands.more`: more trials, a changed
    space) or when configurations wait in its queue.
    """
    sinks = list(sinks)
    with run.lock():
        if fresh:
            run.clear_requests()
        space, settings = run.space(), run.settings()
        previous = replay(read_run(run.path))
        lost = [t for t in previous.trials.values() if t.status == TrialStatus.RUNNING]
        waiting = TrialQueue(run.path).pending()
        if previous.state == RunState.FINISHED and not lost and not extended and not waiting:
            return previous  # (a trial the journal lost the end of: the backend records it)
        stop = StopControl(run)
        if handle_signals:
            stop.install_signal_handlers()
        journal = JournalWriter(run / JOURNAL)
        targets: list[Sink] = [journal, *sinks]

        def emit(event: ev.Event) -> None:
            for target in targets:
                target(event)

        def relay(event: ev.Event) -> None:  # sinks only: events other journals hold
            for sink in sinks:
                sink(event)

        chosen = plan(space, settings)
        ctx = SearchContext(
            space, settings, chosen, run, emit, stop, dataset, previous, recycle, relay
        )
        ctx.space_changed, ctx.excluded = kept_trials(previous, space, settings)
        try:
            return _search(ctx)
        except Exception as exc:  # a full disk: one line naming it, the run left resumable
            failure = environment_failure(exc, run.path)
            if failure is None:
                raise
            raise SearchFailedError(str(failure)) from None
        finally:
            journal.close()
            keep_summary(run.path)  # the first view of a large run need not replay it all


def _search(ctx: SearchContext) -> RunResults:
    run, emit, chosen = ctx.run, ctx.emit, ctx.plan
    try:  # bad data, or a model that cannot serve it or the objective: one line, not N failures
        if needs_data(chosen.backend) and ctx.dataset is None:
            from engine.data.datasets import dataset_for

            ctx.dataset = dataset_for(ctx.space, ctx.settings)
        if ctx.dataset is not None:
            from engine.model.factory import preflight

            preflight(ctx.models(), ctx.space, ctx.dataset)
    except InputError as exc:
        if exc.details:  # the user's code raised: its traceback, for them to read
            write_text(run.state_dir / TRACEBACK, exc.details)
        emit(ev.SearchFailed(reason=str(exc)))
        raise
    backend = get_backend(chosen.backend)  # imports Keras Tuner / scikeras: start-up, not search
    estimate = _estimate(ctx)
    emit(
        ev.SearchStarted(
            space=ctx.space.to_dict(),
            backend=chosen.backend,
            algorithm=chosen.algorithm,
            planned_trials=planned_total(ctx),
            planned_epochs=chosen.epochs_budget,
            objective=ctx.objective.metric,
            direction=ctx.objective.direction,
            reason=_reason(ctx),
            settings=ctx.settings.to_dict(),
            resumed=ctx.previous.state != RunState.NEW,
            folds=estimate.folds,
            estimated_seconds=estimate.seconds,
            params=estimate.params,
            checkpoint=estimate.checkpoint,
            excluded=ctx.excluded,
            objectives=ctx.objectives.to_list() if ctx.objectives.multi else [],
            constraints=[c.spec() for c in ctx.objectives.constraints],
        )
    )
    if ctx.space_changed and ctx.excluded:
        emit(ev.LogMessage(level="warning", message=excluded_line(ctx.excluded)))
    if ctx.dataset is not None:  # how the data was made, for summaries and exports
        from engine.data.recipe import record_recipe

        record_recipe(run.path, ctx.dataset, ctx.space, ctx.settings)
    try:
        backend(ctx).run()
        Checkpoints(run.state_dir).clear()  # no trial runs now, none will resume
    except StopSearch as exc:
        emit(ev.SearchStopped(reason=str(exc) or "stop requested"))
        run.clear_stop()  # answered; a later resume starts afresh
        raise
    except RecycleProcess:
        emit(ev.LogMessage(level="info", message="restarting the search process to free memory"))
        raise
    except Exception as exc:
        if environment_failure(exc, run.path) is not None:
            raise  # the machine's failure, not the search's: journaled as neither
        emit(ev.SearchFailed(reason=describe_failure(exc)))
        raise SearchFailedError(describe_failure(exc)) from exc
    return _finish(ctx)


def _reason(ctx: SearchContext) -> str:
    """The plan's sentence, and what it should say about the data's labels and about resuming
    a trial whose fit is the user's own."""
    reason = ctx.settings.reason or ctx.plan.reason
    note = getattr(ctx.dataset, "note", "")
    reason = f"{reason}; {note}" if note and note not in reason else reason
    if _own_fit(ctx):
        reason += f"; {OWN_FIT}"
    return reason


OWN_FIT = "an interrupted trial trains again from its first epoch (the model's own fit)"


def _own_fit(ctx: SearchContext) -> bool:
    """The model trains through its own `fit`, whose data order tunedeck does not hold: no
    trial resumes mid-way (`engine.model.checkpoint`)."""
    return ctx.dataset is not None and ctx.models().user_fit is not None


def _estimate(ctx: SearchContext) -> Estimate:
    """Candidates, fits and, for a new search on data, the time a first short fit implies."""
    folds = ctx.settings.cv if ctx.plan.backend == "sklearn" else 1
    untimed = os.environ.get("TUNEDECK_ESTIMATE") == "0"  # no short timing before the search
    untimed |= bool(os.environ.get("KERASTUNER_TUNER_ID"))  # a node: its coordinator timed it
    if ctx.dataset is None or ctx.previous.state != RunState.NEW or untimed:
        return Estimate(ctx.plan.planned_trials, folds)  # a resumed search: timed when new
    from engine.model.timing import measure

    timing = measure(ctx.models(), ctx.space, ctx.dataset, ctx.settings.seed)
    estimate = estimate_for(timing, ctx.plan, ctx.settings.cv)
    if _own_fit(ctx) or not checkpoints_enabled():  # no trial keeps a checkpoint
        estimate = replace(estimate, checkpoint=0)
    return estimate


def _finish(ctx: SearchContext) -> RunResults:
    """The search ended: retrain the winner, journal the end, write best.yaml."""
    run, emit = ctx.run, ctx.emit
    results = replay(read_run(run.path))
    best = results.best
    if best is None:
        reason = _failure_summary(results)
        emit(ev.SearchFailed(reason=reason))
        raise SearchFailedError(reason)
    test_score: float | None = None
    metrics: dict[str, float] = {}
    if ctx.dataset is not None:
        from engine.model.retrain import retrain_and_test

        emit(ev.LogMessage(level="info", message=f"retraining trial {best.trial_id} on train+val"))
        test_score, metrics = retrain_and_test(run, best, ctx)
    emit(
        ev.SearchFinished(
            best_trial_id=best.trial_id,
            best_score=best.score,
            test_score=test_score,
            test_metrics=metrics,
            test_by_fit=ctx.dataset is not None and ctx.models().scores_itself,
        )
    )
    from engine.export.exporter import write_best_yaml

    write_best_yaml(run)
    return replay(read_run(run.path))


def _failure_summary(results: RunResults) -> str:
    reasons: dict[str, int] = {}
    for trial in results.trials.values():
        key = trial.reason or trial.status
        reasons[key] = reasons.get(key, 0) + 1
    if not reasons:
        return "no trial ran"
    broken = [t for t in results.trials.values() if t.infeasible]
    if broken:  # trials completed, but none met the constraints
        constraints = ", ".join(results.constraints)
        return (
            f"infeasible: none of {len(broken)} completed trial(s) met {constraints}; "
            f"trial {broken[0].trial_id} broke {broken[0].infeasible}"
        )
    parts = [f"{count}× {reason}" for reason, count in sorted(reasons.items(), key=lambda i: -i[1])]
    return f"all {len(results.trials)} trials failed: " + "; ".join(parts)

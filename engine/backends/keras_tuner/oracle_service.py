"""Keras Tuner's oracle served over gRPC, with a loop of ours that drops workers whose
heartbeat stopped: their trial runs again on a live worker, or is reported failed when none
is left (`oom` when the OOM killer may have ended the worker: never retried), and the service
ends when the budget is spent instead of waiting for the dead."""

from __future__ import annotations

from collections.abc import Callable
from concurrent import futures
from typing import Any

from engine.backends.base import SearchContext
from engine.backends.keras_tuner.cluster import alive, live_workers
from engine.backends.keras_tuner.listen import CHIEF_LOG, listen_problem, stderr_into
from engine.backends.oom import PREFIX
from engine.errors import InputError
from engine.run import events as ev
from engine.run.rundir import RunDir
from engine.run.states import TrialStatus


class OracleService:
    """Keras Tuner's oracle served over gRPC at `address`, with a loop of ours (`poll`) that
    drops workers whose heartbeat stopped. A coordinator runs it in its own process (and may
    train on the same oracle itself, as a worker that needs no gRPC); `serve` in a chief's."""

    def __init__(self, oracle: Any, ctx: SearchContext, address: str) -> None:
        import grpc

        from engine.backends.keras_tuner import compat

        self.oracle, self.ctx = oracle, ctx
        self.budget_spent = False  # set by a worker in this process that was told to stop
        self.killed: dict[str, str] = {}  # local workers the OOM killer may have ended: why
        self.server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
        self.servicer = compat.add_oracle_servicer(oracle, self.server)
        with stderr_into(ctx.run.state_dir / CHIEF_LOG):  # gRPC's own lines: the log's
            try:
                bound = self.server.add_insecure_port(address)
            except RuntimeError:  # grpc >= 1.60 raises where older ones returned 0
                bound = 0
            if not bound:
                why = listen_problem(address) or f"gRPC could not bind it; see state/{CHIEF_LOG}"
                raise InputError(f"chief: cannot listen on {address} ({why})")
            self.server.start()

    def poll(self) -> int | None:
        """One look: 0 once the budget is spent and every worker is done, 130 once a stop was
        asked and no worker is alive, None while the search goes on."""
        from engine.backends.keras_tuner import compat

        run, spent = self.ctx.run, compat.budget_spent(self.servicer) or self.budget_spent
        _drop_dead_workers(self.oracle, run, self.ctx, budget_spent=spent, killed=self.killed)
        if spent and compat.chief_may_exit(self.oracle):
            return 0
        if self.ctx.stop.stop_after_trial() and not live_workers(run):
            return 130
        return None

    def close(self) -> None:
        self.server.stop(grace=1)


def _drop_dead_workers(
    oracle: Any,
    run: RunDir,
    ctx: SearchContext,
    *,
    budget_spent: bool,
    killed: dict[str, str] | None = None,
) -> None:
    """Each dead worker's trial runs again on a live worker, or fails when none is left; a
    worker the OOM killer may have ended (`killed`) leaves its trial `oom`, never retried."""
    from engine.backends.keras_tuner import compat

    killed = killed or {}
    if ctx.stop.stop_after_trial():
        return  # stopping: unfinished trials stay with the oracle and run again on resume
    for tuner_id in compat.known_tuner_ids(oracle):
        if alive(run, tuner_id):
            continue
        oom = tuner_id in killed  # never retried: another worker would be killed the same way
        retry = _when_a_worker_lives(run, possible=not oom and not budget_spent)
        trial, retried = compat.drop_tuner(oracle, tuner_id, retry=retry)
        if trial is None:
            continue
        reason = f"worker {tuner_id} stopped responding"
        status = TrialStatus.OOM if oom else TrialStatus.FAILED
        if oom:
            batch = trial.hyperparameters.values.get("batch_size", "?")
            reason = f"{PREFIX} {batch} (worker {tuner_id} {killed[tuner_id]})"
        if retried:
            ctx.emit(
                ev.LogMessage(
                    level="warning",
                    message=f"{reason}; trial {trial.trial_id} will run again on another worker",
                )
            )
            continue
        trial.status = compat.KerasTunerStatus.FAILED
        trial.message = reason
        oracle.end_trial(trial)
        ctx.emit(ev.TrialEnded(trial_id=trial.trial_id, status=status, reason=reason))


def _when_a_worker_lives(run: RunDir, *, possible: bool) -> Callable[[], bool]:
    """Whether a dead worker's trial goes back to the oracle: asked under its lock."""
    return lambda: possible and bool(live_workers(run))

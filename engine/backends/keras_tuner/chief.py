"""The chief of a parallel Keras Tuner run: Keras Tuner's oracle served over gRPC.

`python -m engine chief RUN_DIR --listen HOST:PORT`, started by the coordinator. It runs Keras
Tuner's own servicer, with a loop of ours that drops workers whose heartbeat stopped: their
trial runs again on a live worker, or is reported failed when none is left, and the chief ends
when the budget is spent instead of waiting for the dead.
"""

from __future__ import annotations

import time
from concurrent import futures
from typing import Any

from engine.backends.base import SearchContext
from engine.backends.keras_tuner.cluster import alive, kt_environment, live_workers, node_context
from engine.errors import InputError
from engine.run import events as ev
from engine.run.rundir import RunDir
from engine.run.states import TrialStatus


def serve(run: RunDir, address: str) -> int:
    """Serve the oracle until the budget is spent (or a stop is asked) and no live worker is left."""
    import grpc
    from keras_tuner.src import protos
    from keras_tuner.src.distribute.oracle_chief import OracleServicer, exit_chief

    from engine.backends.keras_tuner.tuner import make_tuner, rejournal

    kt_environment("chief", address)
    ctx = node_context(run, "events-chief.jsonl", "chief", None)
    tuner = make_tuner(ctx)
    rejournal(tuner, ctx)
    oracle = tuner.oracle
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
    servicer = OracleServicer(oracle)
    protos.get_service_grpc().add_OracleServicer_to_server(servicer, server)
    if not server.add_insecure_port(address):
        raise InputError(f"chief: cannot listen on {address}")
    server.start()
    try:
        while True:
            time.sleep(0.2)
            _drop_dead_workers(oracle, run, ctx, budget_spent=servicer.stop_triggered)
            if servicer.stop_triggered and exit_chief(oracle):
                return 0
            if ctx.stop.stop_after_trial() and not live_workers(run):
                return 130
    finally:
        server.stop(grace=1)


def _drop_dead_workers(oracle: Any, run: RunDir, ctx: SearchContext, *, budget_spent: bool) -> None:
    from keras_tuner.src.engine import trial as trial_module
    from keras_tuner.src.engine.oracle import synchronized

    if ctx.stop.stop_after_trial():
        return  # stopping: unfinished trials stay with the oracle and run again on resume

    @synchronized
    def drop(oracle: Any, tuner_id: str) -> Any:
        oracle.tuner_ids.discard(tuner_id)
        trial = oracle.ongoing_trials.pop(tuner_id, None)
        if trial is not None and not budget_spent and live_workers(run):
            oracle._retry_queue.append(trial.trial_id)
            oracle.save()
            return trial, "retry"
        return trial, "fail"

    for tuner_id in set(oracle.tuner_ids) | set(oracle.ongoing_trials):
        if alive(run, tuner_id):
            continue
        trial, verdict = drop(oracle, tuner_id)
        if trial is None:
            continue
        reason = f"worker {tuner_id} stopped responding"
        if verdict == "retry":
            ctx.emit(ev.LogMessage(level="warning", message=f"{reason}; trial {trial.trial_id} "
                                   "will run again on another worker"))  # fmt: skip
            continue
        trial.status = trial_module.TrialStatus.FAILED
        trial.message = reason
        oracle.end_trial(trial)
        ctx.emit(ev.TrialEnded(trial_id=trial.trial_id, status=TrialStatus.FAILED, reason=reason))

"""A worker of a parallel Keras Tuner run: trains the trials the chief hands out.

`tunedeck worker RUN_DIR --chief HOST:PORT` (or the coordinator's local workers). It journals to
events-<id>.jsonl and touches its heartbeat while it lives; it may run on another machine that
shares the run directory.
"""

from __future__ import annotations

from engine.backends.base import RecycleProcess, StopSearch
from engine.backends.keras_tuner.cluster import Heartbeat, kt_environment, node_context
from engine.data.datasets import dataset_for
from engine.run import events as ev
from engine.run.rundir import RunDir


def work(run: RunDir, tuner_id: str, address: str) -> int:
    """Train trials handed out by the chief until the budget is spent or a stop is asked.

    Raises RecycleProcess when the worker has outgrown its memory: the caller re-executes it
    under the same id, and the chief hands it back the trial it had just been given."""
    kt_environment(tuner_id, address)
    space, settings = run.space(), run.settings()
    ctx = node_context(run, f"events-{tuner_id}.jsonl", tuner_id, dataset_for(space, settings))
    from engine.backends.keras_tuner.tuner import KerasTunerBackend

    ctx.recycle = True
    with Heartbeat(run, tuner_id) as heartbeat:
        try:
            KerasTunerBackend(ctx).search()
        except StopSearch:
            return 130
        except RecycleProcess:
            heartbeat.keep = True  # the same worker is back in a few seconds
            ctx.emit(
                ev.LogMessage(level="info", message=f"worker {tuner_id} restarting to free memory")
            )
            raise
    return 0

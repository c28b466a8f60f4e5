"""The chief of a parallel Keras Tuner run: Keras Tuner's oracle served over gRPC.

`python -m engine chief RUN_DIR --listen HOST:PORT`: the oracle in a process of its own, for
a search whose coordinator is elsewhere (a local coordinator serves it itself). It ends when
the budget is spent (0) or a stop was asked (130) and no worker is alive.
"""

from __future__ import annotations

import time

from engine.backends.keras_tuner.cluster import kt_environment, node_context
from engine.backends.keras_tuner.oracle_service import OracleService
from engine.run.rundir import RunDir


def serve(run: RunDir, address: str) -> int:
    """Serve the oracle until the budget is spent (or a stop is asked) and no live worker is left."""
    from engine.backends.keras_tuner.tuner import make_tuner, rejournal

    kt_environment("chief", address)
    ctx = node_context(run, "events-chief.jsonl", "chief", None)
    tuner = make_tuner(ctx)
    rejournal(tuner, ctx)
    service = OracleService(tuner.oracle, ctx, address)
    try:
        while (code := service.poll()) is None:
            time.sleep(0.2)
        return code
    finally:
        service.close()

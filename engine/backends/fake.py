"""A fast backend with no TensorFlow: real events over a seeded sample of the space.

It exercises every path of the console (trials, epochs, failures, stops, skips, out of
memory above the batch size `TUNEDECK_FAKE_OOM_ABOVE`) in milliseconds. Its score is a smooth function of the configuration, not a measurement: it exists
for tests and demos of the UI, never for tuning.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import os
import random
import time

from engine.backends.base import Backend, StopSearch, TrialClock, TrialFailed, needs_rerun
from engine.objective.several import LATENCY, PARAMS
from engine.run import events as ev
from engine.run.queue import TrialQueue
from engine.run.states import TrialStatus


class FakeBackend(Backend):
    name = "fake"
    _last: dict[str, float | None] = {}  # the running trial's last epoch's logs

    def run(self) -> None:
        """Random draws (the same for a seed) or the grid in its order; on resume, interrupted
        trials run again as they were, and new ones continue the draws or the grid (a widened
        grid: the configurations not run yet). A queued configuration runs before the next."""
        ctx = self.ctx
        delay = float(os.environ.get("TUNEDECK_FAKE_DELAY", "0.01"))
        fail_every = int(os.environ.get("TUNEDECK_FAKE_FAIL_EVERY", "0"))
        earlier = sorted(ctx.previous.trials.values(), key=lambda t: t.number)
        drawn = [t for t in earlier if not t.enqueued]
        queue = TrialQueue(ctx.run.path)
        next_id = len(earlier)

        def trial(trial_id: str, config: dict, enqueued: bool = False) -> None:
            number = int(trial_id) + 1
            self._trial(trial_id, number, ctx.trial_config(config), delay, fail_every, enqueued)

        def queued() -> None:
            nonlocal next_id
            while not ctx.stop.stop_after_trial() and (entry := queue.take()) is not None:
                trial(f"{next_id:03d}", entry, enqueued=True)
                next_id += 1

        for record in earlier:
            if needs_rerun(record):
                trial(record.trial_id, record.hyperparameters, record.enqueued)
        for config in self._fresh(len(drawn), {_key(t.hyperparameters) for t in drawn}):
            queued()
            trial(f"{next_id:03d}", config)
            next_id += 1
        queued()

    def _fresh(self, drawn: int, ran: set[str]) -> list[dict]:
        """The configurations not drawn yet, up to the plan: random draws continue from the
        seed's sequence; a grid gives those of its (perhaps widened) configurations not run."""
        ctx = self.ctx
        planned = ctx.plan.planned_trials
        if ctx.plan.algorithm == "grid":  # the earlier trials the space still holds count
            have = sum(
                1
                for t in ctx.previous.trials.values()
                if not t.enqueued and t.trial_id not in ctx.excluded
            )
            fresh = (c for c in map(ctx.trial_config, ctx.space.grid()) if _key(c) not in ran)
            return list(itertools.islice(fresh, max(planned - have, 0)))
        rng = random.Random(ctx.settings.seed)
        draws = [ctx.space.sample(rng) for _ in range(planned)]
        return draws[drawn:]

    def _trial(
        self,
        trial_id: str,
        number: int,
        config: dict,
        delay: float,
        fail_every: int,
        enqueued: bool,
    ) -> None:
        ctx = self.ctx
        if ctx.stop.stop_after_trial():
            raise StopSearch("stop requested")
        clock = TrialClock(ctx, trial_id, number, config, enqueued=enqueued)
        score = self._attempt(clock, delay)
        if score is None:
            return
        if fail_every and number % fail_every == 0:
            clock.end(TrialStatus.FAILED, reason="ValueError: simulated failure")
            return
        clock.end(TrialStatus.COMPLETED, score=score, values=self._values(config))

    def _attempt(self, clock: TrialClock, delay: float) -> float | None:
        """The trial's score, or None once it ended otherwise (raises on a stop); out of
        memory with `--oom-retry`, once more at half the batch size."""
        while True:
            try:
                return self._train(clock.trial_id, clock.config, delay)
            except Exception as exc:  # stopped, skipped, out of memory or failed
                if clock.retry(exc):
                    continue
                clock.end_by(exc)
                if isinstance(exc, StopSearch):
                    raise
                return None

    def _values(self, config: dict) -> dict[str, float | None]:
        """The other objectives' values: the last epoch's metrics, and a parameter count and
        latency of the MLP the configuration describes (64 inputs, 10 classes)."""
        values: dict[str, float | None] = {}
        for metric in self.ctx.objectives.extra_metrics:
            if metric == PARAMS:
                values[metric] = float(_params(config))
            elif metric == LATENCY:
                values[metric] = round(0.2 + _params(config) / 5000, 3)
            else:
                values[metric] = self._last.get(metric)
        return values

    def _train(self, trial_id: str, config: dict, delay: float) -> float:
        ctx = self.ctx
        epochs = ctx.epochs_for(config)
        ceiling = _quality(config)
        score = 0.0
        oom_above = int(os.environ.get("TUNEDECK_FAKE_OOM_ABOVE", "0"))  # a batch size
        for epoch in range(1, epochs + 1):
            time.sleep(delay)
            ctx.stop.check(trial_id)
            ctx.tick()
            if oom_above and int(config["batch_size"]) > oom_above:  # as a real allocator would
                raise MemoryError(f"simulated: batch size {config['batch_size']} does not fit")
            if config["learning_rate"] > 1:  # diverges, as a real model would
                raise TrialFailed(f"loss became nan at epoch {epoch}")
            progress = 1 - math.exp(-epoch / 3)
            score = round(ceiling * progress, 4)
            logs: dict[str, float | None] = {
                "loss": round(2.3 * (1 - progress) + 0.05, 4),
                "accuracy": score,
                "val_loss": round(2.3 * (1 - progress) + 0.1, 4),
                "val_accuracy": score,
            }
            ctx.emit(ev.EpochEnded(trial_id=trial_id, epoch=epoch, logs=logs, epochs=epochs))
            self._last = logs
        return score


def _params(config: dict) -> int:
    nodes, layers = int(config.get("nodes", 16)), int(config.get("layers", 1))
    return 64 * nodes + nodes + (layers - 1) * (nodes * nodes + nodes) + nodes * 10 + 10


def _quality(config: dict) -> float:
    digest = hashlib.sha256(repr(sorted(config.items())).encode()).digest()
    return 0.6 + 0.39 * digest[0] / 255


def _key(config: dict) -> str:
    return json.dumps(config, sort_keys=True, default=str)

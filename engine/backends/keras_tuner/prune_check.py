"""The pruning check of a Keras Tuner fit, under either rule: the median stopping rule (one
objective, `engine.plan.pruning`) or dominance by completed trials (several,
`engine.plan.front_pruning`).

Before the fit, `before` measures what the objectives and constraints name (`params`,
`latency_ms`) once, on the model as built: a model that breaks a constraint on them is not
trained at all. After every epoch but the last (the reporter has journaled it), the rule is
asked with the curves of every metric the objectives and constraints name; a pruned trial
finishes the epoch it is in and stops (`stop_training`, not an exception), its verdict kept
for `run_trial`.
"""

from __future__ import annotations

from typing import Any

import keras

from engine.model.measure import measured
from engine.objective.several import MEASURED, Objectives
from engine.plan.front_pruning import Breach, Dominated, FrontPruner, breach
from engine.plan.pruning import Pruner, Verdict, best_by_epoch
from engine.run import events as ev

Judged = Verdict | Dominated | Breach


def pruner_for(run_dir: Any, goals: Objectives) -> Pruner | FrontPruner:
    """The rule that applies: dominance under several objectives, else the median rule."""
    return FrontPruner(run_dir, goals) if goals.multi else Pruner(run_dir, goals.primary)


class PruneCheck(keras.callbacks.Callback):
    """Collects the metrics of one fit and asks the rule; `verdict` says why it stopped."""

    def __init__(self, pruner: Pruner | FrontPruner, goals: Objectives) -> None:
        super().__init__()
        self.pruner, self.goals = pruner, goals
        others = (m for m in goals.extra_metrics if m not in MEASURED)
        self.metrics = (goals.primary.metric, *others)
        # every metric's value, epoch after epoch: a plain list, which a checkpoint keeps
        self.flat: list[float | None] = []
        self.fixed: dict[str, float | None] = {}
        self.verdict: Judged | None = None

    def before(self, model: Any, x_val: Any) -> bool:
        """Measure the model as built; True when it breaks a constraint (it is not trained)."""
        if self.goals.measured:
            self.fixed = measured(model, self.goals.measured, x_val)
            self.verdict = breach(self.goals, self.fixed)
        return self.verdict is not None

    def curves(self) -> dict[str, list[float | None]]:
        width = len(self.metrics)
        return {m: self.flat[i::width] for i, m in enumerate(self.metrics)}

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        clean = ev.clean_logs(logs)
        self.flat.extend(clean.get(m) for m in self.metrics)
        if epoch + 1 >= int(self.params.get("epochs") or 0):
            return  # trained to the end: nothing left to save, the trial is completed
        self.verdict = self.pruner.at_epoch(self.curves(), self.fixed)
        if self.verdict is not None:
            self.model.stop_training = True

    def values(self) -> dict[str, float | None]:
        """A pruned trial's other values where it stopped, for its journal line and the
        oracle: an objective's best so far, another metric's last value, a measured one's."""
        if not self.goals.extra_metrics:
            return {}
        curves = self.curves()
        directions = {o.metric: o for o in self.goals.items}
        out: dict[str, float | None] = {}
        for metric in self.goals.extra_metrics:
            curve = curves.get(metric, [])
            if metric in MEASURED:
                out[metric] = self.fixed.get(metric)
            elif metric in directions:
                best = best_by_epoch(curve, directions[metric])
                out[metric] = best[-1] if best else None
            else:
                out[metric] = next((v for v in reversed(curve) if v is not None), None)
        return out

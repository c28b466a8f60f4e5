"""Where a space's model and data come from, what task it is, and what the search optimises.

The top-level keys `model`, `data`, `task`, `objective`, `callbacks` (the user's factory of
Keras callbacks) and `checkpoint` (best weights kept per trial) of a space file. References stay
text here (nothing is imported); a relative `.py` file is read against the space file's folder.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from engine.errors import SpaceError
from engine.objective import TASKS, Objective
from engine.usercode import CodeRef

KEYS = ("model", "data", "task", "objective", "callbacks", "checkpoint")


@dataclass(frozen=True)
class ModelSource:
    model: CodeRef | None = None  # the user's build function; None: the built-in MLP
    data: CodeRef | None = None  # the user's loader; None: the run's --dataset
    task: str | None = None  # classification | regression; None: inferred from the labels
    objective: Objective | None = None  # None: the task's default
    callbacks: CodeRef | None = None  # returns each trial's own Keras callbacks; None: none
    checkpoint: bool = False  # keep each trial's best weights under the run directory

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> ModelSource:
        model = _ref(data, "model")
        loader = _ref(data, "data")
        task = data.get("task")
        if task is not None and task not in TASKS:
            raise SpaceError("task", f"must be classification or regression, got {task!r}")
        raw = data.get("objective")
        objective = None if raw is None else Objective.parse(raw)
        checkpoint = data.get("checkpoint", False)
        if not isinstance(checkpoint, bool):
            raise SpaceError("checkpoint", f"expected true or false, got {checkpoint!r}")
        return cls(model, loader, task, objective, _ref(data, "callbacks"), checkpoint)

    def relative_to(self, base: Path | None) -> ModelSource:
        """Relative `.py` files made absolute against `base` (the space file's folder)."""
        return replace(
            self,
            model=self.model.relative_to(base) if self.model else None,
            data=self.data.relative_to(base) if self.data else None,
            callbacks=self.callbacks.relative_to(base) if self.callbacks else None,
        )

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.model is not None:
            out["model"] = str(self.model)
        if self.data is not None:
            out["data"] = str(self.data)
        if self.task is not None:
            out["task"] = self.task
        if self.objective is not None:
            out["objective"] = self.objective.to_dict()
        if self.callbacks is not None:
            out["callbacks"] = str(self.callbacks)
        if self.checkpoint:
            out["checkpoint"] = True
        return out

    def objective_for(self, task: str) -> Objective:
        return self.objective or Objective.default(task)


def _ref(data: Mapping[str, Any], key: str) -> CodeRef | None:
    raw = data.get(key)
    return None if raw is None else CodeRef.parse(raw, key)

"""Where a space's model and data come from, what task it is, and what the search optimises.

The top-level keys `model`, `data` (a loader, or a CSV/Parquet/NPZ file with its `target`
column), `task`, `objective` (one metric or a list), `constraints`, `callbacks` (the user's factory of Keras callbacks) and
`checkpoint` (best weights kept per trial) of a space file. References stay text here (nothing
is imported or opened); a relative file is read against the space file's folder.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from engine.errors import SpaceError
from engine.objective.metric import TASKS, Objective
from engine.objective.several import Constraint, Objectives, parse_constraints, parse_objectives
from engine.user.code import CodeRef

KEYS = ("model", "data", "target", "task", "objective", "constraints", "callbacks", "checkpoint")
DATA_FILES = (".csv", ".parquet", ".npz")  # as `--dataset` takes them (engine.data.catalog)
TABLES = (".csv", ".parquet")  # with named columns: a target to pick


@dataclass(frozen=True)
class DataFile:
    """A data file a space names as its `data:`; whether it exists is checked when a run
    loads it, so a space can be written before its data."""

    path: str

    @property
    def is_table(self) -> bool:
        return Path(self.path).suffix.lower() in TABLES

    def relative_to(self, base: Path | None) -> DataFile:
        path = Path(self.path).expanduser()
        if base is None or path.is_absolute():
            return self
        return DataFile(str((base / path).resolve()))

    def __str__(self) -> str:
        return self.path


@dataclass(frozen=True)
class ModelSource:
    model: CodeRef | None = None  # the user's build function; None: the built-in MLP
    data: CodeRef | DataFile | None = None  # a loader or a data file; None: the run's --dataset
    task: str | None = None  # classification | regression; None: inferred from the labels
    objective: Objective | None = None  # None: the task's default
    callbacks: CodeRef | None = None  # returns each trial's own Keras callbacks; None: none
    checkpoint: bool = False  # keep each trial's best weights under the run directory
    target: str | None = None  # a table's label column (`data:` a CSV or Parquet file)
    more_objectives: tuple[Objective, ...] = ()  # after the first: a multi-objective search
    constraints: tuple[Constraint, ...] = ()  # a trial that breaks one is infeasible

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> ModelSource:
        model = _ref(data, "model")
        loader = _data(data.get("data"))
        target = data.get("target")
        if isinstance(target, int) and not isinstance(target, bool):
            target = str(target)  # a header-less CSV's column, by its position
        if target is not None:
            if not isinstance(target, str) or not target.strip():
                raise SpaceError("target", f"must be a column name, got {target!r}")
            if not (isinstance(loader, DataFile) and loader.is_table):
                raise SpaceError("target", "names a column of data: a .csv or .parquet file")
        task = data.get("task")
        if task is not None and task not in TASKS:
            raise SpaceError("task", f"must be classification or regression, got {task!r}")
        raw = data.get("objective")
        named = [] if raw is None else parse_objectives(raw)
        objective, more = (named[0], tuple(named[1:])) if named else (None, ())
        constraints = tuple(parse_constraints(data.get("constraints")))
        checkpoint = data.get("checkpoint", False)
        if not isinstance(checkpoint, bool):
            raise SpaceError("checkpoint", f"expected true or false, got {checkpoint!r}")
        callbacks = _ref(data, "callbacks")
        return cls(model, loader, task, objective, callbacks, checkpoint, target, more, constraints)

    def relative_to(self, base: Path | None) -> ModelSource:
        """Relative files made absolute against `base` (the space file's folder)."""
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
        if self.target is not None:
            out["target"] = self.target
        if self.task is not None:
            out["task"] = self.task
        if self.objective is not None:
            out["objective"] = self.objective.to_dict()
            if self.more_objectives:
                out["objective"] = [o.to_dict() for o in (self.objective, *self.more_objectives)]
        if self.constraints:
            out["constraints"] = [c.spec() for c in self.constraints]
        if self.callbacks is not None:
            out["callbacks"] = str(self.callbacks)
        if self.checkpoint:
            out["checkpoint"] = True
        return out

    def objective_for(self, task: str) -> Objective:
        return self.objective or Objective.default(task)

    def objectives_for(self, task: str) -> Objectives:
        """Every objective (the primary first) and the constraints."""
        return Objectives.of(self.objective_for(task), self.more_objectives, self.constraints)


def _data(raw: Any) -> CodeRef | DataFile | None:
    """`data:` as a data file by its suffix, else as a loader FILE.py:FUNCTION."""
    if isinstance(raw, str) and Path(raw.strip()).suffix.lower() in DATA_FILES:
        return DataFile(raw.strip())
    if isinstance(raw, str) and ":" not in raw:
        raise SpaceError(
            "data",
            f"expected a loader FILE.py:FUNCTION or a {', '.join(DATA_FILES)} file, got {raw!r}",
        )
    return None if raw is None else CodeRef.parse(raw, "data")


def _ref(data: Mapping[str, Any], key: str) -> CodeRef | None:
    raw = data.get(key)
    return None if raw is None else CodeRef.parse(raw, key)

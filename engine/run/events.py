"""The one contract between the engine and everything that watches it.

Every event is a frozen, JSON-serialisable dataclass with a `type` and a wall-clock `time`.
The journal stores them one per line; replaying the journal rebuilds every result. Nothing else
crosses from a search to the console: no models, no Keras objects.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import asdict, dataclass, field, fields
from typing import Any, ClassVar

from engine.run.states import TrialStatus

SCHEMA_VERSION = 1
STATUSES = (
    TrialStatus.COMPLETED,
    TrialStatus.FAILED,
    TrialStatus.STOPPED,
    TrialStatus.PRUNED,
    TrialStatus.OOM,
)  # how trials end


@dataclass(frozen=True, kw_only=True)
class Event:
    type: ClassVar[str] = "event"
    # newer fields written only when they hold something, so a journal that uses none of
    # them reads as it did before they existed
    OPTIONAL: ClassVar[tuple[str, ...]] = ()
    time: float = field(default_factory=time.time)
    worker: str = "main"

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for name in self.OPTIONAL:
            if not data.get(name):
                data.pop(name, None)
        return {"type": self.type, "v": SCHEMA_VERSION, **data}

    def to_json(self) -> str:
        """Strict JSON: a NaN or infinite number (a diverged metric) is written as null."""
        return json.dumps(
            _finite(self.to_dict()), separators=(",", ":"), allow_nan=False, default=_plain
        )


@dataclass(frozen=True, kw_only=True)
class SearchStarted(Event):
    type: ClassVar[str] = "search_started"
    OPTIONAL: ClassVar[tuple[str, ...]] = ("objectives", "constraints")
    space: dict[str, Any]
    backend: str
    algorithm: str
    planned_trials: int
    reason: str = ""
    objective: str = "val_accuracy"
    direction: str = "max"  # the objective's: "min" ranks the lowest score first
    settings: dict[str, Any] = field(default_factory=dict)
    resumed: bool = False
    planned_epochs: int = 0  # epochs all planned trials train in all (0: not known)
    folds: int = 1  # fits per trial: scikit-learn's cross-validation folds
    estimated_seconds: float | None = None  # the whole search, from a timed epoch (None: none)
    params: int = 0  # the default configuration's parameter count (0: not built)
    checkpoint: int = 0  # bytes of a running trial's checkpoint, at most (0: none, not known)
    # trials of earlier sessions whose configuration the (changed) space no longer holds, with
    # why: kept in the journal, never ranked, nor learnt from (`tunedeck resume --space`)
    excluded: dict[str, str] = field(default_factory=dict)
    # several objectives (the first is `objective`/`direction`), as {metric, direction} each,
    # and constraints as `params <= 200000`; empty for a single objective without constraints
    objectives: list[dict[str, str]] = field(default_factory=list)
    constraints: list[str] = field(default_factory=list)


@dataclass(frozen=True, kw_only=True)
class TrialStarted(Event):
    type: ClassVar[str] = "trial_started"
    trial_id: str
    number: int
    hyperparameters: dict[str, Any]
    epochs: int = 0
    continues: str | None = None  # Hyperband: the trial whose best weights this one trains on
    initial_epoch: int = 0  # epochs already trained by the trial it continues
    gpu: str | None = None  # the GPU its worker was given (CUDA_VISIBLE_DEVICES), if any
    enqueued: bool = False  # a hand-written configuration (`tunedeck enqueue`): one trial more


@dataclass(frozen=True, kw_only=True)
class EpochEnded(Event):
    type: ClassVar[str] = "epoch_ended"
    trial_id: str
    epoch: int
    logs: dict[str, float | None]
    fold: int | None = None
    epochs: int = 0
    restored: bool = False  # journaled again from a checkpoint the fit resumed from


@dataclass(frozen=True, kw_only=True)
class TrialEnded(Event):
    type: ClassVar[str] = "trial_ended"
    OPTIONAL: ClassVar[tuple[str, ...]] = ("values", "infeasible")
    trial_id: str
    status: TrialStatus
    score: float | None = None
    duration: float = 0.0
    reason: str | None = None
    fold_scores: list[float] | None = None
    # Keras Tuner: the best epoch's value of the objective, while `score` is the value of the
    # model the trial hands over (the weights early stopping kept, or the last epoch's)
    epoch_score: float | None = None
    peak_memory: int | None = None  # bytes: the process's resident high-water mark in the trial
    peak_gpu_memory: int | None = None  # bytes: TensorFlow's peak on the trial's GPU
    # the other objectives' and the constrained metrics' values (`params`, `latency_ms`, …)
    values: dict[str, float | None] = field(default_factory=dict)
    infeasible: str | None = None  # the constraint it broke, with its value: never ranked

    def __post_init__(self) -> None:
        """A status read back from a journal is a plain string; an unknown one is refused."""
        object.__setattr__(self, "status", TrialStatus(self.status))


@dataclass(frozen=True, kw_only=True)
class SearchFinished(Event):
    type: ClassVar[str] = "search_finished"
    OPTIONAL: ClassVar[tuple[str, ...]] = ("test_by_fit",)
    best_trial_id: str | None
    best_score: float | None
    test_score: float | None = None
    test_metrics: dict[str, float] = field(default_factory=dict)
    # the test score is what a HyperModel's own fit returned, given the test part to validate
    test_by_fit: bool = False


@dataclass(frozen=True, kw_only=True)
class SearchFailed(Event):
    type: ClassVar[str] = "search_failed"
    reason: str


@dataclass(frozen=True, kw_only=True)
class SearchStopped(Event):
    type: ClassVar[str] = "search_stopped"
    reason: str = "stop requested"


@dataclass(frozen=True, kw_only=True)
class LogMessage(Event):
    type: ClassVar[str] = "log"
    level: str
    message: str


@dataclass(frozen=True, kw_only=True)
class ResourcesSampled(Event):
    """What the training process of `worker` uses now (engine.run.resources)."""

    type: ClassVar[str] = "resources"
    cpu: float  # percent of one core (200: two cores busy)
    rss: int  # bytes resident
    gpu_util: float | None = None  # percent, from NVML
    gpu_memory: int | None = None  # bytes in use on its GPU
    gpu_memory_total: int | None = None


EVENT_TYPES: dict[str, type[Event]] = {
    cls.type: cls
    for cls in (
        SearchStarted,
        TrialStarted,
        EpochEnded,
        TrialEnded,
        SearchFinished,
        SearchFailed,
        SearchStopped,
        LogMessage,
        ResourcesSampled,
    )
}


_NAMES = {cls: frozenset(f.name for f in fields(cls)) for cls in EVENT_TYPES.values()}


def from_dict(data: dict[str, Any]) -> Event | None:
    """The event a journal line holds, or None for a type this version does not know."""
    cls = EVENT_TYPES.get(data.get("type", ""))
    if cls is None:
        return None
    names = _NAMES[cls]
    return cls(**{k: v for k, v in data.items() if k in names})


def from_json(line: str) -> Event | None:
    return from_dict(json.loads(line))


def clean_logs(logs: dict[str, Any] | None) -> dict[str, float | None]:
    """Keras logs as plain floats (strict JSON: NaN and infinities become None)."""
    out: dict[str, float | None] = {}
    for key, value in (logs or {}).items():
        try:
            number = float(value)
        except (TypeError, ValueError):
            continue
        out[key] = number if math.isfinite(number) else None
    return out


def _finite(value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def _plain(value: Any) -> Any:
    """numpy scalars and tuples into JSON types."""
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, tuple | set):
        return list(value)
    raise TypeError(f"not JSON-serialisable: {type(value).__name__}")

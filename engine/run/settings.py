"""What a search is asked to do besides the space: dataset, backend, algorithm, budget, seed."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from engine.errors import InputError
from engine.run.limits import limit_problem

BACKENDS = ("auto", "keras-tuner", "sklearn", "fake")
ALGORITHMS = ("auto", "random", "grid", "bayesian", "hyperband", "halving")
DEFAULT_TRIALS = 10  # the trial budget nobody set: a grid search runs its whole grid instead
AUTO_WORKERS = 0  # `workers: auto`: the planner picks the count (cores, GPUs, the search's size)
SUPPORTED = {
    "keras-tuner": ("random", "grid", "bayesian", "hyperband"),
    "sklearn": ("grid", "random", "halving"),
    "fake": ("random", "grid"),
}

UNPRUNED = ("hyperband", "halving")  # they stop weak trials themselves


@dataclass(frozen=True)
class RunSettings:
    """Everything but the space that defines a search; stored as `settings.yaml`."""

    dataset: str = "digits"
    target: str | None = None
    backend: str = "auto"
    algorithm: str = "auto"
    max_trials: int | None = None  # None: nobody set one (DEFAULT_TRIALS; a grid runs whole)
    cv: int = 3
    seed: int = 0
    epochs: int | None = None
    subsample: int | None = None
    workers: int = 1  # AUTO_WORKERS (0): the planner's choice, shown and stored as "auto"
    n_jobs: int = 1
    chief: str | None = None
    reason: str = ""
    data_home: str | None = None  # scikit-learn's data folder (OpenML's cache); None: its default
    prune: bool = False  # the median rule, or dominance under several objectives; Keras Tuner
    executions: int = 1  # fits per Keras Tuner trial, their scores averaged (executions_per_trial)
    oom_retry: bool = False  # an out-of-memory trial runs once more at half its batch size

    def __post_init__(self) -> None:
        if self.backend not in BACKENDS:
            raise InputError(
                f"backend: unknown {self.backend!r} (choose from {', '.join(BACKENDS)})"
            )
        if self.algorithm not in ALGORITHMS:
            raise InputError(
                f"algorithm: unknown {self.algorithm!r} (choose from {', '.join(ALGORITHMS)})"
            )
        for name, low in (("max_trials", 1), ("cv", 2), ("n_jobs", -1), ("executions", 1)):
            value = getattr(self, name)
            if value is None and name == "max_trials":
                continue
            if not isinstance(value, int) or isinstance(value, bool) or value < low:
                raise InputError(f"{name}: must be an integer >= {low}, got {value!r}")
        workers = self.workers
        if not isinstance(workers, int) or isinstance(workers, bool) or workers < AUTO_WORKERS:
            raise InputError(f"workers: must be auto or an integer >= 1, got {workers!r}")
        for name in ("epochs", "subsample"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, int) or value < 1):
                raise InputError(f"{name}: must be a positive integer, got {value!r}")
        if not isinstance(self.seed, int) or isinstance(self.seed, bool):
            raise InputError(f"seed: must be an integer, got {self.seed!r}")
        if not 0 <= self.seed < 2**32:  # what NumPy, scikit-learn and Keras all accept
            raise InputError(f"seed: must be between 0 and {2**32 - 1}, got {self.seed}")
        if self.n_jobs == 0:
            raise InputError("n_jobs: must be -1 (every core) or a positive integer, got 0")
        for name in ("max_trials", "epochs", "cv", "executions", "workers", "n_jobs"):
            value = getattr(self, name)
            if value is not None and (problem := limit_problem(name, value)):
                raise InputError(f"{name}: {problem}")
        for name in ("prune", "oom_retry"):
            if not isinstance(getattr(self, name), bool):
                raise InputError(f"{name}: must be true or false, got {getattr(self, name)!r}")
        if self.prune and (self.backend in ("sklearn", "fake") or self.algorithm in UNPRUNED):
            chosen = self.algorithm if self.algorithm in UNPRUNED else f"the {self.backend} backend"
            raise InputError(
                f"prune: pruning applies to random, grid and Bayesian searches on Keras Tuner, "
                f"not to {chosen}"
            )
        if self.executions > 1 and self.backend in ("sklearn", "fake"):
            raise InputError(
                f"executions: several fits per trial apply to Keras Tuner; on {self.backend} "
                "cross-validation already averages fits (--cv)"
            )
        if self.backend in SUPPORTED and self.algorithm != "auto":
            if self.algorithm not in SUPPORTED[self.backend]:
                raise InputError(
                    f"algorithm: {self.algorithm} is not available on {self.backend} "
                    f"(it offers {', '.join(SUPPORTED[self.backend])})"
                )

    @property
    def trials(self) -> int:
        """The trial budget: the one set, else the default."""
        return DEFAULT_TRIALS if self.max_trials is None else self.max_trials

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["workers"] = workers_text(self.workers)
        return data

    @classmethod
    def from_dict(cls, data: Any) -> RunSettings:
        if not isinstance(data, dict):
            raise InputError("settings must be a mapping")
        names = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - names)
        if unknown:
            raise InputError(f"{unknown[0]}: unknown setting")
        if "workers" in data:
            data = {**data, "workers": parse_workers(data["workers"])}
        return cls(**data)

    def but(self, **changes: Any) -> RunSettings:
        return replace(self, **changes)


def workers_text(workers: int) -> str | int:
    """How a worker count is shown and stored: `auto`, or the number."""
    return "auto" if workers == AUTO_WORKERS else workers


def parse_workers(value: Any) -> Any:
    """`auto` (any case) or a count; anything else is left for the check to name."""
    if isinstance(value, str) and value.strip().lower() == "auto":
        return AUTO_WORKERS
    if isinstance(value, str) and value.strip().isdigit() and int(value) > 0:
        return int(value)
    return value

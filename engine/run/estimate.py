"""How long a search will take, said before it starts and again as its trials end (the
headless line, the console's plan and its monitor). Plain arithmetic: no numpy, no Keras."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Estimate:
    """What a search will train, said before it starts (`SearchStarted` carries it)."""

    candidates: int  # configurations (trials) the plan runs
    folds: int  # fits per candidate: scikit-learn's folds, else 1
    seconds: float | None = None  # None: nothing was timed (no data, or a model fit refuses)
    params: int = 0  # the default configuration's parameter count
    checkpoint: int = 0  # bytes of a running trial's checkpoint, at most (0: none, not known)

    @property
    def fits(self) -> int:
        return self.candidates * self.folds


@dataclass(frozen=True)
class Timing:
    """Short fits of the default configuration (`engine.model.timing.measure`): a step costs
    `step_seconds` plus `sample_seconds` per sample and parameter, so that a configuration's
    epoch follows its batch size and parameter count; `sizes` holds (batch size, parameters)
    of a few configurations of the space, the mix the search will train."""

    step_seconds: float  # a training step's cost that no sample or parameter explains
    sample_seconds: float  # a step's cost per sample and parameter
    trace_seconds: float  # a new model's first fit: tracing, once per candidate
    start_seconds: float  # every fit's start besides its epochs: input pipelines
    params: int  # the default configuration's parameter count
    sizes: tuple[tuple[int, int], ...] = ()
    train_rows: int = 0
    val_rows: int = 0

    def epoch_seconds(self, rows: int) -> float:
        """An epoch over `rows`, the mean over the sampled configurations."""
        sizes = self.sizes or ((32, self.params),)
        pace = self.step_seconds, self.sample_seconds
        steps = [
            -(-rows // batch) * (pace[0] + pace[1] * batch * params) for batch, params in sizes
        ]
        return sum(steps) / len(steps)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Timing:
        values = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        values["sizes"] = tuple(tuple(pair) for pair in values.get("sizes", ()))
        return cls(**values)


def estimate_for(timing: Timing | None, plan: Any, cv: int, share: float = 1.0) -> Estimate:
    """The plan's candidates and fits, and its time from `timing`: each candidate's tracing,
    each fit's start, and every planned epoch at the timed pace over the rows an epoch trains
    and evaluates (its validation rows taken at the training pace: small steps cost alike);
    `share` scales the rows (a subsample the timing did not have)."""
    folds = cv if plan.backend == "sklearn" else 1
    if timing is None:
        return Estimate(plan.planned_trials, folds)
    # each epoch trains, then evaluates: on the training and validation rows, or (scikit-learn)
    # on all but one fold of both, then on that fold
    rows = timing.train_rows + timing.val_rows
    fits = plan.planned_trials * folds
    epoch = timing.epoch_seconds(max(int(rows * share), 1))
    starts = plan.planned_trials * timing.trace_seconds + fits * timing.start_seconds
    widest = max([timing.params, *(params for _, params in timing.sizes)])
    return Estimate(
        plan.planned_trials,
        folds,
        starts + plan.epochs_budget * epoch,
        timing.params,
        widest * CHECKPOINT_BYTES_PER_PARAM,
    )


# a trial's checkpoint: its float32 weights, two optimizer slots each (Adam's), and the best
# weights early stopping keeps to restore
CHECKPOINT_BYTES_PER_PARAM = 16


def remaining(elapsed: float, done: float, planned: float) -> float | None:
    """Seconds left at the pace so far: `done` of `planned` units of work (trials, or
    Hyperband's epochs) took `elapsed`; None before any is done or once all are."""
    if done <= 0 or planned <= done:
        return None
    return elapsed / done * (planned - done)


def about(seconds: float) -> str:
    """A duration as an estimate reads: rounded, never more precise than it is."""
    if seconds < 60:
        return f"about {max(5, round(seconds / 5) * 5)} s"
    if seconds < 3600:
        return f"about {round(seconds / 60)} min"
    hours = seconds / 3600
    return f"about {hours:.1f} h" if hours < 10 else f"about {round(hours)} h"


def candidates(algorithm: str) -> str:
    """What a plan counts: configurations, or Hyperband's trials (continuations included)."""
    return "trial" if algorithm == "hyperband" else "candidate"


def estimate_text(estimate: Estimate, algorithm: str = "") -> str:
    """`12 candidates × 3 folds = 36 fits, about 4 min (estimate from a timed epoch; …)`;
    Hyperband's are trials, its continuations of earlier trials included."""
    c = estimate.candidates
    text = f"{c:,} {candidates(algorithm)}{'s' * (c != 1)}"
    if estimate.folds > 1:
        text += f" × {estimate.folds} folds = {estimate.fits:,} fits"
    else:
        text += f", {estimate.fits:,} fit{'s' * (estimate.fits != 1)}"
    if estimate.seconds is None:
        return text + ", time not estimated (no model was timed)"
    size = f"; default model {estimate.params:,} parameters" if estimate.params else ""
    text = f"{text}, {about(estimate.seconds)} (estimate from a timed epoch{size})"
    if estimate.checkpoint:
        text += f"; a running trial's checkpoint: up to {megabytes(estimate.checkpoint)} per worker"
    return text


def megabytes(size: int) -> str:
    """A file size as the plan says it: `19 KB`, `0.3 MB`, `12 MB`, `1.5 GB`."""
    if size < 10**5:
        return f"{max(1, round(size / 10**3))} KB"
    if size >= 10**9:
        return f"{size / 10**9:.1f} GB"
    mb = size / 10**6
    return f"{mb:.1f} MB" if mb < 10 else f"{round(mb)} MB"

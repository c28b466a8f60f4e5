"""How long a search will take, said before it starts and again as its trials end (the
headless line, the console's plan and its monitor). Plain arithmetic: no numpy, no Keras."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Estimate:
    candidates: int  # configurations (trials) the plan runs
    folds: int  # fits per candidate: scikit-learn's folds, else 1
    seconds: float | None = None  # None: nothing was timed (no data, or a model fit refuses)
    params: int = 0  # the default configuration's parameter count

    @property
    def fits(self) -> int:
        return self.candidates * self.folds


def search_seconds(
    fits: int, epochs: int, rows: int, row_seconds: float, start_seconds: float, size: float
) -> float:
    """Every fit's start-up, plus every epoch over `rows` at the timed pace scaled by size."""
    return fits * start_seconds + epochs * rows * row_seconds * size


def about(seconds: float) -> str:
    """A duration as an estimate reads: rounded, never more precise than it is."""
    if seconds < 60:
        return f"about {max(5, round(seconds / 5) * 5)} s"
    if seconds < 3600:
        return f"about {round(seconds / 60)} min"
    hours = seconds / 3600
    return f"about {hours:.1f} h" if hours < 10 else f"about {round(hours)} h"


def estimate_text(estimate: Estimate) -> str:
    """`12 candidates × 3 folds = 36 fits, about 4 min (estimate)`."""
    c = estimate.candidates
    text = f"{c:,} candidate{'s' * (c != 1)}"
    if estimate.folds > 1:
        text += f" × {estimate.folds} folds = {estimate.fits:,} fits"
    else:
        text += f", {estimate.fits:,} fit{'s' * (estimate.fits != 1)}"
    if estimate.seconds is None:
        return text + ", time not estimated (no model was timed)"
    size = f"; default model {estimate.params:,} parameters" if estimate.params else ""
    return f"{text}, {about(estimate.seconds)} (estimate from a timed epoch{size})"

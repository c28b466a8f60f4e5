"""Per-epoch curves of one trial: the training loss, and the run's objective (`val_accuracy`,
`val_loss`, `val_mae`…) on the right axis unless it shares the loss's scale.

Redrawn only when the trial, its number of epochs or the objective changes: plotext rebuilds
the whole canvas, which is the most expensive thing on the monitor screen.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual_plotext import PlotextPlot

from engine.face import TrialRecord
from tui.widgets.ticks import mark_whole

Key = tuple[str, int, str] | None


@dataclass(frozen=True)
class Series:
    label: str
    epochs: list[int]
    values: list[float]
    right: bool  # on the right axis (another scale than the loss's)


def curve_series(trial: TrialRecord, objective: str) -> list[Series]:
    """What the curve draws for `trial` (its latest fold when cross-validated): `loss`, then
    the objective unless it is the loss itself; `val_loss` shares the loss's axis."""
    rows = _last_fold(trial.curve)
    epochs = [int(r["epoch"]) for r in rows]
    drawn = []
    for metric in dict.fromkeys(("loss", objective)):
        values = [r.get(metric) for r in rows]
        if any(v is not None for v in values):
            xs, ys = _present(epochs, values)
            right = metric.removeprefix("val_") != "loss"
            drawn.append(Series(metric.replace("accuracy", "acc"), xs, ys, right))
    return drawn


class MetricCurve(PlotextPlot):
    """The loss and the objective per epoch of a trial (the latest fold when cross-validated)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._key: Key = ("", -1, "")
        self.labels: tuple[str, ...] = ()  # the series drawn now, for the tests
        self.ticks: list[int] = []  # the epochs marked on the x axis
        self.trial_id: str | None = None  # the trial drawn
        self.show(None)

    def show(self, trial: TrialRecord | None, objective: str = "val_accuracy") -> None:
        key: Key = None if trial is None else (trial.trial_id, len(trial.curve), objective)
        if key == self._key:
            return
        self._key = key
        self.trial_id = None if trial is None else trial.trial_id
        plt = self.plt
        plt.clear_data()
        if trial is None or not trial.curve:
            self.labels = ()
            self.ticks = []
            plt.xticks([])
            plt.title("no epochs yet")
            self.refresh()
            return
        plt.title(f"trial {trial.trial_id}")
        drawn = curve_series(trial, objective)
        for i, series in enumerate(drawn):  # a marker each: not by colour alone
            marker = "•" if i else "braille"
            plt.plot(
                series.epochs,
                series.values,
                label=series.label,
                marker=marker,
                yside="right" if series.right else "left",
            )
        self.labels = tuple(s.label for s in drawn)
        self.ticks = mark_whole(plt, (e for series in drawn for e in series.epochs))  # no 1.5
        self.refresh()


def _last_fold(curve: list[dict[str, Any]]) -> list[dict[str, Any]]:
    fold = curve[-1].get("fold")
    return [r for r in curve if r.get("fold") == fold]


def _present(xs: list[int], ys: list[Any]) -> tuple[list[int], list[float]]:
    pairs = [(x, float(y)) for x, y in zip(xs, ys, strict=True) if y is not None]
    return [p[0] for p in pairs], [p[1] for p in pairs]

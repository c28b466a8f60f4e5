"""Per-epoch curves of one trial (loss on the left axis, val_accuracy on the right).

Redrawn only when the trial or its number of epochs changes: plotext rebuilds the whole canvas,
which is the most expensive thing on the monitor screen.
"""

from __future__ import annotations

from typing import Any

from textual_plotext import PlotextPlot

from engine.face import TrialRecord

Key = tuple[str, int] | None


class MetricCurve(PlotextPlot):
    """Loss and val_accuracy per epoch of a trial (the latest fold when cross-validated)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._key: Key = ("", -1)
        self.show(None)

    def show(self, trial: TrialRecord | None) -> None:
        key: Key = None if trial is None else (trial.trial_id, len(trial.curve))
        if key == self._key:
            return
        self._key = key
        plt = self.plt
        plt.clear_data()
        if trial is None or not trial.curve:
            plt.title("no epochs yet")
            self.refresh()
            return
        rows = _last_fold(trial.curve)
        epochs = [int(r["epoch"]) for r in rows]
        loss = [r.get("loss") for r in rows]
        val = [r.get("val_accuracy") for r in rows]
        plt.title(f"trial {trial.trial_id}")
        if any(v is not None for v in loss):
            xs, ys = _present(epochs, loss)
            plt.plot(xs, ys, label="loss", marker="braille")
        if any(v is not None for v in val):
            xs, ys = _present(epochs, val)
            plt.plot(xs, ys, label="val_acc", marker="•", yside="right")  # not by colour alone
        self.refresh()


def _last_fold(curve: list[dict[str, Any]]) -> list[dict[str, Any]]:
    fold = curve[-1].get("fold")
    return [r for r in curve if r.get("fold") == fold]


def _present(xs: list[int], ys: list[Any]) -> tuple[list[int], list[float]]:
    pairs = [(x, float(y)) for x, y in zip(xs, ys, strict=True) if y is not None]
    return [p[0] for p in pairs], [p[1] for p in pairs]

"""The report's figures as inline SVG (matplotlib's SVG backend: text drawn as paths, so the
file needs no font and no network to look the same everywhere). Imported only to write a report.
"""

from __future__ import annotations

import io
import math
from typing import Any

from matplotlib import rc_context
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from engine.analysis import thin
from engine.analysis.curves import Curve
from engine.analysis.importance import Importance
from engine.analysis.pareto import ParetoView
from engine.analysis.progress import BestPoint
from engine.analysis.slices import Slice

STYLE: Any = {
    "svg.hashsalt": "tunedeck",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
}
WIDTH = 7.5  # inches: about 720 px at the report's 96 dpi
SLICE_POINTS = 500  # a slice panel is about 230 px wide


def to_svg(fig: Figure) -> str:
    """The figure as an `<svg>` element (no XML prologue), the same bytes for the same data."""
    out = io.StringIO()
    with rc_context(STYLE):
        fig.savefig(out, format="svg", bbox_inches="tight", metadata={"Date": None})
    text = out.getvalue()
    return text[text.index("<svg") :]


def _figure(height: float, ncols: int = 1, nrows: int = 1) -> tuple[Figure, list[Any]]:
    with rc_context(STYLE):
        fig = Figure(figsize=(WIDTH, height), layout="constrained")
        axes = fig.subplots(nrows, ncols, squeeze=False)
    return fig, [ax for row in axes for ax in row]


def best_so_far_svg(points: list[BestPoint], objective: str) -> str:
    points = thin.progress(points)
    fig, (by_trial, by_time) = _figure(2.8, ncols=2)
    with rc_context(STYLE):
        for ax, xs, xlabel in (
            (by_trial, [p.index for p in points], "trial"),
            (by_time, [p.elapsed for p in points], "seconds since start"),
        ):
            ax.scatter(xs, [p.score for p in points], s=14, color="#9aa5b1", label="trial")
            ax.step(
                xs,
                [p.best for p in points],
                where="post",
                color="#1f77b4",
                lw=2,
                label="best so far",
            )
            ax.set_xlabel(xlabel)
            ax.set_ylabel(objective)
        by_trial.xaxis.set_major_locator(MaxNLocator(integer=True))  # no trial 2.5
        by_trial.legend(loc="best", frameon=False)
    return to_svg(fig)


def importance_svg(result: Importance) -> str:
    rows = list(reversed(result.rows))
    fig, (ax,) = _figure(0.5 + 0.32 * max(len(rows), 1))
    with rc_context(STYLE):
        ax.barh([n for n, _ in rows], [v for _, v in rows], color="#1f77b4")
        ax.set_xlim(0, 1)
        ax.set_xlabel(f"importance for {result.objective}")
    return to_svg(fig)


def slices_svg(slices: list[Slice], objective: str) -> str:
    ncols = min(3, max(len(slices), 1))
    nrows = max(math.ceil(len(slices) / ncols), 1)
    fig, axes = _figure(2.4 * nrows, ncols=ncols, nrows=nrows)
    with rc_context(STYLE):
        for ax, one in zip(axes, slices, strict=False):
            shown = thin.cloud(one.points, lambda p: p[1], SLICE_POINTS)
            scores = [s for _, s, _ in shown]
            if one.numeric:
                ax.scatter([float(v) for v, _, _ in shown], scores, s=14, color="#1f77b4")
            else:
                cats = one.categories()
                ax.scatter([one.position(v) for v, _, _ in shown], scores, s=14, color="#1f77b4")
                ax.set_xticks(range(len(cats)), cats)
            ax.set_xlabel(one.name)
            ax.set_ylabel(objective)
        for ax in axes[len(slices) :]:
            ax.set_visible(False)
    return to_svg(fig)


def curves_svg(by_metric: dict[str, list[Curve]]) -> str:
    names = list(by_metric)
    fig, axes = _figure(2.8, ncols=max(len(names), 1))
    with rc_context(STYLE):
        for ax, metric in zip(axes, names, strict=False):
            for one in by_metric[metric]:
                ax.plot(one.epochs, one.values, marker="o", ms=3, label=f"trial {one.trial_id}")
            ax.set_xlabel("epoch")
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # whole epochs
            ax.set_ylabel(metric)
        if names:
            axes[0].legend(loc="best", frameon=False, fontsize=8)
    return to_svg(fig)


def pareto_svg(view: ParetoView) -> str:
    """Two objectives of every completed trial: the front joined, the dominated grey, the
    infeasible crossed."""
    fig, (ax,) = _figure(3.6)
    with rc_context(STYLE):
        rest = [p for p in view.points if p.front not in (0, None)]
        infeasible = [p for p in view.points if p.front is None]
        front = view.front
        ax.scatter(
            [p.x for p in rest], [p.y for p in rest], s=14, color="#9aa5b1", label="dominated"
        )
        if infeasible:
            ax.scatter(
                [p.x for p in infeasible],
                [p.y for p in infeasible],
                s=20,
                marker="x",
                color="#c0392b",
                label="infeasible",
            )
        ax.plot(
            [p.x for p in front],
            [p.y for p in front],
            marker="o",
            ms=5,
            color="#1f77b4",
            label="Pareto front",
        )
        for p in front:
            ax.annotate(
                p.trial_id, (p.x, p.y), textcoords="offset points", xytext=(4, 4), fontsize=7
            )
        ax.set_xlabel(view.x_metric)
        ax.set_ylabel(view.y_metric)
        ax.legend(loc="best", frameon=False)
    return to_svg(fig)

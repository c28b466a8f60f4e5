"""The search-efficiency bench's figure: best-so-far against seconds, one panel per seed, each
strategy a step line, the seed's target dashed and each strategy's first reaching it marked.
Drawn with the report's matplotlib style (`engine.analysis.plots`: SVG, text as paths, the same
bytes for the same data)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Protocol

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from engine.analysis.plots import STYLE, to_svg  # noqa: E402
from engine.system.atomic import write_text  # noqa: E402

COLOURS = ("#1f77b4", "#7f7f7f", "#2ca02c", "#9467bd", "#ff7f0e", "#d62728")
SPAN = 0.05  # the y axis shows this much below the target (earlier bests are cut off)


class Curve(Protocol):
    curve: list[tuple[float, float]]
    end: float

    def reaches(self, target: float) -> float | None: ...


def write_svg(
    searches: dict[int, dict[str, Any]],
    targets: dict[int, float],
    path: Path,
    order: list[str],
) -> None:
    from matplotlib import rc_context
    from matplotlib.figure import Figure

    with rc_context(STYLE):
        fig = Figure(figsize=(7.5, 2.6 * len(searches)), layout="constrained")
        axes = fig.subplots(len(searches), 1, squeeze=False, sharex=True)
        for (seed, by), (ax,) in zip(searches.items(), axes, strict=True):
            _panel(ax, by, targets[seed], order, seed)
        axes[-1][0].set_xlabel("seconds since the search's first trial started")
        fig.legend(*axes[0][0].get_legend_handles_labels(), loc="outside upper center", ncols=6)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text(path, to_svg(fig) + "\n")


def _panel(ax: Any, by: dict[str, Curve], target: float, order: list[str], seed: int) -> None:
    for name, colour in zip(order, COLOURS, strict=False):
        search = by[name]
        if not search.curve:
            continue
        xs = [t for t, _ in search.curve] + [search.end]
        ys = [b for _, b in search.curve] + [search.curve[-1][1]]
        ax.step(xs, ys, where="post", color=colour, lw=1.6, label=name)
        hit = search.reaches(target)
        if hit is not None:
            best = next(b for t, b in search.curve if t == hit)
            ax.plot([hit], [best], "o", color=colour, ms=5)
    ax.axhline(target, color="black", lw=0.8, ls="--")
    ax.text(0, target, " target", va="bottom", fontsize=8)
    top = max(s.curve[-1][1] for s in by.values() if s.curve)
    ax.set_ylim(target - SPAN, top + 0.004)
    ax.set_xlim(left=0)
    ax.set_ylabel(f"seed {seed}: best val_accuracy")

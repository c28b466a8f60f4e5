"""Terminal plots of the analysis views (plotext, as the monitor's curves): best-so-far, one
parameter's slice, and the curves of several trials. They draw what the engine computed."""

from __future__ import annotations

from textual_plotext import PlotextPlot

from engine.face import BestPoint, Curve, Slice, thin_points, thin_progress
from tui.widgets.ticks import mark_whole

POINTS = 1000  # a terminal is a few hundred braille dots across: more points only cost time


def _steps(xs: list[float], ys: list[float]) -> tuple[list[float], list[float]]:
    """A step line through the points: each value holds until the next x."""
    out_x, out_y = [xs[0]], [ys[0]]
    for x, y in zip(xs[1:], ys[1:], strict=True):
        out_x += [x, x]
        out_y += [out_y[-1], y]
    return out_x, out_y


class BestSoFarPlot(PlotextPlot):
    """Every completed trial's score (dots) and the best so far (a step line); over trials, a
    trial sits at the number its id spells (`BestPoint.index`: trial 006 at 6)."""

    drawn: dict[str, float] = {}  # trial id -> x of its dot, as drawn now

    def show(self, points: list[BestPoint], objective: str, by_time: bool = False) -> None:
        self.drawn = {}
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        if not points:
            plt.title("no completed trial yet")
            self.refresh()
            return
        points = thin_progress(points, POINTS)
        xs = [p.elapsed if by_time else float(p.index) for p in points]
        self.drawn = {p.trial_id: x for p, x in zip(points, xs, strict=True)}
        steps_x, steps_y = _steps(xs, [p.best for p in points])
        plt.scatter(xs, [p.score for p in points], marker="dot", label="trial")
        plt.plot(steps_x, steps_y, marker="braille", label="best so far")
        if not by_time:
            mark_whole(plt, xs)  # trials are counted: no trial 2.5
        plt.title(f"best {objective} so far")
        plt.xlabel("seconds since start" if by_time else "trial")
        self.refresh()


class SlicePlot(PlotextPlot):
    """The objective against one parameter's values (categories spread along the axis)."""

    def show(self, one: Slice | None, objective: str) -> None:
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        if one is None or not one.points:
            plt.title("no completed trial to slice")
            self.refresh()
            return
        shown = thin_points(one.points, lambda p: p[1], POINTS)
        scores = [s for _, s, _ in shown]
        if one.numeric:
            plt.scatter([float(v) for v, _, _ in shown], scores, marker="dot")
        else:
            cats = one.categories()
            plt.scatter([one.position(v) + 1 for v, _, _ in shown], scores, marker="dot")
            plt.xticks(list(range(1, len(cats) + 1)), cats)
            plt.xlim(0.5, len(cats) + 0.5)
        plt.title(f"{objective} by {one.name}")
        plt.xlabel(one.name)
        self.refresh()


class CurvesPlot(PlotextPlot):
    """One metric's per-epoch curves of several trials, overlaid."""

    def show(self, lines: list[Curve], metric: str) -> None:
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        drawn = [c for c in lines if c.epochs]
        for one in drawn:
            plt.plot(one.epochs, one.values, marker="braille", label=one.trial_id)
        mark_whole(plt, (e for one in drawn for e in one.epochs))
        plt.title(metric if drawn else f"no {metric} recorded")
        plt.xlabel("epoch")
        self.refresh()


class RunsPlot(PlotextPlot):
    """Each run's best score so far against its trial count, overlaid."""

    labels: tuple[str, ...] = ()  # the runs drawn now

    def show(self, runs: list[tuple[str, list[BestPoint]]], objective: str) -> None:
        self.labels = tuple(label for label, points in runs if points)
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        drawn: list[float] = []
        for label, points in runs:
            if points:
                points = [p for p in points if p.improved] + points[-1:]
                xs, ys = _steps([float(p.index) for p in points], [p.best for p in points])
                plt.plot(xs, ys, marker="braille", label=label)
                drawn += xs
        mark_whole(plt, drawn)
        plt.title(f"best {objective} so far, by run")
        plt.xlabel("trial")
        self.refresh()

"""The Pareto scatter: every completed trial as a point of two objectives, the front joined
by a line, infeasible trials apart, and the point under the cursor marked."""

from __future__ import annotations

from textual_plotext import PlotextPlot

from engine.face import ParetoView


class ParetoPlot(PlotextPlot):
    """Draws a `ParetoView` (the engine's); `cursor` is the index of the marked point."""

    def show(self, view: ParetoView, cursor: int | None) -> None:
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        if not view.points:
            plt.title("no completed trial has both objectives yet")
            self.refresh()
            return
        front = view.front
        rest = [p for p in view.points if p.front != 0 and p.front is not None]
        infeasible = [p for p in view.points if p.front is None]
        for points, marker, color, label in (
            (rest, "dot", "gray", "dominated"),
            (infeasible, "x", "red", "infeasible"),
        ):
            if points:
                xs, ys = [p.x for p in points], [p.y for p in points]
                plt.scatter(xs, ys, marker=marker, color=color, label=label)
        if front:
            plt.plot(
                [p.x for p in front],
                [p.y for p in front],
                marker="braille",
                color="cyan",
                label="Pareto front",
            )
            plt.scatter([p.x for p in front], [p.y for p in front], marker="o", color="cyan")
        if cursor is not None and 0 <= cursor < len(view.points):
            point = view.points[cursor]
            plt.scatter([point.x], [point.y], marker="@", color="yellow", label=point.trial_id)
        plt.title(f"{view.y_metric} against {view.x_metric}")
        plt.xlabel(view.x_metric)
        self.refresh()

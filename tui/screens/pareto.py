"""The Pareto front of a run with several objectives: a scatter of two objectives at a time,
the front marked; the cursor walks the points (left/right), enter opens the trial, `x` exports
it (`export --pick`), `y` shows the next objective on the vertical axis. The engine says what
the front is; this only draws."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Static

from engine.face import ParetoView, RunResults, pareto_view
from tui.widgets.pareto_plot import ParetoPlot


class ParetoScreen(Screen[None]):
    """A run's trials as points of two objectives, its Pareto front joined."""

    BINDINGS = [
        Binding("right,l", "move(1)", "Next point", key_display="→", id="pareto.next"),
        Binding("left,h", "move(-1)", "Previous", key_display="←", id="pareto.previous"),
        Binding(
            "f",
            "front_only",
            "Front only",
            tooltip="walk only the front's points",
            id="pareto.front_only",
        ),
        Binding(
            "y",
            "next_axis",
            "Y axis",
            tooltip="the next objective on the vertical axis",
            id="pareto.next_axis",
        ),
        Binding("enter", "open", "Open trial", id="pareto.open"),
        Binding(
            "x",
            "export",
            "Export",
            tooltip="the trial's configuration as yaml, json or a script",
            id="pareto.export",
        ),
        Binding("escape", "back", "Back", id="pareto.back"),
    ]

    def __init__(self, run_dir: Path, results: RunResults, tuned: tuple[str, ...]) -> None:
        super().__init__()
        self.run_dir, self.results, self.tuned = run_dir, results, tuned
        self.y_axis = 1
        self.view: ParetoView | None = pareto_view(results, 0, 1)
        self.only_front = False
        best = results.best_trial_id
        points = self.view.points if self.view else []
        self.cursor = next((i for i, p in enumerate(points) if p.trial_id == best), 0)

    def compose(self) -> ComposeResult:
        yield Static("", id="pareto-info")
        yield ParetoPlot(id="pareto-plot")
        yield Footer()

    def on_mount(self) -> None:
        self.redraw()

    def redraw(self) -> None:
        plot = self.query_one(ParetoPlot)
        if self.view is None:
            self.query_one("#pareto-info", Static).update("a single objective: no front")
            return
        plot.show(self.view, self.cursor if self.view.points else None)
        self.query_one("#pareto-info", Static).update(self._info())

    def _info(self) -> Text:
        assert self.view is not None
        view, r = self.view, self.results
        head = Text.assemble(
            (str(self.run_dir), "bold"),
            f"  {len(view.front)} on the front of {len(view.points)} "
            f"({', '.join(view.objectives)})",
        )
        if not view.points:
            return head
        point = view.points[self.cursor]
        trial = r.trials[point.trial_id]
        named = r.goals.values_of(trial.score, trial.values)
        where = (
            "infeasible"
            if point.front is None
            else ("on the front" if point.front == 0 else f"front {point.front}")
        )
        line = Text(f"\ntrial {point.trial_id}  {where}  ", "bold")
        line.append("  ".join(f"{m} {_value(named.get(m))}" for m in view.objectives))
        if point.infeasible:
            line.append(f"  broke {point.infeasible}", "red")
        line.append(
            f"\nenter: details · x: export (tunedeck export {self.run_dir} --pick "
            f"{point.trial_id})",
            "dim",
        )
        return head + line

    def _walk(self) -> list[int]:
        assert self.view is not None
        points = self.view.points
        return [i for i, p in enumerate(points) if not self.only_front or p.front == 0]

    def action_move(self, step: int) -> None:
        walk = self._walk() if self.view else []
        if not walk:
            return
        here = walk.index(self.cursor) if self.cursor in walk else -step if step > 0 else 0
        self.cursor = walk[(here + step) % len(walk)]
        self.redraw()

    def action_front_only(self) -> None:
        self.only_front = not self.only_front
        walk = self._walk() if self.view else []
        if walk and self.cursor not in walk:
            self.cursor = walk[0]
        self.redraw()

    def action_next_axis(self) -> None:
        if self.view is None:
            return
        count = len(self.view.objectives)
        self.y_axis = self.y_axis % (count - 1) + 1  # never the primary against itself
        chosen = self.view.points[self.cursor].trial_id if self.view.points else None
        self.view = pareto_view(self.results, 0, self.y_axis)
        points = self.view.points if self.view else []
        self.cursor = next((i for i, p in enumerate(points) if p.trial_id == chosen), 0)
        self.redraw()

    def action_open(self) -> None:
        if self.view is None or not self.view.points:
            return
        from tui.screens.results import TrialScreen

        trial = self.results.trials[self.view.points[self.cursor].trial_id]
        self.app.push_screen(TrialScreen(trial, self.tuned, self.results.objective))

    def action_export(self) -> None:
        if self.view is None or not self.view.points:
            return
        from tui.screens.export import ExportScreen

        self.app.push_screen(ExportScreen(self.run_dir, self.view.points[self.cursor].trial_id))

    def action_back(self) -> None:
        self.app.pop_screen()


def _value(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"

"""A run beside the runs in its folder: their best scores, where their best configurations
differ, and their best-so-far overlaid (`tunedeck compare` in the console). Used by the
analysis screen's Runs tab and by the runs screen's compare. Only the runs of the first one's
task and objective are plotted and diffed; the others are listed with why."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Static

from engine.face import InputError, compare_runs, neighbours, run_task
from tui.widgets.analysis_plots import RunsPlot
from tui.widgets.analysis_text import runs_table

RUNS = 4  # this run and the latest three beside it


class RunsComparison(Horizontal):
    """The comparison table on the left, the best-so-far of every run on the right."""

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="runs-side"):
            yield Static("the runs beside this one…", classes="runs-table")
        yield RunsPlot()

    def show(self, run_dir: str | Path) -> None:
        """Read the run and its neighbours now (they may have moved on since) and draw them."""
        table = self.query_one(".runs-table", Static)
        try:
            runs = neighbours(run_dir, RUNS - 1)
        except InputError as exc:
            table.update(Text(str(exc), "red"))
            return
        folder = Path(run_dir).parent
        comparison = compare_runs(runs, [run_task(folder / label) for label, _ in runs])
        alone = Text("no other run beside it in its folder", "dim")
        table.update(alone if len(runs) == 1 else runs_table(comparison))
        plotted = [(r.label, r.progress) for r in comparison.compared]
        self.query_one(RunsPlot).show(plotted, comparison.runs[0].objective)

"""The runs screen's compare: the run under the cursor beside the latest runs in its folder."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Static

from tui.widgets.runs_comparison import RunsComparison


class RunsCompareScreen(Screen[None]):
    """Best scores, differing best configurations and best-so-far of up to four runs."""

    BINDINGS = [Binding("escape", "back", "Back", id="compare.back")]

    def __init__(self, run_dir: str | Path) -> None:
        super().__init__()
        self.run_dir = Path(run_dir)

    def compose(self) -> ComposeResult:
        yield Static(f"{self.run_dir.name} and the runs beside it", classes="title")
        yield RunsComparison()
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(RunsComparison).show(self.run_dir)

    def action_back(self) -> None:
        self.app.pop_screen()

"""Is the winner really better? `N` on the results screen trains the top configurations again
with several seeds (`tunedeck rerun`, in its own process: closing this, or the console, does
not stop it; opening it again continues it) and shows mean ± std and the verdict as results
arrive."""

from __future__ import annotations

import subprocess
from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from engine.face import RunResults, read_seeds, seed_lines, seed_report
from tui.bridge import start_rerun

TOP, SEEDS_EACH = 3, 3


class SeedsScreen(ModalScreen[None]):
    """The seed check of a run, refreshed every second while it trains."""

    BINDINGS = [Binding("escape,q", "close", "Close", id="seeds.close")]

    def __init__(self, run_dir: Path, results: RunResults) -> None:
        super().__init__()
        self.run_dir = run_dir
        self.results = results
        self.process: subprocess.Popen[bytes] | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide", id="seeds"):
            yield Label(
                f"Is the winner really better? Top {TOP}, {SEEDS_EACH} seeds each",
                classes="dialog-title",
            )
            yield Static("", id="seeds-report")
            yield Static("", id="seeds-state", classes="hint")
            yield Label("esc close (training goes on; N again shows it)", classes="hint")

    def on_mount(self) -> None:
        self.order = [t.trial_id for t in self.results.leaderboard()]  # the search's ranking
        self.process = start_rerun(self.run_dir, TOP, SEEDS_EACH)
        self.refresh_report()
        self.set_interval(1.0, self.refresh_report)

    def refresh_report(self) -> None:
        records = read_seeds(self.run_dir)
        r = self.results
        report = seed_report(records, r.objective, r.direction, r.best_trial_id, self.order)
        self.query_one("#seeds-report", Static).update("\n".join(seed_lines(report)))
        planned = min(TOP, sum(t.score is not None for t in r.trials.values())) * SEEDS_EACH
        code = None if self.process is None else self.process.poll()
        if code is None:
            state = f"training: {len(records)} of {planned} done"
        elif code == 0:
            state = f"done: {len(records)} trainings"
        else:
            log = (self.run_dir / "seeds.log").read_text(errors="replace").strip().splitlines()
            state = f"⚠ stopped (exit {code}): {log[-1] if log else 'no output'}"
        self.query_one("#seeds-state", Static).update(state)

    def action_close(self) -> None:
        self.dismiss(None)

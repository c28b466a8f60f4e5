"""Adding trials to a search from the console (`+` on the results and runs screens): the
same `tunedeck resume RUN --more N` the command line runs, started in its own session."""

from __future__ import annotations

from pathlib import Path

from textual.screen import Screen

from engine.face import RunDir
from tui.messages import ResumeRequested
from tui.screens.dialogs import PromptScreen


def trials_wanted(text: str) -> str | None:
    """The prompt's check: a positive whole number."""
    value = text.strip()
    return None if value.isdigit() and int(value) > 0 else "a number of trials, 1 or more"


def ask_more_trials(screen: Screen[None], run_dir: Path) -> None:
    """Ask how many trials to add, then hand the run to a runner with `--more N` (its monitor
    opens; a grid with nothing left to run says so in the monitor's log)."""
    if RunDir(run_dir).is_running():
        screen.notify("the search is running: add trials once it ends", severity="warning")
        return

    def answered(value: str | None) -> None:
        if value is not None:
            screen.post_message(ResumeRequested(run_dir, more=int(value.strip())))

    title = f"More trials for {run_dir.name} (on the same oracle; a grid: its next ones)"
    screen.app.push_screen(PromptScreen(title, "10", trials_wanted), answered)

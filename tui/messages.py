"""Messages that travel up from screens and workers to the app ("attributes down, messages up")."""

from __future__ import annotations

from pathlib import Path

from textual.message import Message

from engine.face import Event, RunSettings, Space


class RunRequested(Message):
    """Start a search of `space` with `settings` (from the editor, or re-running the best)."""

    def __init__(self, space: Space, settings: RunSettings) -> None:
        super().__init__()
        self.space = space
        self.settings = settings


class ResumeRequested(Message):
    """Start a runner again on an interrupted or stopped run directory (`more`: that many
    trials added, a finished search too)."""

    def __init__(self, run_dir: Path, more: int | None = None) -> None:
        super().__init__()
        self.run_dir = run_dir
        self.more = more


class ResultsRequested(Message):
    """Show the results screen of a run."""

    def __init__(self, run_dir: Path) -> None:
        super().__init__()
        self.run_dir = run_dir


class EventsArrived(Message):
    """A batch of journal events, posted by the tailing worker."""

    def __init__(self, events: list[Event]) -> None:
        super().__init__()
        self.events = events


class AttachRequested(Message):
    """Show the monitor of a run (live if a search runs in it, else its journal replayed)."""

    def __init__(self, run_dir: Path) -> None:
        super().__init__()
        self.run_dir = run_dir

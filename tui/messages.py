"""Messages that travel up from screens and workers to the app ("attributes down, messages up").

Each is a dataclass (Textual's `Message.__post_init__` is there for them): what it carries is
its fields, nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textual.message import Message

from engine.face import Event, RunSettings, Space


@dataclass
class RunRequested(Message):
    """Start a search of `space` with `settings` (from the editor, or re-running the best)."""

    space: Space
    settings: RunSettings


@dataclass
class ResumeRequested(Message):
    """Start a runner again on an interrupted or stopped run directory (`more`: that many
    trials added, a finished search too)."""

    run_dir: Path
    more: int | None = None


@dataclass
class ResultsRequested(Message):
    """Show the results screen of a run."""

    run_dir: Path


@dataclass
class JournalGrew(Message):
    """What the run's journals gained since the last poll, posted by the monitor's poller
    (one message per poll that found something, so a fast stream comes in batches)."""

    events: list[Event]


@dataclass
class AttachRequested(Message):
    """Show the monitor of a run (live if a search runs in it, else its journal replayed)."""

    run_dir: Path

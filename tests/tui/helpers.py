"""Shared helpers of the console tests: screen text, bounded waits, journal reading."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.app import App
from textual.pilot import Pilot

from tests.records import records


def screen_text(app: App) -> str:
    """The screen as plain text (modals composited over what is behind them)."""
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(segment.text for segment in strip) for strip in strips)


def flowing_text(app: App) -> str:
    """The screen's words in one line, so that a message the terminal wrapped (a long path
    pushes words onto the next row, and paths differ between machines) still reads whole."""
    return " ".join(screen_text(app).split())


async def wait_until(pilot: Pilot, condition: Callable[[], Any], timeout: float = 20.0) -> Any:
    """Pause in small steps until `condition()` is truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        await pilot.pause(0.1)
    raise AssertionError(f"timed out after {timeout}s waiting for {condition}")


def journal(run_dir: Path) -> list[dict[str, Any]]:
    """Every complete record of a run's journal."""
    return records(Path(run_dir), "events.jsonl")


def wait_for_file(condition: Callable[[], Any], timeout: float = 20.0) -> Any:
    """The blocking twin of `wait_until`, for tests that drive a real terminal."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout}s waiting for {condition}")

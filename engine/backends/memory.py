"""Keeps a long search's memory flat by restarting the training process when it has grown.

Keras leaks a few MB per model even after `clear_session()` (keras-tuner #395, #873, #1031).
The headless runner measures its resident memory after the first trial; once it has grown by
`TUNEDECK_RECYCLE_GROWTH` (default 10%), the next trial is not started: the process re-executes
itself as `resume`, which reloads the tuner's state and carries on with a fresh heap.
"""

from __future__ import annotations

import os

GROWTH = float(os.environ.get("TUNEDECK_RECYCLE_GROWTH", "0.10"))


def rss_bytes() -> int | None:
    """Current resident set size, or None where /proc is not available."""
    try:
        with open("/proc/self/statm") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


class MemoryWatch:
    """Says when the process has grown past its baseline (taken after the first trial)."""

    def __init__(self, growth: float = GROWTH) -> None:
        self.growth = growth
        self.baseline: int | None = None

    def trial_done(self) -> None:
        if self.baseline is None:
            self.baseline = rss_bytes()

    def outgrown(self) -> bool:
        if self.growth <= 0 or self.baseline is None:
            return False
        now = rss_bytes()
        return now is not None and now > self.baseline * (1 + self.growth)

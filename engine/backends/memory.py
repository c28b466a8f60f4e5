"""Keeps a long search's memory flat by restarting the training process when it has grown.

Keras leaks a few MB per model even after `clear_session()` (keras-tuner #395, #873, #1031).
The headless runner measures its resident memory after the first trial; once it has grown by
`TUNEDECK_RECYCLE_GROWTH` (default 10%), the next trial is not started: the process re-executes
itself as `resume`, which reloads the tuner's state and carries on with a fresh heap.

A search also keeps memory on purpose: traced models and kept pipelines (`engine.model.reuse`,
`engine.model.feed`), bounded, and filling over its first trials. That is not a leak, so the
baseline moves up with it: a trial after which the search holds more than before re-bases the
watch. Measured on the default Hyperband search (digits, 600 samples, 90 trials): the pool
filled in ~10 trials and added ~40 MB, one more restart in 90 trials before this; the leak
itself is ~4.5 MB a trial with or without the pool.
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
    """Says when the process has grown past its baseline (taken after the first trial, and again
    while the search's kept models and pipelines grow)."""

    def __init__(self, growth: float = GROWTH) -> None:
        self.growth = growth
        self.baseline: int | None = None
        self.held = -1  # what the search kept on purpose when the baseline was taken

    def trial_done(self, held: int = 0) -> None:
        """After a trial; `held` counts what the search keeps on purpose (pooled models, kept
        pipelines): while it grows, the baseline is taken again."""
        if self.baseline is None or held > self.held:
            self.baseline = rss_bytes()
            self.held = held

    def outgrown(self) -> bool:
        if self.growth <= 0 or self.baseline is None:
            return False
        now = rss_bytes()
        return now is not None and now > self.baseline * (1 + self.growth)

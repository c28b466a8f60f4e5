"""How hard an engine process may use the machine: searches the console starts, and its warm
engine, run in the idle scheduling class so that a key press is never delayed."""

from __future__ import annotations

import os


def lower_priority() -> None:
    """The idle scheduling class (Linux; nice 19 elsewhere), for searches the console starts:
    they take every free cycle but never delay a key press. Chief and workers inherit it."""
    try:
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    except (AttributeError, OSError):
        os.nice(19)

"""Out of memory: a trial's own status, with what made it too big, never retried blindly.

A host `MemoryError`, TensorFlow's `ResourceExhaustedError` (its allocator refused, on the
CPU or a GPU) or an error that says it ran out of memory ends the trial `oom`, its note
naming the configuration's batch size and parameter count: the two numbers a user changes
next. Such a trial is not trained again on resume (`needs_rerun` keeps ended trials). With
`--oom-retry` it runs once more at half its batch size (`TrialClock.retry`), and its values
then show the halved batch size.
"""

from __future__ import annotations

from typing import Any

from engine.run.states import TrialStatus

MARKERS = ("out of memory", "oom when allocating", "resource exhausted", "failed to allocate")
PREFIX = "out of memory at batch size"  # how every oom note begins (kept as text too)


def is_out_of_memory(exc: BaseException) -> bool:
    """Whether `exc`, or an error it was raised from, is an allocation that failed."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        names = {cls.__name__ for cls in type(current).__mro__}
        if isinstance(current, MemoryError) or "ResourceExhaustedError" in names:
            return True
        if any(marker in str(current).lower() for marker in MARKERS):
            return True
        current = current.__cause__ or current.__context__
    return False


def oom_note(exc: BaseException | None, config: dict[str, Any], params: int | None) -> str:
    """`out of memory at batch size 64 with 1,234,567 parameters (ResourceExhaustedError: …)`."""
    batch = config.get("batch_size", "?")
    counted = f" with {params:,} parameters" if params is not None else ""
    what = ""
    if exc is not None:
        text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        what = f" ({type(exc).__name__}: {text})" if text else f" ({type(exc).__name__})"
    return f"{PREFIX} {batch}{counted}{what}"[:300]


def is_oom_note(reason: str | None) -> bool:
    """A failure recorded only as text (a fold record; Keras Tuner's trial message, which
    holds the note inside its traceback)."""
    return PREFIX in str(reason or "")


def failure_status(reason: str | None) -> TrialStatus:
    """How a failure kept only as text ended: `oom` when its note says so, else failed."""
    return TrialStatus.OOM if is_oom_note(reason) else TrialStatus.FAILED


def halved(config: dict[str, Any]) -> dict[str, Any] | None:
    """The configuration at half its batch size, or None when it cannot be halved."""
    batch = config.get("batch_size")
    if not isinstance(batch, int) or isinstance(batch, bool) or batch < 2:
        return None
    return {**config, "batch_size": batch // 2}

"""A trial's result reaches Keras Tuner's oracle through `oracle.update_trial`, which writes the
trial's state file. Keras Tuner catches whatever that call raises and records the trial failed
in its own state, while our journal already says completed: a disk full for that one write
would leave the oracle without the trial's score and the search going on. A disk error there
is made fatal instead, so that it ends the search like every other (one line, resumable)."""

from __future__ import annotations

from typing import Any

from engine.backends.environment import disk_error


def disk_errors_end_the_search(oracle: Any, fatal: type[Exception]) -> None:
    """Make a disk error raised by `oracle.update_trial` into `fatal` (one of Keras Tuner's
    `FatalError`s, which it re-raises), the disk's error as its cause."""
    update = oracle.update_trial

    def update_trial(*args: Any, **kwargs: Any) -> Any:
        try:
            return update(*args, **kwargs)
        except OSError as exc:
            if disk_error(exc) is None:
                raise
            raise fatal(str(exc)) from exc

    oracle.update_trial = update_trial

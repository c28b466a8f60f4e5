"""Trial statuses and run states, named once.

They are `StrEnum`s, so the journal keeps the plain strings it always had ("completed",
"running", …) and a value read back compares equal to its member.
"""

from __future__ import annotations

from enum import StrEnum


class TrialStatus(StrEnum):
    """Where a trial is: running until a `trial_ended` event gives its end."""

    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    STOPPED = "stopped"  # by a stop or a skip: not a result, never a truncated score
    PRUNED = "pruned"  # stopped early by the median rule (engine.backends.pruning): not a result
    OOM = "oom"  # ran out of memory (host or GPU): never trained again with the same values


class RunState(StrEnum):
    """Where a search is. The journal alone knows NEW, RUNNING and the three ends;
    `run_state` adds what only the runner's lock can tell (STARTING, INTERRUPTED)."""

    NEW = "new"  # nothing journaled yet
    STARTING = "starting"  # a runner holds the lock, nothing journaled yet
    RUNNING = "running"
    INTERRUPTED = "interrupted"  # unfinished, and no runner holds the lock
    FINISHED = "finished"
    FAILED = "failed"
    STOPPED = "stopped"

    @property
    def ended(self) -> bool:
        return self in ENDED

    @property
    def live(self) -> bool:
        """A runner is at work: the search goes on without anyone watching."""
        return self in (RunState.STARTING, RunState.RUNNING)


ENDED = frozenset({RunState.FINISHED, RunState.FAILED, RunState.STOPPED})


def run_state(journal: RunState, runner_alive: bool) -> RunState:
    """The state of a run as `ls` and the monitor show it: the journal's, corrected by whether
    a runner is alive (a journal that says running while no runner is there was interrupted)."""
    if journal.ended:
        return journal
    if runner_alive:
        return RunState.RUNNING if journal == RunState.RUNNING else RunState.STARTING
    return RunState.INTERRUPTED

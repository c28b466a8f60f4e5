"""A scikit-learn search continued: its further candidate lists, written down before they run.

scikit-learn draws a search's candidates at once, from the settings it started with, so more
trials (`tunedeck resume --more N`), a widened grid (`--space FILE`) or a queued configuration
(`tunedeck enqueue`) become rounds of their own, each an explicit list of configurations kept
in `state/sklearn_rounds.jsonl`: a resume after a kill runs the same candidates again, under
the same trial ids (numbered after the plan and the rounds before; `r<k>-c<i>` in a run begun
with the older names). No scikit-learn is imported here: `engine.commands.more` plans them.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROUNDS = "sklearn_rounds.jsonl"


@dataclass(frozen=True)
class Round:
    number: int  # 1, 2, …
    configs: list[dict[str, Any]]
    enqueued: bool = False  # a hand-written configuration: one trial beyond the plan
    base_done: bool = True  # the search it continues had ended: its own candidates run no more

    @property
    def prefix(self) -> str:
        """Its trial ids' prefix in a run begun with the older names (`r1-c000`, …)."""
        return f"r{self.number}-c"


def read_rounds(state_dir: str | Path) -> list[Round]:
    try:
        text = (Path(state_dir) / ROUNDS).read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    rounds = []
    for line in text.splitlines():
        try:
            rounds.append(Round(**json.loads(line)))
        except (ValueError, TypeError):
            continue  # a line torn by a kill: that round was never announced
    return rounds


def add_round(
    state_dir: str | Path, configs: list[dict[str, Any]], *, enqueued: bool, base_done: bool
) -> Round:
    """Append a round (fsynced: it is the record of what runs next)."""
    added = Round(len(read_rounds(state_dir)) + 1, configs, enqueued, base_done)
    path = Path(state_dir) / ROUNDS
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)
    try:
        os.write(fd, (json.dumps(asdict(added), default=str) + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    return added


def planned_beyond(state_dir: str | Path) -> int:
    """Trials the further rounds add to the plan (queued ones are counted as they start)."""
    return sum(len(r.configs) for r in read_rounds(state_dir) if not r.enqueued)


def take_queue(ctx: Any, base_done: bool) -> Round | None:
    """The first configuration waiting in the run's queue (of `ctx`, a `SearchContext`), as a
    round written down before it runs (None: none waits, or a stop was requested: it waits for
    the next resume)."""
    from engine.run.queue import TrialQueue

    if ctx.stop.stop_after_trial() or (entry := TrialQueue(ctx.run.path).take()) is None:
        return None
    return add_round(ctx.run.state_dir, [entry], enqueued=True, base_done=base_done)

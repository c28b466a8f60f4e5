"""What outlives a scikit-learn fold: its record, appended to `state/sklearn_folds.jsonl` once it
is scored (a resumed search answers the fit from it), and, while it trains, its latest-epoch
checkpoint (`engine.model.checkpoint`, named `c003.fold2`), from which it resumes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from engine.run import jsonlines


def append_record(path: Path, record: dict[str, Any]) -> None:
    """One line, written and fsynced at once: appends from several joblib workers never
    interleave."""
    jsonlines.append(path, record)


def read_records(path: Path) -> dict[str, dict[str, Any]]:
    """The records by key; a line torn by a kill is skipped."""
    return {r["key"]: r for r in jsonlines.records(path) if isinstance(r.get("key"), str)}


class FoldCheckpoints:
    """Each running fold's checkpoint, named `c003.fold2`; none for a HyperModel's own `fit`,
    whose data order is its own. Pickles with its folder (joblib's workers use it too)."""

    def __init__(self, saves: Any, own_fit: bool) -> None:
        self.saves, self.own_fit = saves, own_fit  # `engine.model.checkpoint.Checkpoints`

    def open(self, trial: Any, fold: int, epochs: int) -> Any:
        """The fold's checkpointing callback, holding its checkpoint when one was made for the
        same candidate, fold and configuration (an out-of-memory retry's halved batch is not)."""
        if self.own_fit:
            return None
        return self.saves.fit(self.name(trial, fold), [trial.key, fold, trial.config], epochs)

    def remove(self, trial: Any, fold: int) -> None:
        self.saves.remove(self.name(trial, fold))

    @staticmethod
    def name(trial: Any, fold: int) -> str:
        return f"{trial.trial_id}.fold{fold + 1}"  # `fold` counted from 0

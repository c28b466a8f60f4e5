"""A running fit's latest epoch, kept on disk so that a killed trial resumes where it was.

Each fit of a trial (a Keras Tuner trial, a scikit-learn fold) writes one file,
`state/checkpoints/<fit>.npz`, after every epoch but the one it stops at, replaced atomically:
the model's variables (weights and dropout seed states), the optimizer's (its iteration count,
which is the learning-rate schedule's step, its learning rate and slots), the epochs done and
their logs, and the state of the fit's other callbacks (early stopping's best, wait and best
weights, a checkpoint's best, the pruning check's curve). The fit removes it when it ends, so a
run holds one per running fit: one per worker. The data order needs nothing saved: the
search's pipelines draw epoch e's permutation from (seed, e) alone (`engine.model.feed`), and a
resumed fit starts at that pass.

A resumed fit gets the model and optimizer back before `fit` (a model that does not line up
with the file trains from its first epoch instead), the callbacks' state once their own
`on_train_begin` has reset it (this callback comes last), and trains on from the next epoch:
the same arithmetic as the fit that was killed.

`TUNEDECK_CHECKPOINT=0` turns it off: an interrupted trial then trains again from its start;
`TUNEDECK_CHECKPOINT=epoch` writes after every epoch even where epochs are shorter than
twenty writes (`engine.model.epoch_checkpoint.SHARE`).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

FOLDER = "checkpoints"  # under the run's state/
SUFFIX = ".npz"


def enabled() -> bool:
    """Checkpoints are on unless `TUNEDECK_CHECKPOINT=0`."""
    return os.environ.get("TUNEDECK_CHECKPOINT", "1") != "0"


def fingerprint(config: Any) -> str:
    """What a checkpoint must match to be resumed: the fit's configuration (and fold)."""
    text = json.dumps(config, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:20]


@dataclass
class Saved:
    """A checkpoint read back: `epoch` epochs done (the next one's index)."""

    epoch: int
    history: dict[str, list[Any]]
    model: list[np.ndarray]
    optimizer: list[np.ndarray]
    callbacks: list[dict[str, Any]]  # per callback: class, plain state, names of array lists
    arrays: dict[str, list[np.ndarray]] = field(default_factory=dict)  # "<i>.<attr>": arrays
    extra: dict[str, Any] = field(default_factory=dict)  # the fit's first epoch, its fingerprint


class Checkpoints:
    """The run's checkpoint folder; pickles as its path (scikit-learn's workers use it too)."""

    def __init__(self, state_dir: Path) -> None:
        self.folder = Path(state_dir) / FOLDER

    def path(self, name: str) -> Path:
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in name)
        return self.folder / f"{safe}{SUFFIX}"

    def fit(self, name: str, config: Any, epochs: int) -> Any:
        """The checkpointing callback of fit `name` (a trial, a fold: an
        `engine.model.epoch_checkpoint.EpochCheckpoint`), holding its last checkpoint when one
        matches `config`; None when checkpoints are off."""
        if not enabled():
            return None
        from engine.model.epoch_checkpoint import EpochCheckpoint

        mark = fingerprint(config)
        return EpochCheckpoint(self.path(name), mark, epochs, self.read(name, mark))

    def read(self, name: str, mark: str) -> Saved | None:
        """The checkpoint of `name` made for `mark`; None when there is none, or it is torn or
        was made for another configuration (then it is removed)."""
        path = self.path(name)
        if not path.is_file():
            return None
        try:
            saved = _load(path)
        except Exception:  # a file a power cut tore: the fit trains from its start
            saved = None
        if saved is None or saved.extra.get("fingerprint") != mark:
            path.unlink(missing_ok=True)
            return None
        return saved

    def __getstate__(self) -> dict[str, Any]:
        return {"folder": self.folder}

    def remove(self, name: str) -> None:
        self.path(name).unlink(missing_ok=True)

    def clear(self) -> None:
        """The search ended: no fit runs, none resumes."""
        shutil.rmtree(self.folder, ignore_errors=True)

    def held(self) -> list[Path]:
        """The checkpoints there are (not a write's temporary, which is hidden)."""
        if not self.folder.is_dir():
            return []
        return sorted(p for p in self.folder.glob(f"*{SUFFIX}") if not p.name.startswith("."))


def _load(path: Path) -> Saved | None:
    import numpy as np

    with np.load(path, allow_pickle=False) as data:
        meta = json.loads(bytes(data["meta"]).decode())
        arrays: dict[str, list[np.ndarray]] = {}
        for index, state in enumerate(meta["callbacks"]):
            for name, count in state.get("arrays", {}).items():
                arrays[f"{index}.{name}"] = [data[f"c{index}.{name}.{j}"] for j in range(count)]
        return Saved(
            epoch=int(meta["epoch"]),
            history={str(k): list(v) for k, v in meta["history"].items()},
            model=[data[f"m{i}"] for i in range(int(meta["model"]))],
            optimizer=[data[f"o{i}"] for i in range(int(meta["optimizer"]))],
            callbacks=list(meta["callbacks"]),
            arrays=arrays,
            extra=dict(meta.get("extra") or {}),
        )

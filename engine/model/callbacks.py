"""The space's own Keras callbacks for each trial: the user's factory (`callbacks:
FILE.py:FUNCTION`) and the built-in best-weights checkpoint (`checkpoint: true`).

Keras Tuner deep-copies callbacks and scikit-learn clones estimators, so nothing here holds a
callback: every fit asks `for_trial` for fresh ones. Each trial gets a folder of its own under
the run directory, `trials/<trial id>` (one more level for a fold or a seed rerun), where a
ModelCheckpoint can write. The factory is imported only in the process that trains, and is
called once on the default configuration before a search starts (`check`), so that a broken
one is one line and exit code 2 rather than N failed trials.
"""

from __future__ import annotations

import tempfile
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.objective.metric import Objective
from engine.space import Space
from engine.user.code import CodeRef, UserCodeError, one_line

FIELD = "callbacks"
TRIALS = "trials"  # under the run directory: one folder per trial
BEST_WEIGHTS = "best.weights.h5"


@dataclass
class TrialCallbacks:
    """Pickles as its reference, not its function (scikit-learn's joblib workers import the
    user's module themselves)."""

    ref: CodeRef | None  # the user's factory (absolute path); None: none
    checkpoint: bool
    objective: Objective
    root: Path | None  # the run directory; None: no trial folders (`check` uses a scratch one)
    _function: Callable[..., Any] | None = field(default=None, repr=False, compare=False)

    @classmethod
    def of(cls, space: Space, root: Path | None, objective: Objective) -> TrialCallbacks:
        source = space.resolved().source
        return cls(source.callbacks, source.checkpoint, objective, root)

    def for_trial(
        self, config: Mapping[str, Any], *where: str, validated: bool = True
    ) -> list[Any]:
        """Fresh callbacks for one fit of the trial `where[0]` (`where[1:]`: a fold, a seed),
        whose folder is made when a callback may write there. A fit that holds out no
        validation part (`validated` False) checkpoints on the objective's training metric."""
        if self.ref is None and not self.checkpoint:
            return []
        if self.root is None:
            raise ValueError("no run directory to hold the trials' folders")
        folder = self.root.joinpath(TRIALS, *where)
        folder.mkdir(parents=True, exist_ok=True)
        return self._made(config, folder, validated)

    def check(self, config: Mapping[str, Any]) -> None:
        """Call the factory once on `config` in a scratch folder: it must return a list of Keras
        callbacks (else one line naming the file and function, the traceback kept)."""
        if self.ref is None:
            return
        with tempfile.TemporaryDirectory(prefix="tunedeck-callbacks-") as scratch:
            self._made(config, Path(scratch))

    def _made(self, config: Mapping[str, Any], folder: Path, validated: bool = True) -> list[Any]:
        made: list[Any] = []
        if self.ref is not None:
            from engine.model.keras_build import call_callback_factory

            function = self._load()
            try:
                made = call_callback_factory(function, dict(config), str(folder))
            except Exception as exc:
                name = f"{FIELD}: {self.ref}"
                if isinstance(exc, TypeError) and str(exc).startswith("returned "):
                    raise UserCodeError(f"{name} {exc}") from None
                err = UserCodeError(f"{name} raised {one_line(exc)}")
                err.details = "".join(traceback.format_exception(exc))
                raise err from None
        if self.checkpoint:
            goal = self.objective
            metric = goal.metric if validated else goal.metric.removeprefix("val_")
            made.append(best_weights(folder, metric, goal.direction))
        return made

    def _load(self) -> Callable[..., Any]:
        if self._function is None:
            assert self.ref is not None
            from engine.model.builder import quiet_tensorflow

            quiet_tensorflow()  # the user's module imports Keras: TensorFlow stays silent
            self._function = self.ref.load(FIELD)
        return self._function

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_function": None}


def best_weights(folder: Path, metric: str, direction: str) -> Any:
    """A ModelCheckpoint keeping the weights of the epoch best on `metric` (the objective)."""
    import keras

    return keras.callbacks.ModelCheckpoint(
        str(folder / BEST_WEIGHTS),
        monitor=metric,
        mode=direction,
        save_best_only=True,
        save_weights_only=True,
        verbose=0,
    )


def check_callbacks(space: Space, objective: Objective) -> None:
    """Before a search: the space's callback factory, if any, imports and returns callbacks."""
    TrialCallbacks.of(space, None, objective).check(space.defaults())

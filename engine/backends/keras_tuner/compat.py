"""Keras Tuner beyond its public API, in one place: every patch tunedeck applies to it and every
private name it reads, calls or overrides, each with the upstream issue (or, where none was
filed, the behaviour and the version it was seen on) that it works around.

Keras Tuner is in maintenance mode; these were read in 1.4.8, pyproject.toml bounds it below
1.5, and tests/test_private_api.py checks that each name still exists with the signature
relied on, and that no other module reaches past the public API. The one
exception lives below the backends: `engine.model.hyperparameters` overrides
`HyperParameters._retrieve`, the funnel of every declaration (a model's code is loaded there,
a layer that may not import the backends).

Documented hooks are used where Keras Tuner has one: `Tuner.run_trial` (the trial's fit),
`on_trial_begin`, Keras callbacks per epoch, `Oracle.populate_space` (the queue), and
`BaseTuner._populate_initial_space`, which Keras Tuner keeps "for AutoKeras to override".
Statuses are compared with Keras Tuner's own `TrialStatus` (`KerasTunerStatus` here).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

import keras_tuner
from keras_tuner.engine.trial import TrialStatus as KerasTunerStatus
from keras_tuner.src import config as kt_config
from keras_tuner.src import utils as kt_utils
from keras_tuner.src.engine import tuner_utils

from engine.system.atomic import write_text

__all__ = ["KerasTunerStatus"]


# -- process-wide: applied once by `install`, before a tuner is made -----------------------


def install() -> None:
    """Quiet failed trials and atomic state files, for every tuner and oracle of the process.

    `config.DEBUG`, True on 1.4.8, makes `BaseTuner._try_run_and_update_trial` print each
    failed trial's traceback to stderr, over the console's lines: the journal records the
    failure instead. `utils.save_json` is replaced by `save_json_atomically`."""
    kt_config.DEBUG = False
    kt_utils.save_json = save_json_atomically


def save_json_atomically(path: str, obj: Any) -> str:
    """Keras Tuner's `utils.save_json` writes oracle.json and every trial.json in place (open
    for writing, then write: seen on 1.4.8), so a kill mid-write leaves a torn file that makes
    the project impossible to reload. Written to a temporary file and renamed instead."""
    text = json.dumps(obj)
    write_text(path, text)
    return text


# -- the tuner -------------------------------------------------------------------------------


class Tuner(keras_tuner.Tuner):
    """What tunedeck's tuners inherit beyond Keras Tuner's documented `Tuner`."""

    def _populate_initial_space(self) -> None:
        """Declare the space without building models. Keras Tuner's own builds the model over
        and over until every `conditional_scope` was seen (`_activate_all_conditions`,
        keras-team/keras-tuner#584): tunedeck's declaration registers every scope up front, so
        no build is needed, nor any data (a chief holds none). The hook is the one Keras Tuner
        documents for subclasses ("for AutoKeras to override"); it runs only for a new project."""
        hp = self.oracle.get_space()
        self.hypermodel.declare_hyperparameters(hp)
        self.oracle.update_space(hp)

    def build_model(self, hp: keras_tuner.HyperParameters) -> Any:
        """The trial's model without `Tuner._try_build`'s `clear_session` and `gc.collect`
        (moved there by keras-team/keras-tuner#771): ~0.5 s a trial here, mostly retracing. The
        runner restarts its process when memory has grown (`engine.backends.memory`), which
        bounds what skipping it leaks. Through `_build_hypermodel`, where Hyperband loads a
        continuation's parent weights (keras-team/keras-tuner#372, #711)."""
        return self._build_hypermodel(hp)

    def best_epoch_saver(self, trial_id: str, objective: keras_tuner.Objective) -> Any:
        """The callback that keeps a Hyperband trial's best epoch where a continuation of it
        loads from (`_get_checkpoint_fname`): Keras Tuner adds it in its own `run_trial`, which
        tunedeck's replaces."""
        return tuner_utils.SaveBestEpoch(
            objective=objective, filepath=self._get_checkpoint_fname(trial_id)
        )

    def save_build_config(self, trial_id: str, model: Any) -> None:
        """The model's build config, which Hyperband's `_build_hypermodel` reads back under
        Keras 3 to rebuild a continuation (`_get_build_config_fname`): Keras Tuner writes it in
        `_build_and_fit_model`, which tunedeck's `run_trial` does not call."""
        kt_utils.save_json(self._get_build_config_fname(trial_id), model.get_build_config())


# -- the oracle --------------------------------------------------------------------------------


def restore_grid_order(oracle: Any) -> None:
    """Keras Tuner's grid oracle does not save the order of the combinations it visited
    (`_ordered_ids`, `_populate_next`), so a reloaded grid search fails with a KeyError on a
    trial id (keras-team/keras-tuner#1055). Rebuilt from the trials it reloaded."""
    ordered = getattr(oracle, "_ordered_ids", None)
    if ordered is None or ordered._memory or not oracle.trials:
        return
    values = {tid: trial.hyperparameters.values for tid, trial in oracle.trials.items()}
    order = sorted(
        values, key=functools.cmp_to_key(lambda a, b: oracle._compare(values[a], values[b]))
    )
    for trial_id in order:
        oracle._ordered_ids.insert(trial_id)
    oracle._populate_next = list(order)


def serve_first(
    oracle: Any, before_budget: Callable[[], None], take: Callable[[str], dict | None]
) -> None:
    """Configurations served ahead of the oracle's own: Keras Tuner has no way to enqueue one
    (keras-team/keras-tuner#415, open). `populate_space` is the documented override point,
    but the oracle is made by the tuner class (RandomSearch makes a RandomSearchOracle), so it
    is wrapped on the instance: `take(trial_id)` answers first (a `populate_space` response),
    None leaves it to the oracle. `Oracle.create_trial` checks `max_trials` before it asks
    `populate_space`, so `before_budget()` runs ahead of that check, to raise the budget."""
    create_trial, populate_space = oracle.create_trial, oracle.populate_space

    def create(tuner_id: str) -> Any:
        before_budget()
        return create_trial(tuner_id)

    def populate(trial_id: str) -> dict[str, Any]:
        served = take(trial_id)
        return populate_space(trial_id) if served is None else served

    oracle.create_trial, oracle.populate_space = create, populate


def fatal_update_errors(
    oracle: Any, fatal_of: Callable[[Exception], keras_tuner.errors.FatalError | None]
) -> None:
    """`BaseTuner._try_run_and_update_trial` catches whatever `Oracle.update_trial` raises
    (it writes the trial's state file) and records the trial failed in Keras Tuner's own state
    (seen on 1.4.8), while tunedeck's journal already says completed. `fatal_of(error)` may
    turn the error into a `FatalError`, which Keras Tuner re-raises: the search ends."""
    update = oracle.update_trial

    def update_trial(*args: Any, **kwargs: Any) -> Any:
        try:
            return update(*args, **kwargs)
        except Exception as exc:
            fatal = fatal_of(exc)
            if fatal is None:
                raise
            raise fatal from exc

    oracle.update_trial = update_trial


# -- the chief of a parallel run ----------------------------------------------------------------
# Keras Tuner's own chief (`oracle_chief.start_server`) serves with one thread, blocks until the
# search ends and never notices a worker that died: its trial stays ongoing and the chief waits
# forever (keras-team/keras-tuner#915). tunedeck serves the same servicer from its own loop.


def add_oracle_servicer(oracle: Any, server: Any) -> Any:
    """Keras Tuner's gRPC servicer of `oracle`, added to `server` (a `grpc.server`)."""
    from keras_tuner.src import protos
    from keras_tuner.src.distribute.oracle_chief import OracleServicer

    servicer = OracleServicer(oracle)
    protos.get_service_grpc().add_OracleServicer_to_server(servicer, server)
    return servicer


def budget_spent(servicer: Any) -> bool:
    """Whether the servicer told a worker the search is over (its `stop_triggered`)."""
    return bool(servicer.stop_triggered)


def chief_may_exit(oracle: Any) -> bool:
    """Keras Tuner's own test: no trial ongoing and no worker left (`exit_chief`)."""
    from keras_tuner.src.distribute.oracle_chief import exit_chief

    return bool(exit_chief(oracle))


def known_tuner_ids(oracle: Any) -> set[str]:
    """The workers the oracle knows of: those that asked for a trial, or hold one."""
    return set(oracle.tuner_ids) | set(oracle.ongoing_trials)


def drop_tuner(oracle: Any, tuner_id: str, *, retry: Callable[[], bool]) -> tuple[Any, bool]:
    """Forget a dead worker under the oracle's lock: (its trial or None, whether the trial went
    back to the oracle's retry queue, `_retry_queue`, saved with it, as `retry()` decided)."""

    @keras_tuner.synchronized
    def drop(oracle: Any, tuner_id: str) -> tuple[Any, bool]:
        oracle.tuner_ids.discard(tuner_id)
        trial = oracle.ongoing_trials.pop(tuner_id, None)
        if trial is None or not retry():
            return trial, False
        oracle._retry_queue.append(trial.trial_id)
        oracle.save()
        return trial, True

    return drop(oracle, tuner_id)

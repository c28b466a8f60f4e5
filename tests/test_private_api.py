"""Every private name of keras-tuner, Textual, scikit-learn and scikeras that tunedeck reads,
overrides or replaces, checked by name: an upgrade that drops one fails here, saying which,
instead of as a search that misbehaves (pyproject.toml bounds the versions these were read in).
Keras Tuner's are all in engine.backends.keras_tuner.compat, which a test below holds to that.
"""

from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path
from typing import Any

import pytest

from engine.model.builder import quiet_tensorflow


def owner(path: str) -> Any:
    """`package.module:Attr.attr` → the object before the last dot (modules imported)."""
    module, _, rest = path.partition(":")
    obj: Any = importlib.import_module(module)
    for part in rest.split(".")[:-1] if rest else ():
        obj = getattr(obj, part)
    return obj


def assert_has(path: str) -> None:
    name = path.partition(":")[2].rsplit(".", 1)[-1] or path
    assert hasattr(owner(path), name), f"{path} is gone: tunedeck relies on it (see grep {name})"


KERAS_TUNER = [
    # engine.backends.keras_tuner.compat.Tuner: the documented subclass hook it overrides, the
    # build it calls, where Hyperband's continuations load from
    "keras_tuner:Tuner._populate_initial_space",
    "keras_tuner:Tuner._build_hypermodel",
    "keras_tuner:Tuner._get_checkpoint_fname",
    "keras_tuner:Tuner._get_build_config_fname",  # a Hyperband continuation rebuilds from it
    "keras_tuner.src.engine.tuner_utils:SaveBestEpoch",
    "keras_tuner:Tuner.on_trial_begin",
    "keras_tuner:Tuner.run_trial",
    # compat.install: Keras Tuner's state files written atomically, failed trials quiet
    "keras_tuner.src.utils:save_json",
    "keras_tuner.src.config:DEBUG",
    "keras_tuner.errors:FatalError",
    "keras_tuner.errors:FailedTrialError",
    # compat.serve_first and fatal_update_errors wrap these on the oracle
    "keras_tuner:Oracle.populate_space",
    "keras_tuner:Oracle.create_trial",
    "keras_tuner:Oracle.update_trial",
    # the chief (compat's last part, for engine.backends.keras_tuner.oracle_service)
    "keras_tuner.src.protos:get_service_grpc",
    "keras_tuner.src.distribute.oracle_chief:OracleServicer",
    "keras_tuner.src.distribute.oracle_chief:exit_chief",
    "keras_tuner:synchronized",
    "keras_tuner.src.engine.oracle:Oracle.end_trial",
    "keras_tuner.src.engine.oracle:Oracle.save",
    # Keras Tuner's own statuses, through their public export
    "keras_tuner.engine.trial:TrialStatus.FAILED",
    "keras_tuner.engine.trial:TrialStatus.COMPLETED",
    "keras_tuner.engine.trial:TrialStatus.INVALID",
    "keras_tuner.engine.trial:TrialStatus.RUNNING",
    # engine.model.hyperparameters records declarations (and refuses a name of two kinds)
    "keras_tuner:HyperParameters._retrieve",
]
ORACLE_STATE = ("_retry_queue", "tuner_ids", "ongoing_trials", "_ordered_ids", "_populate_next")


def test_keras_tuner_oracle_state() -> None:
    """Instance state read or rebuilt: the chief's retry queue, the grid oracle's order."""
    quiet_tensorflow()
    import keras_tuner

    objective = keras_tuner.Objective("val_accuracy", "max")
    grid = keras_tuner.oracles.GridSearchOracle(objective=objective, max_trials=1)
    for name in (*ORACLE_STATE, "_compare"):
        assert hasattr(grid, name), f"GridSearchOracle.{name} is gone"
    for name in ("_memory", "insert"):
        assert hasattr(grid._ordered_ids, name), f"GridSearchOracle._ordered_ids.{name} is gone"
    hp = keras_tuner.HyperParameters()
    assert hasattr(hp, "inactive_scopes"), "HyperParameters.inactive_scopes is gone"  # discovery
    servicer = importlib.import_module("keras_tuner.src.distribute.oracle_chief")
    assert "stop_triggered" in inspect.getsource(servicer.OracleServicer.__init__)


def test_keras_tuner_trial_supply() -> None:
    """engine.backends.keras_tuner.supply: a queued configuration goes through the oracle's
    documented `populate_space`, the budget is checked in `create_trial` before it (so it is
    raised there), and INVALID trials are left out of what Bayesian optimisation learns."""
    quiet_tensorflow()
    import keras_tuner

    source = inspect.getsource(keras_tuner.Oracle)  # `create_trial` is wrapped (synchronized)
    create = source[source.index("def create_trial") : source.index("def update_trial")]
    assert create.index("self.max_trials") < create.index("self.populate_space(trial_id)")
    assert keras_tuner.engine.trial.TrialStatus.INVALID == "INVALID"
    bayesian = keras_tuner.oracles.BayesianOptimizationOracle
    assert '"INVALID"' in inspect.getsource(bayesian._vectorize_trials)  # skipped: not learnt


TEXTUAL = [
    # tui.widgets.trial_table repaints changed cells only and joins runs of alike cells
    "textual.widgets:DataTable.render_line",
    "textual.widgets:DataTable.refresh_coordinate",
    "textual.widgets:DataTable.refresh_row",
    "textual.widgets:DataTable.get_row_index",
    "textual.widgets:DataTable.ordered_columns",
    "textual.widgets:DataTable.header_height",
    "textual.widgets._data_table:Column.content_width",
    "textual.widgets._data_table:Column.get_render_width",
    "textual.scrollbar:ScrollBarRender.render_bar",
    "textual.scrollbar:ScrollBar.renderer",
    # tui.commands and the help screen list the bindings
    "textual.screen:Screen.active_bindings",
    "textual.binding:Binding.system",
]


def test_textual_update_cell_takes_update_width() -> None:
    from textual.widgets import DataTable

    assert "update_width" in inspect.signature(DataTable.update_cell).parameters


SKLEARN = [
    # engine.backends.sklearn.searches wraps each candidate list (search.py re-labels the labels)
    "sklearn.model_selection._search:BaseSearchCV._run_search",
    "sklearn.utils:ClassifierTags",
    "scikeras.wrappers:KerasClassifier.target_encoder",
    "scikeras.utils.transformers:ClassifierLabelEncoder",
    # engine.backends.sklearn.estimators trains on the search's kept pipelines
    "scikeras.wrappers:BaseWrapper._fit_keras_model",
]


@pytest.mark.parametrize("path", [*KERAS_TUNER, *TEXTUAL, *SKLEARN])
def test_private_names(path: str) -> None:
    if not path.startswith("textual"):
        quiet_tensorflow()  # before Keras Tuner or scikeras import TensorFlow
    assert_has(path)


SIGNATURES = {
    # overridden with these parameters: a change of them breaks the override silently
    "scikeras.wrappers:BaseWrapper._fit_keras_model": [
        "self",
        "X",
        "y",
        "sample_weight",
        "warm_start",
        "epochs",
        "initial_epoch",
        "kwargs",
    ],
    "sklearn.model_selection._search:BaseSearchCV._run_search": [
        "self",
        "evaluate_candidates",
        "callback_ctx",
    ],
    "keras_tuner:Tuner.run_trial": ["self", "trial", "args", "kwargs"],
    "keras_tuner:Tuner._populate_initial_space": ["self"],
    "keras_tuner:Tuner._build_hypermodel": ["self", "hp"],
    "keras_tuner:Tuner._get_checkpoint_fname": ["self", "trial_id"],
    "keras_tuner:Tuner._get_build_config_fname": ["self", "trial_id"],
    "keras_tuner:HyperParameters._retrieve": ["self", "hp"],
    "keras_tuner:Oracle.populate_space": ["self", "trial_id"],
    "keras_tuner.src.utils:save_json": ["path", "obj"],
    "keras_tuner.src.engine.tuner_utils:SaveBestEpoch": ["objective", "filepath"],
    "keras_tuner.src.distribute.oracle_chief:OracleServicer": ["oracle"],
}


@pytest.mark.parametrize("path", list(SIGNATURES))
def test_private_signatures(path: str) -> None:
    quiet_tensorflow()
    name = path.partition(":")[2].rsplit(".", 1)[-1]
    found = list(inspect.signature(getattr(owner(path), name)).parameters)
    assert found == SIGNATURES[path], f"{path} now takes {found}: check the override"


def test_keras_trainer_attributes_the_model_pool_swaps() -> None:
    """engine.model.reuse hands a pooled model another optimizer and its traced function."""
    quiet_tensorflow()
    import keras

    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    assert hasattr(model, "train_function") and hasattr(model, "optimizer")
    assert callable(model.get_compile_config) and callable(model.compile_from_config)


def test_keras_deferred_variables_the_parameter_count_drops() -> None:
    """engine.model.size counts a model built in a StatelessScope, then drops its deferred
    variables from Keras's global list (else the next build would allocate them)."""
    quiet_tensorflow()
    import keras
    from keras.src.backend.common import global_state

    from engine.model.size import PENDING

    with keras.StatelessScope(initialize_variables=False):
        keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    pending = global_state.get_global_attribute(PENDING)
    assert isinstance(pending, list) and pending, f"Keras no longer keeps {PENDING}"
    global_state.set_global_attribute(PENDING, [])


ENGINE = Path(__file__).resolve().parent.parent / "engine"
COMPAT = ENGINE / "backends" / "keras_tuner" / "compat.py"


def private_names(text: str) -> set[str]:
    """Private names a module's code reads (`x._name`) or defines in a class (an override)."""
    names = set()
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Attribute):
            names.add(node.attr)
        elif isinstance(node, ast.ClassDef):
            names |= {f.name for f in node.body if isinstance(f, ast.FunctionDef)}
    return {n for n in names if n.startswith("_") and not n.startswith("__")}


def test_keras_tuners_private_names_are_in_compat_only_and_all_checked() -> None:
    """compat reaches past Keras Tuner's public API only by names this file checks; the other
    modules that use Keras Tuner (its backend, the model layer) never do, but for `_retrieve`
    (engine.model.hyperparameters, below the backends)."""
    checked = {p.rsplit(".", 1)[-1] for p in [*KERAS_TUNER, *SIGNATURES] if p.startswith("keras")}
    checked |= {*ORACLE_STATE, "_compare", "_memory"}
    used = private_names(COMPAT.read_text())
    assert used and used <= checked, f"compat uses unchecked names: {sorted(used - checked)}"
    others = [*(ENGINE / "backends" / "keras_tuner").glob("*.py"), *(ENGINE / "model").glob("*.py")]
    for path in others:
        if path == COMPAT:
            continue
        text = path.read_text()
        allowed = {"_retrieve"} if path.name == "hyperparameters.py" else set()
        assert "keras_tuner.src" not in text, f"{path.name} imports Keras Tuner's internals"
        assert not (private_names(text) & checked) - allowed, f"{path.name}: move it to compat"

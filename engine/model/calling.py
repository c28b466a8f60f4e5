"""How a user's model code takes its values: Keras Tuner's way, scikeras' way, or a HyperModel.

A build function written for Keras Tuner takes `hp` (or a plain mapping) first; one written for
scikeras takes its values by name (`create_model(nodes=8, activation_1="relu")`) and, when it
asks for it, `meta`, scikeras' description of the data (`n_features_in_`, `n_classes_`, …).
A Keras Tuner `HyperModel` (the class, or an instance) builds through `build(hp)` and may train
through its own `fit(hp, model, *args, **kwargs)`.

This file is copied verbatim into exported standalone training scripts, so that the script
calls the user's code exactly as the search did: it imports only the standard library, never
another tunedeck module or Keras, and has no `from __future__` import.
"""

import ast
import inspect
import re
from typing import Any

PASSED = ("input_shape", "n_outputs", "task")  # what tunedeck hands a build function by name
META = "meta"  # scikeras' special argument
COMPILE = "compile_kwargs"  # scikeras': what `compile` takes, the optimizer built
PARAMS = "params"  # scikeras': the wrapper's parameters (here, the configuration)
SPECIAL = (META, COMPILE, PARAMS)  # handed over by scikeras when a function declares them
SAMPLES = ("X", "y")  # keras.wrappers' model(X, y, **model_kwargs)
HP_NAMES = ("hp", "hps", "hparams", "hyperparameters")


def _parameters(function: Any) -> list:
    try:
        return list(inspect.signature(function).parameters.values())
    except (TypeError, ValueError):
        return []


def takes_by_name(function: Any, names: Any = ()) -> bool:
    """Whether `function` takes its values by name (scikeras) rather than `hp` first (Keras
    Tuner): it takes no positional parameter that could be `hp`, or its first one is named
    among `names` (the space's parameters) or has a default, or it asks for `meta`."""
    params = _parameters(function)
    if any(p.name in (META, COMPILE) for p in params):
        return True
    for p in params:
        if p.kind is p.VAR_POSITIONAL:
            return False
        if p.kind is p.VAR_KEYWORD or p.kind is p.KEYWORD_ONLY or p.name in PASSED:
            continue
        if p.name in SAMPLES:
            return True
        if p.name in HP_NAMES:
            return False
        return p.name in names or p.default is not p.empty
    return True


def declared_names(function: Any) -> tuple:
    """The names a by-name function declares, `meta` and tunedeck's own aside."""
    return tuple(
        p.name
        for p in _parameters(function)
        if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
        and p.name not in (*SPECIAL, *PASSED, *SAMPLES)
    )


def asks(function: Any, name: str) -> bool:
    """Whether `function` declares the argument `name` (`compile_kwargs`, say)."""
    return any(p.name == name for p in _parameters(function))


def required_names(function: Any) -> tuple:
    """The names a by-name function cannot be called without."""
    return tuple(
        p.name
        for p in _parameters(function)
        if p.default is p.empty
        and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
        and p.name not in (*SPECIAL, *PASSED, *SAMPLES)
    )


def literal_defaults(function: Any) -> dict:
    """A by-name function's defaults that a space can hold (numbers, text, true/false)."""
    return {
        p.name: p.default
        for p in _parameters(function)
        if p.name in declared_names(function) and type(p.default) in (bool, int, float, str)
    }


def scikeras_meta(input_shape: tuple, n_outputs: int, task: str, rows: int) -> dict:
    """What scikeras passes as `meta` for data of this shape and task."""
    meta: dict = {
        "X_shape_": (rows, *input_shape),
        "n_features_in_": int(input_shape[0]) if input_shape else 1,
        "X_dtype_": "float32",
        "y_ndim_": 1,
        "n_outputs_expected_": 1,
    }
    if task == "classification":
        meta.update(
            n_classes_=n_outputs,
            classes_=list(range(n_outputs)),
            target_type_="binary" if n_outputs == 2 else "multiclass",
            n_outputs_=1,
            y_dtype_="int64",
        )
    else:
        meta.update(
            target_type_="continuous" if n_outputs == 1 else "continuous-multioutput",
            n_outputs_=n_outputs,
            y_dtype_="float32",
            y_ndim_=1 if n_outputs == 1 else 2,
        )
    return meta


def sample_arguments(
    function: Any, input_shape: tuple, n_outputs: int, task: str, rows: int
) -> dict:
    """`X` and `y` for a function that declares them (Keras's wrappers' convention), as
    stand-ins of the training data: numpy is imported only then."""
    declared = {p.name for p in _parameters(function)} & set(SAMPLES)
    if not declared:
        return {}
    import numpy as np

    n = max(int(rows), 1)
    x = np.broadcast_to(np.zeros((), "float32"), (n, *input_shape))
    if task == "classification":
        y = np.eye(n_outputs, dtype="float32")[np.arange(n) % n_outputs]
    else:
        y = np.zeros((n, n_outputs), "float32")
    return {k: v for k, v in (("X", x), ("y", y)) if k in declared}


def passed_arguments(function: Any, values: dict) -> dict:
    """The entries of `values` (tunedeck's `input_shape`, `n_outputs`, `task`, or a meta) that
    `function` declares by name, or all of them for a `**kwargs`."""
    params = _parameters(function)
    takes_all = any(p.kind is p.VAR_KEYWORD for p in params)
    declared = {p.name for p in params}
    return {k: v for k, v in values.items() if k in declared or takes_all}


def named_arguments(function: Any, config: Any, data: dict, meta: dict) -> dict:
    """The keyword arguments of a by-name function: each value of `config` it declares, `meta`
    if it asks (or takes `**kwargs`), `params` (the configuration) if it asks, and the data
    values it declares (`input_shape`, …, and `compile_kwargs`, which the caller builds)."""
    params = _parameters(function)
    takes_all = any(p.kind is p.VAR_KEYWORD for p in params)
    declared = {p.name for p in params}
    special = (*SPECIAL, *PASSED, *SAMPLES)
    kwargs = {k: plain_value(config[k]) for k in config if k in declared and k not in special}
    if META in declared or takes_all:
        kwargs[META] = meta
    if PARAMS in declared:
        kwargs[PARAMS] = dict(config)
    for key, value in data.items():
        if key in declared:
            kwargs[key] = value
    return kwargs


def plain_value(value: Any) -> Any:
    """A value as the function takes it: a tuple or list a space keeps as its Python text
    (`"(50, 50)"`, from a param_grid's `hidden_layer_sizes=[(100,), (50, 50)]`) is the tuple
    or list again; anything else as it is."""
    if isinstance(value, str) and value[:1] in "([" and value[-1:] in ")]":
        try:
            found = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            return value
        if isinstance(found, tuple | list):
            return found
    return value


def _is(cls: Any, name: str, package: str) -> bool:
    """Whether `cls` derives from the class `name` of `package`, told without importing it."""
    return inspect.isclass(cls) and any(
        base.__name__ == name and base.__module__.split(".")[0] == package
        for base in inspect.getmro(cls)
    )


def is_hypermodel(obj: Any) -> bool:
    """A Keras Tuner `HyperModel` subclass or instance."""
    return _is(obj if inspect.isclass(obj) else type(obj), "HyperModel", "keras_tuner")


def is_tuner(obj: Any) -> bool:
    return _is(obj if inspect.isclass(obj) else type(obj), "Tuner", "keras_tuner")


def is_keras_model_class(obj: Any) -> bool:
    return _is(obj, "Model", "keras") or _is(obj, "Layer", "keras")


def hypermodel_instance(obj: Any, data: dict) -> Any:
    """A HyperModel instance: `obj` itself, or its class made with the data values its
    constructor declares (`input_shape`, `n_outputs`, `task`)."""
    if not inspect.isclass(obj):
        return obj
    return obj(**passed_arguments(obj.__init__, data))


OWN_KWARGS = ("epochs", "verbose", "initial_epoch")  # what tunedeck adds to a fit's call
_SET_BY_FIT: dict = {}  # per fit function: those of them it passes to model.fit itself
_TWICE = re.compile(r"got multiple values for keyword argument '(\w+)'")


def call_fit(fit: Any, hp: Any, model: Any, x: Any, y: Any, kwargs: dict) -> Any:
    """A HyperModel's `fit(hp, model, x, y, **kwargs)`; one that passes `epochs` (Keras
    Tuner's API example: `model.fit(*args, epochs=hp.Int("epochs", 5, 20), **kwargs)`) or
    `verbose` to `model.fit` itself is called again without ours, and from then on."""
    key = getattr(fit, "__func__", fit)
    own = _SET_BY_FIT.setdefault(key, set())
    while True:
        try:
            return fit(hp, model, x, y, **{k: v for k, v in kwargs.items() if k not in own})
        except TypeError as exc:
            found = _TWICE.search(str(exc))
            name = found.group(1) if found else None
            if name not in OWN_KWARGS or name not in kwargs or name in own:
                raise
            own.add(name)


def own_fit(hypermodel: Any) -> Any:
    """The HyperModel's `fit` when its class overrides Keras Tuner's, else None."""
    for base in inspect.getmro(type(hypermodel)):
        if "fit" in base.__dict__:
            inherited = base.__name__ == "HyperModel" and base.__module__.startswith("keras_tuner")
            return None if inherited else hypermodel.fit
    return None

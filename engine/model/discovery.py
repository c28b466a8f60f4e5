"""The search space a Keras Tuner-style build function declares, found the way Keras Tuner
finds it: call the function with a recording `HyperParameters` until no new parameter appears.

Keras Tuner activates each conditional scope it has seen inactive; this also tries each other
value of every declared choice and boolean and the top of every range, so that parameters
declared only under some values (`for i in range(hp.Int("layers", 1, 3)): hp.Int(f"units_{i}",
…)`) are found before the search starts, as a fixed space needs. A function that only reads
a plain mapping declares nothing and keeps its `params` as written.
"""

from __future__ import annotations

import contextlib
import traceback
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from engine.model import calling
from engine.model.user_model import ModelTarget, UserModel, call_build, resolve
from engine.space import Space
from engine.space.declared import Declared, from_keras_tuner, merge
from engine.space.hyperparameters import Hyperparameter
from engine.user.code import CodeRef, UserCodeError, one_line

MAX_CALLS = 64  # builds tried at most; what later builds would declare keeps its default


@dataclass(frozen=True)
class Discovery:
    declared: tuple[Declared, ...]  # in the order first declared (parents before children)
    mapped: frozenset[str]  # names read as a plain mapping
    calls: int
    by_name: bool = False  # the function takes its values by name (scikeras), not `hp`


def discover(
    code: Callable[..., Any] | UserModel,
    label: str,
    known: Mapping[str, Any] | None = None,
    target: ModelTarget | None = None,
    own: Mapping[str, Hyperparameter] | None = None,
) -> Discovery:
    """Call the build (and a HyperModel's own fit) until it declares nothing new; `known`
    holds the values of names it may read as a plain mapping, `own` the space file's
    parameters (their values are tried rather than the declared ones). A function that takes
    its values by name (scikeras) declares its literal defaults. UserCodeError (one line,
    traceback in `details`) when it raises or declares a name as two kinds of hyperparameter."""
    from engine.model.hyperparameters import DeclaredTwiceError, Recorder

    user = code if isinstance(code, UserModel) else UserModel(code, label)
    if user.by_name(known or {}):
        return _by_name(user, known or {}, own or {})
    found: dict[str, dict[str, Any]] = {}
    mapped: set[str] = set()
    queue: deque[dict[str, Any]] = deque([{}])
    tried: set[tuple[tuple[str, str], ...]] = set()
    calls = 0
    while queue and calls < MAX_CALLS:
        overrides = queue.popleft()
        key = tuple(sorted((k, repr(v)) for k, v in overrides.items()))
        if key in tried:
            continue
        tried.add(key)
        calls += 1
        recorder = Recorder({**(known or {}), **overrides})
        try:
            call_build(user, recorder, target)
            if user.fit is not None:
                _probe_fit(user.fit, recorder, target)
        except (DeclaredTwiceError, UserCodeError) as exc:
            raise UserCodeError(f"model: {label} {exc}") from None
        except KeyError as exc:  # a plain mapping's reader, without the values: nothing declared
            if found or recorder.space or not recorder.mapped:
                raise _raised(label, overrides, exc) from None
            return Discovery((), frozenset(recorder.mapped), calls)
        except Exception as exc:
            raise _raised(label, overrides, exc) from None
        mapped |= recorder.mapped
        for entry in recorder.get_config()["space"]:
            name = entry["config"]["name"]
            if name in found:
                if found[name]["class_name"] != entry["class_name"]:
                    first, second = found[name]["class_name"], entry["class_name"]
                    raise UserCodeError(f"model: {label} {DeclaredTwiceError(name, first, second)}")
                continue
            found[name] = entry
            probes = _own(own[name]) if own and name in own else _probes(entry["config"])
            queue.extend({**overrides, name: value} for value in probes)
        for conditions in recorder.inactive_scopes:
            queue.append({**overrides, **{c.name: c.values[0] for c in conditions}})
    declared = tuple(from_keras_tuner(entry) for entry in found.values())
    return Discovery(declared, frozenset(mapped - set(found)), calls)


def _by_name(user: UserModel, known: Mapping[str, Any], own: Mapping[str, Any]) -> Discovery:
    """What a function taking its values by name declares: its defaults that a space can
    hold (the space's own parameters win); one line when it requires a value the space does
    not give."""
    missing = [n for n in calling.required_names(user.build) if n not in known]
    if missing:
        raise UserCodeError(
            f"model: {user.label} takes {missing[0]} by name without a default: give its "
            f"values under params (params: {{{missing[0]}: [...]}}), or name your param_grid "
            "(params: FILE.py:param_grid)"
        )
    declared = tuple(
        Declared(name, "Fixed", value)
        for name, value in calling.literal_defaults(user.build).items()
        if name not in own
    )
    return Discovery(declared, frozenset(), 0, by_name=True)


class _ModelUsed(Exception):
    """The HyperModel's fit reached the model: what it declared before is recorded."""


class _FitProbe:
    """Stands in for the model in a HyperModel's `fit` while its declarations are recorded:
    the first call of the model or of anything it holds ends the call, so nothing trains,
    after the call's arguments were evaluated (`model.fit(x, shuffle=hp.Boolean(…))`)."""

    def __getattr__(self, name: str) -> Any:
        return _FitProbe()

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise _ModelUsed("__call__")

    def __repr__(self) -> str:  # what Python names it in an error: the model, not this class
        return "model"


def _probe_fit(fit: Callable[..., Any], hp: Any, target: ModelTarget | None) -> None:
    """Call a HyperModel's `fit` on a few zero samples shaped as the data, until it uses the
    model (`hp.Boolean("shuffle")`, `hp.Choice("batch_size", …)` are recorded)."""
    import numpy as np

    shape = target.input_shape if target is not None else (1,)
    x, y = np.zeros((8, *shape), "float32"), np.zeros((8,), "int64")
    kwargs = {"validation_data": (x, y), "epochs": 1, "callbacks": [], "verbose": 0}
    with contextlib.suppress(_ModelUsed):
        calling.call_fit(fit, hp, _FitProbe(), x, y, kwargs)


def _raised(label: str, overrides: Mapping[str, Any], exc: Exception) -> UserCodeError:
    where = f" with {_fmt(overrides)}" if overrides else ""
    err = UserCodeError(f"model: {label} raised while declaring its space{where}: {one_line(exc)}")
    err.details = "".join(traceback.format_exception(exc))
    return err


def _probes(config: Mapping[str, Any]) -> list[Any]:
    """Values other than the default worth one build each."""
    default = config.get("default")
    if "values" in config:
        return [v for v in config["values"] if v != default]
    if "min_value" in config:
        return [v for v in (config["min_value"], config["max_value"]) if v != default]
    if "value" in config:
        return []
    return [not default]  # a Boolean


def _own(hp: Hyperparameter) -> list[Any]:
    values = hp.values()
    others = list(values) if values is not None else [hp.min, hp.max]  # type: ignore[union-attr]
    return [v for v in others if v != hp.default]


def _fmt(overrides: Mapping[str, Any]) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in overrides.items())


def with_discovered(space: Space, dataset: Any = None) -> Space:
    """`space` with what its model's build function declares (unchanged for the built-in model
    or a function that reads a plain mapping); imports the user's module. The function gets
    the `input_shape`, `n_outputs` and `task` of `dataset` when given."""
    from engine.model.factory import target_for

    target = None if dataset is None else target_for(space, dataset)
    return discover_space(space, target)[0]


def discover_space(space: Space, target: ModelTarget | None = None) -> tuple[Space, Discovery]:
    """(`space` with what its model declares, the discovery itself)."""
    ref = space.resolved().source.model
    if ref is None:
        return space, Discovery((), frozenset(), 0)
    own = {p.name: space.params[p.name] for p in space.user}
    found = discover(load_user_model(ref, target), str(ref), space.defaults(), target, own)
    return (merge(space, found.declared) if found.declared else space), found


def load_user_model(ref: CodeRef, target: ModelTarget | None = None) -> UserModel:
    from engine.model.builder import quiet_tensorflow

    quiet_tensorflow()  # the user's module imports Keras: TensorFlow stays silent
    return resolve(ref.load_object("model"), str(ref), target)

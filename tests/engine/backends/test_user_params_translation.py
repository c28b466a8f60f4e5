"""A user model's own parameters reach both backends' spaces like the built-in ones."""

from __future__ import annotations

from sklearn.model_selection import ParameterGrid

from engine.backends.keras_tuner.hyperparameters import to_config, to_hyperparameters
from engine.backends.sklearn.grid import param_grid
from engine.space import Space

SPACE = Space.from_dict(
    {
        "model": "net.py:build",
        "params": {
            "filters": [8, 16],
            "pooling": ["max", "avg"],
            "units": {"min": 8, "max": 32, "step": 8},
        },
        "training": {"batch_size": [32, 64]},
    }
)


def test_keras_tuner_declares_them() -> None:
    hp = to_hyperparameters(SPACE)
    names = {p.name for p in hp.space}
    assert {"filters", "pooling", "units", "batch_size"} <= names
    assert "nodes" not in names and "dropout" not in names  # the built-in model's are gone
    units = next(p for p in hp.space if p.name == "units")
    assert (units.min_value, units.max_value, units.step) == (8, 32, 8)
    config = to_config(SPACE, {**hp.values, "filters": 16, "tuner/epochs": 3})
    assert config["filters"] == 16 and "tuner/epochs" not in config


def test_scikit_learn_routes_them_to_the_model_and_lists_the_whole_grid() -> None:
    candidates = list(ParameterGrid(param_grid(SPACE)))
    assert len(candidates) == SPACE.grid_size() == 2 * 2 * 4 * 2
    assert {c["model__pooling"] for c in candidates} == {"max", "avg"}
    assert {c["batch_size"] for c in candidates} == {32, 64}
    plain = [{k.removeprefix("model__"): v for k, v in c.items()} for c in candidates]
    as_tuples = {tuple(sorted(c.items())) for c in plain}
    assert as_tuples == {tuple(sorted(c.items())) for c in SPACE.grid()}

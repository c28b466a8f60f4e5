"""A space for the user's own model: `model`, `data`, `task`, `objective` and `params`."""

from __future__ import annotations

import pytest

from engine.errors import InputError, SpaceError
from engine.objective.metric import Objective
from engine.space import Space
from engine.space.hyperparameters import Choice, Float, Int

USER = {
    "model": "net.py:build",
    "data": "net.py:load",
    "task": "classification",
    "objective": {"metric": "val_loss", "direction": "min"},
    "params": {
        "conv_layers": [1, 2],
        "filters": [8, 16],
        "units": {"min": 16, "max": 256, "sampling": "log"},
        "rate": {"min": 0, "max": 0.5, "step": 0.25},
        "pooling": ["max", "avg"],
        "batchnorm": [True, False],
    },
    "training": {"batch_size": [32, 64], "epochs": 20},
    "optimizer": {"name": ["adam", "sgd"], "learning_rate": 0.001},
}


def test_a_user_space_round_trips_and_keeps_the_file_order() -> None:
    space = Space.from_dict(USER)
    assert Space.from_dict(space.to_dict()) == space
    assert list(space.to_dict())[:6] == ["model", "data", "task", "objective", "params", "training"]
    assert "architecture" not in space.to_dict() and "nodes" not in space.params
    assert str(space.source.model) == "net.py:build" and space.source.data.function == "load"
    assert space.source.objective == Objective("val_loss", "min")


def test_param_types_are_read_from_their_values() -> None:
    params = Space.from_dict(USER).params
    assert params["conv_layers"] == Choice((1, 2))
    assert isinstance(params["units"], Int) and params["units"].sampling == "log"
    assert isinstance(params["rate"], Float) and params["rate"].values() == (0.0, 0.25, 0.5)
    assert params["batchnorm"].values() == (True, False)


def test_user_params_are_searched_and_counted_like_builtin_ones() -> None:
    space = Space.from_dict(
        {
            **USER,
            "params": {
                "filters": [8, 16],
                "pooling": ["max", "avg"],
                "rate": {"min": 0, "max": 0.5, "step": 0.25},
            },
        }
    )
    assert space.grid_size() == 2 * 2 * 3 * 2 * 2  # filters, pooling, rate, batch, optimizer
    configs = list(space.grid())
    assert len(configs) == len({tuple(sorted(c.items())) for c in configs}) == 48
    assert {c["pooling"] for c in configs} == {"max", "avg"}
    assert set(space.tuned()) == {"filters", "pooling", "rate", "batch_size", "optimizer"}
    assert Space.from_dict(USER).continuous() == ("params.units",)  # log, no step: continuous


def test_without_a_model_the_builtin_space_is_unchanged() -> None:
    space = Space.from_dict({"params": {"units": [8, 16]}})
    assert "nodes" in space.params and "units" in space.params
    assert space.source.model is None and space.source.objective is None


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        (
            {"params": {"nodes": [1, 2]}},
            "params.nodes: clashes with the built-in parameter architecture.nodes",
        ),
        (
            {"params": {"class": [1, 2]}},
            "params.class: a parameter name must be a Python identifier",
        ),
        ({"params": {"n_outputs": 3}}, "params.n_outputs: n_outputs is passed to the build"),
        ({"params": {"x": [1, "a"]}}, "params.x: values must share one type"),
        ({"params": {"x": []}}, "params.x: empty choice"),
        ({"params": {"x": {"min": 1}}}, "params.x: a range needs 'max'"),
        ({"params": [1, 2]}, "params: expected a mapping"),
        (
            {"model": "net.py:build", "architecture": {"nodes": [8, 16]}},
            "architecture: belongs to the built-in model",
        ),
        ({"model": "net.py"}, "model: expected FILE.py:FUNCTION"),
        ({"model": "net.py:9build"}, "model: '9build' is not a Python function name"),
        ({"data": "no such thing:load"}, "data: 'no such thing' is neither a .py file"),
        ({"task": "ranking"}, "task: must be classification or regression"),
        ({"objective": "val_sharpness"}, "objective: cannot tell whether val_sharpness"),
        (
            {"objective": {"metric": "val_loss", "direction": "down"}},
            "objective.direction: must be min or max",
        ),
        ({"objective": {"metric": "val_loss", "goal": "min"}}, "objective.goal: unknown key"),
        ({"modle": "net.py:build"}, "modle: unknown group (did you mean 'model'?)"),
    ],
)
def test_bad_user_spaces_name_the_field(raw, words) -> None:
    with pytest.raises(InputError) as info:
        Space.from_dict(raw)
    assert str(info.value).startswith(words), str(info.value)


@pytest.mark.parametrize(
    ("raw", "metric", "direction"),
    [
        ("val_auc", "val_auc", "max"),
        ("val_loss", "val_loss", "min"),
        ("val_rmse", "val_rmse", "min"),
        ("val_precision_1", "val_precision_1", "max"),
        ("val_sharpness:max", "val_sharpness", "max"),
        ({"metric": "val_mae"}, "val_mae", "min"),
    ],
)
def test_objectives_infer_their_direction(raw, metric, direction) -> None:
    assert Objective.parse(raw) == Objective(metric, direction)


def test_an_objective_ranks_either_way() -> None:
    loss, acc = Objective("val_loss", "min"), Objective("val_accuracy", "max")
    assert loss.better(0.1, 0.2) and not acc.better(0.1, 0.2) and loss.better(5.0, None)
    assert sorted([0.3, 0.1, 0.2], key=loss.rank_key) == [0.1, 0.2, 0.3]
    assert sorted([0.3, 0.1, 0.2], key=acc.rank_key) == [0.3, 0.2, 0.1]


def test_relative_files_resolve_against_the_space_file(tmp_path) -> None:
    (tmp_path / "proj").mkdir()
    path = tmp_path / "proj" / "space.yaml"
    path.write_text("model: net.py:build\ndata: mypkg.data:load\n")
    space = Space.load(path)
    assert str(space.source.model) == "net.py:build"  # saved as written
    resolved = space.resolved()
    assert resolved.source.model.target == str(tmp_path / "proj" / "net.py")
    assert resolved.source.data.target == "mypkg.data"  # a module stays a module
    assert isinstance(SpaceError("x", "y"), InputError)


def test_a_user_model_may_reuse_the_builtin_models_names() -> None:
    """`nodes` is only the built-in model's: a space naming its own model may use the name."""
    space = Space.from_dict({"model": "net.py:build", "params": {"nodes": [8, 16]}})
    assert space.spec("nodes").group == "params" and space.tuned() == ("nodes",)
    with pytest.raises(
        SpaceError, match="params.epochs: clashes with the built-in parameter training.epochs"
    ):
        Space.from_dict({"model": "net.py:build", "params": {"epochs": [1, 2]}})

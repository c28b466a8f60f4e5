"""W&B sweeps and NNI search spaces read as tunedeck spaces and written back: known names in
their groups, the rest in `params`, and the same configurations both ways (grid-enumerated for
finite spaces, each side enumerated by its own rules)."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from engine.space import Space
from engine.space.convert_nni import to_nni
from engine.space.convert_wandb import to_sweep
from tests.engine.cli_helpers import isolated_cli, tunedeck  # noqa: F401

pytestmark = pytest.mark.usefixtures("isolated_cli")

SWEEP = {
    "program": "train.py",
    "method": "grid",
    "metric": {"name": "val_accuracy", "goal": "maximize"},
    "parameters": {
        "lr": {"values": [0.001, 0.01]},
        "batch_size": {"values": [16, 64]},
        "epochs": {"value": 3},
        "optimizer": {"values": ["adam", "rmsprop"]},
        "units": {"distribution": "q_uniform", "min": 32, "max": 96, "q": 32},
        "dropout": {"values": [0.0, 0.25]},
    },
}
NNI = {
    "learning_rate": {"_type": "choice", "_value": [0.1, 0.01]},
    "num_layers": {"_type": "randint", "_value": [1, 4]},
    "filters": {"_type": "quniform", "_value": [8, 24, 8]},
    "activation": {"_type": "choice", "_value": ["relu", "tanh"]},
}


def sweep_configs(sweep: dict[str, Any]) -> list[dict[str, Any]]:
    """A W&B grid by W&B's rules: each parameter's values (q_uniform: the multiples of q)."""
    axes = {}
    for name, spec in sweep["parameters"].items():
        if "value" in spec:
            axes[name] = [spec["value"]]
        elif "values" in spec:
            axes[name] = spec["values"]
        else:
            q = spec["q"]
            axes[name] = list(range(spec["min"], spec["max"] + 1, q))
    return [dict(zip(axes, combo, strict=True)) for combo in itertools.product(*axes.values())]


def nni_configs(space: dict[str, Any]) -> list[dict[str, Any]]:
    """An NNI grid by NNI's rules: randint's upper bound excluded, quniform's multiples of q."""
    axes = {}
    for name, spec in space.items():
        kind, value = spec["_type"], spec["_value"]
        if kind == "choice":
            axes[name] = value
        elif kind == "randint":
            axes[name] = list(range(value[0], value[1]))
        else:
            axes[name] = list(range(value[0], value[1] + 1, value[2]))
    return [dict(zip(axes, combo, strict=True)) for combo in itertools.product(*axes.values())]


def tunedeck_configs(space: Space, names: dict[str, str]) -> list[dict[str, Any]]:
    """The space's grid, seen through the source's names (`{source name: tunedeck name}`)."""
    return [{src: config[own] for src, own in names.items()} for config in space.grid()]


def same(a: list[dict[str, Any]], b: list[dict[str, Any]]) -> bool:
    key = lambda c: json.dumps(c, sort_keys=True)  # noqa: E731
    return sorted(map(key, a)) == sorted(map(key, b))


def write(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data) if path.suffix == ".json" else yaml.safe_dump(data))
    return path


def test_a_sweep_lands_in_the_built_in_groups(tmp_path) -> None:
    space = Space.load(write(tmp_path / "sweep.yaml", SWEEP))
    body = space.to_dict()
    assert body["optimizer"]["learning_rate"] == [0.001, 0.01]
    assert body["optimizer"]["name"] == ["adam", "rmsprop"]
    assert body["training"]["epochs"] == 3 and body["training"]["batch_size"] == [16, 64]
    assert body["architecture"]["nodes"] == {"min": 32, "max": 96, "step": 32}
    assert body["objective"] == {"metric": "val_accuracy", "direction": "max"}
    assert "lr → optimizer.learning_rate" in space.note
    assert "method grid: run it with --algorithm grid; not used here: program" in space.note
    names = {
        "lr": "learning_rate",
        "batch_size": "batch_size",
        "epochs": "epochs",
        "optimizer": "optimizer",
        "units": "nodes",
        "dropout": "dropout",
    }
    assert same(tunedeck_configs(space, names), sweep_configs(SWEEP))
    assert space.grid_size() == len(sweep_configs(SWEEP)) == 48


def test_unknown_names_go_to_params_with_the_model_names(tmp_path) -> None:
    sweep = {
        "parameters": {
            "lr": {"min": 0.0001, "max": 0.1, "distribution": "log_uniform"},
            "kernel": {"values": [3, 5]},
            "units": {"min": 8, "max": 64},
        }
    }
    space = Space.load(write(tmp_path / "sweep.yaml", sweep))
    body = space.to_dict()
    assert body["params"] == {"kernel": [3, 5]}
    assert body["architecture"]["nodes"] == {"min": 8, "max": 64}
    assert body["optimizer"]["learning_rate"]["sampling"] == "log"
    assert "params are your own model's (name it: model: FILE.py:FUNCTION" in space.note


def test_nni_space_matches_nni_s_own_grid(tmp_path) -> None:
    space = Space.load(write(tmp_path / "search_space.json", NNI))
    assert space.to_dict()["architecture"]["layers"] == {"min": 1, "max": 3}  # randint: [1, 4)
    architecture = space.to_dict()["architecture"]  # the built-in cnn's, switched on for it
    assert architecture["filters"] == {"min": 8, "max": 24, "step": 8}
    assert architecture["family"] == "cnn" and "family = cnn (for filters)" in space.note
    names = {
        "learning_rate": "learning_rate",
        "num_layers": "layers",
        "filters": "filters",
        "activation": "activation",
    }
    assert same(tunedeck_configs(space, names), nni_configs(NNI))


@pytest.mark.parametrize("tool", ["wandb", "nni"])
@pytest.mark.parametrize("source", ["sweep.yaml", "search_space.json", "own.yaml"])
def test_round_trip_gives_the_same_configurations(tmp_path, capsys, tool, source) -> None:
    data = {
        "sweep.yaml": SWEEP,
        "search_space.json": NNI,
        "own.yaml": {
            "model": "net.py:build",
            "params": {
                "width": {"min": 16, "max": 64, "step": 16},
                "wide": {"type": "boolean"},
                "rate": {"min": 0.1, "max": 0.3, "step": 0.1},
                "kind": "cnn",
            },
            "training": {"batch_size": [16, 32]},
            "optimizer": {"name": ["adam", "sgd"], "momentum": [0.0, 0.9]},
        },
    }[source]
    (tmp_path / "net.py").write_text("def build(hp):\n    return hp['width']\n")  # a mapping's
    original = Space.load(write(tmp_path / source, data))
    code, out, err = tunedeck(capsys, "space", "--from", source, "--to", tool)
    assert code == 0, err
    back = Space.load(
        write(
            tmp_path / ("back.yaml" if tool == "wandb" else "back.json"),
            yaml.safe_load(out) if tool == "wandb" else json.loads(out),
        )
    )
    names = {n: n for n in original.params}
    assert original.grid_size() == back.grid_size() is not None
    assert same(tunedeck_configs(original, names), tunedeck_configs(back, names))


def test_exports_say_the_tools_own_words(tmp_path) -> None:
    space = Space.from_dict(
        {
            "objective": "val_loss",
            "training": {"batch_size": [16, 32]},
            "optimizer": {"learning_rate": {"min": 0.001, "max": 0.1, "sampling": "log"}},
        }
    )
    sweep = to_sweep(space)
    assert sweep["method"] == "random" and sweep["metric"] == {
        "name": "val_loss",
        "goal": "minimize",
    }
    assert sweep["parameters"] == {
        "batch_size": {"values": [16, 32]},
        "learning_rate": {"distribution": "log_uniform_values", "min": 0.001, "max": 0.1},
    }
    assert to_nni(space)["learning_rate"] == {"_type": "loguniform", "_value": [0.001, 0.1]}


def test_validate_and_run_take_a_sweep_as_it_is(tmp_path, capsys) -> None:
    write(tmp_path / "sweep.yaml", SWEEP)
    code, out, err = tunedeck(capsys, "validate", "sweep.yaml")
    assert code == 0, err
    assert "grid of 48 configurations" in out
    assert err.startswith("tunedeck: converted a W&B sweep: ") and err.count("\n") == 1
    assert "lr → optimizer.learning_rate" in err
    code, out, err = tunedeck(
        capsys, "run", "sweep.yaml", "--backend", "fake", "--max-trials", "3", "--run-dir", "r"
    )
    assert code == 0, err
    saved = Space.load(tmp_path / "r" / "space.yaml")
    assert saved.params["learning_rate"].values() == (0.001, 0.01) and not saved.note


@pytest.mark.parametrize("tool", ["wandb", "nni"])
def test_the_built_in_space_survives_the_round_trip(tmp_path, tool) -> None:
    """Its conditional parameters (beta_1 under Adam) are the catalogue's: exported flat, they
    come back conditional."""
    from engine.space import default_space

    space = default_space()
    data = to_sweep(space) if tool == "wandb" else to_nni(space)
    back = Space.load(write(tmp_path / ("s.yaml" if tool == "wandb" else "s.json"), data))
    assert back.grid_size() == space.grid_size()
    assert same(list(back.grid()), list(space.grid()))

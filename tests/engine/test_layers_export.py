"""The exported standalone script of a per-layer search builds the layers the search built."""

from __future__ import annotations

import json
from pathlib import Path

import keras
import pytest
import yaml

from engine.run.rundir import MODEL
from tests.engine.cli_helpers import isolated_cli, python, tunedeck  # noqa: F401 - fixture

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("isolated_cli")]
SPACE = {
    "architecture": {
        "layers": [
            {
                "nodes": 12,
                "activation": "linear",
                "kernel_regularizer": "l2",
                "kernel_strength": 0.001,
                "bias_regularizer": "l2",
                "bias_strength": 0.002,
                "activity_regularizer": "l1",
                "activity_strength": 0.003,
            },
            {"nodes": [6, 9], "activation": "relu", "initializer": "he_uniform", "dropout": 0.5},
        ]
    },
    "training": {"batch_size": 64, "epochs": 1},
    "early_stopping": {"enabled": False},
}
LAYERS = """
import json, sys, importlib.util
spec = importlib.util.spec_from_file_location("train", "train.py")
script = importlib.util.module_from_spec(spec)
spec.loader.exec_module(script)
model = script.build((8, 8), 10, "classification")
print(json.dumps([[type(l).__name__, l.get_config()] for l in model.layers]))
"""


def described(layers: list) -> list:
    """What makes two models the same: each layer's class and configuration, less its seed."""
    out = []
    for kind, config in layers:
        if kind == "InputLayer":
            continue
        config = {k: v for k, v in config.items() if k not in ("seed", "dtype")}
        out.append([kind, json.loads(json.dumps(config, default=str))])
    return out


def test_the_script_builds_the_searched_layers_and_trains(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "space.yaml").write_text(yaml.safe_dump(SPACE))
    code, _, err = tunedeck(
        capsys,
        "run",
        "space.yaml",
        "--backend",
        "keras-tuner",
        "--algorithm",
        "grid",
        "--subsample",
        "200",
        "--run-dir",
        "r",
    )
    assert code == 0, err
    code, _, err = tunedeck(capsys, "export", "r", "--format", "python", "-o", "train.py")
    assert code == 0, err
    built = python(tmp_path, "-c", LAYERS)
    assert built.returncode == 0, built.stderr
    searched = keras.models.load_model(tmp_path / "r" / MODEL)
    expected = [[type(layer).__name__, layer.get_config()] for layer in searched.layers]
    assert described(json.loads(built.stdout)) == described(expected)
    kinds = [kind for kind, _ in described(expected)]
    assert kinds == ["Flatten", "Dense", "Dense", "Dropout", "Dense"]

    run = python(tmp_path, "train.py")
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip().splitlines()[-1].startswith("test accuracy: ")

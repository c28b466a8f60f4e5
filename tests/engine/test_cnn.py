"""The cnn family of the built-in model: convolution blocks before the Dense head, their
parameters conditional on `architecture.family`, counted in grids, searched by both backends,
refused on data that are not images, and reproduced by the exported script."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from engine.cli import main
from engine.run.journal import read_run
from engine.run.results import replay
from engine.space import Space
from tests.engine.test_export_reproduces import constant, reproduce

CNN_PARAMS = ("conv_layers", "filters", "kernel_size", "pooling", "batch_norm")


def test_cnn_parameters_count_only_under_the_cnn_family() -> None:
    both = {
        "architecture": {"family": ["mlp", "cnn"], "filters": [8, 16], "pooling": ["max", "none"]}
    }
    assert Space.from_dict(both).grid_size() == 1 + 2 * 2
    only_mlp = {"architecture": {"family": "mlp", "filters": [8, 16]}}
    assert Space.from_dict(only_mlp).grid_size() == 1  # filters do nothing for an MLP
    defaults = Space.from_dict({}).defaults()
    assert defaults["family"] == "mlp" and all(name in defaults for name in CNN_PARAMS)


@pytest.mark.parametrize(("shape", "pools"), [((8, 8), 3), ((28, 28), 4), ((32, 32, 3), 4)])
def test_the_built_in_cnn_keeps_image_shapes(shape: tuple, pools: int) -> None:
    from engine.model.keras_build import build_model

    config = Space.from_dict({}).defaults() | {
        "family": "cnn",
        "conv_layers": 4,
        "filters": 4,
        "batch_norm": True,
    }
    model = build_model(config, shape, 10)
    names = [layer.name for layer in model.layers]
    assert sum(n.startswith("conv_") for n in names) == 4
    assert sum(n.startswith("batch_norm_") for n in names) == 4
    assert sum(n.startswith("pool_") for n in names) == pools  # only while at least 2x2
    assert ("channels" in names) == (len(shape) == 2) and model.output_shape == (None, 10)
    mlp = build_model(Space.from_dict({}).defaults(), shape, 10)
    assert not any(layer.name.startswith("conv_") for layer in mlp.layers)


def test_cnn_on_a_table_is_one_line_before_any_run_dir(tmp_path: Path, capsys) -> None:
    (tmp_path / "space.yaml").write_text("architecture:\n  family: [mlp, cnn]\n")
    code = main(
        [
            "run",
            str(tmp_path / "space.yaml"),
            "--dataset",
            "iris",
            "--backend",
            "keras-tuner",
            "--run-dir",
            str(tmp_path / "run"),
        ]
    )
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "architecture.family: cnn needs images" in err and "(4,)" in err
    assert not (tmp_path / "run").exists()


SPACE = """architecture:
  family: [mlp, cnn]
  conv_layers: 1
  filters: [4, 8]
  nodes: 16
training:
  batch_size: 64
"""


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["keras-tuner", "sklearn"])
def test_both_backends_search_the_families(tmp_path: Path, backend: str) -> None:
    (tmp_path / "space.yaml").write_text(SPACE)
    run = tmp_path / "run"
    code = main(
        [
            "run",
            str(tmp_path / "space.yaml"),
            "--dataset",
            "digits",
            "--subsample",
            "300",
            "--backend",
            backend,
            "--algorithm",
            "grid",
            "--max-trials",
            "3",
            "--epochs",
            "1",
            "--cv",
            "2",
            "--quiet",
            "--run-dir",
            str(run),
        ]
    )
    assert code == 0
    trials = replay(read_run(run)).trials.values()
    configs = {(t.hyperparameters["family"], t.hyperparameters["filters"]) for t in trials}
    assert {family for family, _ in configs} == {"mlp", "cnn"}
    assert {f for family, f in configs if family == "cnn"} == {4, 8}
    assert all(t.status == "completed" for t in trials)


@pytest.mark.slow
def test_the_script_reproduces_a_cnn(tmp_path: Path) -> None:
    space = "architecture:\n  family: cnn\n  conv_layers: 1\n  filters: [4, 8]\n"
    line, best, script = reproduce(
        tmp_path, "--dataset", "digits", "--subsample", "300", space=space
    )
    assert line == f"test accuracy: {best['test_score']:.4f}"
    assert constant(script, "CONFIG")["family"] == "cnn"
    assert yaml.safe_load((tmp_path / "run" / "best.yaml").read_text())["hyperparameters"][
        "filters"
    ] in (4, 8)


def test_a_user_models_own_filters_are_not_the_cnn_families() -> None:
    """A user's `filters` shares its name with the catalogue's cnn parameter but not its
    condition: the built-in `family` is not in a user model's configuration."""
    space = Space.from_dict(
        {"model": "net.py:build", "params": {"filters": [4, 8], "pooling": ["max", "avg"]}}
    )
    assert space.canonical({**space.defaults(), "filters": 8, "pooling": "avg"})["filters"] == 8
    assert space.grid_size() == 4

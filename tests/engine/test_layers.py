"""`architecture.layers` as a list of layer specs: the tutorial's MLP, built, searched on both
backends, saved and read back, refused with the bad node's path."""

from __future__ import annotations

from pathlib import Path

import keras
import pytest
import yaml

from engine.errors import SpaceError
from engine.model import keras_build
from engine.run.kept import load_results
from engine.run.rundir import BEST, MODEL, SPACE
from engine.space import Space
from engine.space.convert_nni import to_nni
from engine.space.hyperparameters import Choice, Fixed
from engine.space.schema import is_active
from tests.engine.cli_helpers import isolated_cli, tunedeck  # noqa: F401 - fixture

TUTORIAL = """
architecture:
  layers:
    - {nodes: 64, activation: linear, kernel_regularizer: l2, kernel_strength: 0.001,
       bias_regularizer: l2, bias_strength: 0.001, activity_regularizer: l1, activity_strength: 0.001}
    - {nodes: [64, 100, 128], activation: relu, initializer: he_uniform, dropout: 0.5}
"""


def tutorial(**groups: object) -> Space:
    return Space.from_dict({**yaml.safe_load(TUTORIAL), **groups})


def test_the_tutorial_mlp_is_built_layer_by_layer() -> None:
    space = tutorial()
    config = {**space.defaults(), "layer_2_nodes": 100}
    model = keras_build.build_model(config, (64,), 10)
    dense = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    first, second, output = dense
    assert (first.units, second.units, output.units) == (64, 100, 10)
    assert first.activation.__name__ == "linear" and second.activation.__name__ == "relu"
    assert isinstance(first.kernel_initializer, keras.initializers.GlorotUniform)  # shared
    assert isinstance(second.kernel_initializer, keras.initializers.HeUniform)
    assert isinstance(first.kernel_regularizer, keras.regularizers.L2)
    assert float(first.kernel_regularizer.l2) == pytest.approx(0.001)
    assert isinstance(first.bias_regularizer, keras.regularizers.L2)
    assert float(first.bias_regularizer.l2) == pytest.approx(0.001)
    assert isinstance(first.activity_regularizer, keras.regularizers.L1)
    assert float(first.activity_regularizer.l1) == pytest.approx(0.001)
    for layer in (second, output):
        assert layer.kernel_regularizer is None and layer.bias_regularizer is None
        assert layer.activity_regularizer is None
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds == ["InputLayer", "Flatten", "Dense", "Dense", "Dropout", "Dense"]
    assert model.get_layer("dropout_2").rate == 0.5


def test_a_layer_without_a_setting_takes_the_shared_one() -> None:
    space = Space.from_dict(
        {
            "architecture": {"layers": [{"nodes": 8}, {}, {"activation": "tanh"}], "nodes": 5},
            "regularization": {"dropout": 0.25},
        }
    )
    assert space.params["layers"].default == 3
    model = keras_build.build_model(space.defaults(), (4,), 3)
    dense = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    assert [layer.units for layer in dense] == [8, 5, 5, 3]
    assert [layer.activation.__name__ for layer in dense[:3]] == ["relu", "relu", "tanh"]
    assert sum(isinstance(layer, keras.layers.Dropout) for layer in model.layers) == 3
    assert space.to_dict()["architecture"]["layers"] == [{"nodes": 8}, {}, {"activation": "tanh"}]


def test_the_list_form_survives_a_save_and_a_reload(tmp_path: Path) -> None:
    space = tutorial(regularization={"dropout": [0.0, 0.2]})
    for name in ("space.yaml", "space.json"):
        space.save(tmp_path / name)
        again = Space.load(tmp_path / name)
        assert again == space
        assert (
            again.to_dict()["architecture"]["layers"]
            == yaml.safe_load(TUTORIAL)["architecture"]["layers"]
        )
    assert space.tuned() == ("layer_2_nodes", "dropout")
    assert space.grid_size() == 6
    assert len(list(space.grid())) == 6


def test_a_layer_strength_depends_on_its_own_regularizer() -> None:
    space = Space.from_dict(
        {
            "architecture": {
                "layers": [
                    {"kernel_regularizer": ["none", "l2"], "kernel_strength": [0.1, 0.2]},
                    {"kernel_strength": [0.3, 0.4]},
                ]
            }
        }
    )
    assert space.spec("layer_1_kernel_strength").parent == "layer_1_kernel_regularizer"
    assert space.spec("layer_2_kernel_strength").parent == "kernel_regularizer"
    assert space.grid_size() == 3  # layer 1: none, or l2 at two strengths; layer 2's is off
    config = {**space.defaults(), "layer_1_kernel_regularizer": "none"}
    assert not space.is_active("layer_1_kernel_strength", config)
    assert not is_active("layer_1_kernel_strength", config)  # the catalogue's own reading
    assert is_active("layer_1_kernel_strength", {**config, "layer_1_kernel_regularizer": "l1"})
    assert not is_active("layer_2_kernel_strength", config)


@pytest.mark.parametrize(
    ("layers", "words"),
    [
        ([{"nodes": 4}, {"nodes": 0}], "architecture.layers[1].nodes: must be >= 1, got 0"),
        ([{"nodez": 4}], "architecture.layers[0].nodez: unknown setting of a layer"),
        ([{"activation": "relux"}], "architecture.layers[0].activation: unknown activation"),
        ([{"nodes": 4}, 3], "architecture.layers[1]: expected a mapping of the layer's settings"),
        ([{"dropout": {"min": 0.1, "max": 1.5}}], "architecture.layers[0].dropout.max: must be"),
    ],
)
def test_a_bad_layer_setting_names_its_path(layers: list, words: str) -> None:
    with pytest.raises(SpaceError) as caught:
        Space.from_dict({"architecture": {"layers": layers}})
    assert words in str(caught.value)


@pytest.mark.usefixtures("isolated_cli")
def test_a_bad_layer_setting_through_the_cli_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "space.yaml"
    path.write_text("architecture:\n  layers:\n    - {nodes: 8}\n    - {nodes: -3}\n")
    code, out, err = tunedeck(capsys, "run", str(path), "--backend", "fake", "--run-dir", "r")
    assert code == 2
    assert err.strip().count("\n") == 0 and "Traceback" not in err
    assert "architecture.layers[1].nodes: must be >= 1" in err and "space.yaml" in err
    assert not (tmp_path / "r").exists()


def test_nni_export_refuses_per_layer_settings_in_one_line() -> None:
    with pytest.raises(SpaceError, match="per-layer settings have no NNI equivalent"):
        to_nni(tutorial())


@pytest.mark.usefixtures("isolated_cli")
@pytest.mark.parametrize(("backend", "algorithm"), [("keras-tuner", "random"), ("sklearn", "grid")])
def test_a_tuned_layer_setting_is_searched_on_both_backends(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, backend: str, algorithm: str
) -> None:
    layers = yaml.safe_load(TUTORIAL)["architecture"]["layers"]
    layers[1]["nodes"] = [4, 6]
    space = {
        "architecture": {"layers": layers},
        "training": {"batch_size": 64, "epochs": 1},
        "early_stopping": {"enabled": False},
    }
    path = tmp_path / "space.yaml"
    path.write_text(yaml.safe_dump(space))
    code, _, err = tunedeck(
        capsys,
        "run",
        str(path),
        "--backend",
        backend,
        "--algorithm",
        algorithm,
        "--max-trials",
        "2",
        "--cv",
        "2",
        "--subsample",
        "200",
        "--run-dir",
        "r",
    )
    assert code == 0, err
    results = load_results(tmp_path / "r")
    seen = {t.hyperparameters["layer_2_nodes"] for t in results.trials.values()}
    assert seen <= {4, 6} and (algorithm != "grid" or seen == {4, 6})
    assert all(t.hyperparameters["layer_1_activation"] == "linear" for t in results.trials.values())
    best = keras.models.load_model(tmp_path / "r" / MODEL)
    units = [layer.units for layer in best.layers if isinstance(layer, keras.layers.Dense)]
    assert units == [64, results.best.hyperparameters["layer_2_nodes"], 10]
    assert Space.load(tmp_path / "r" / SPACE).params["layer_2_nodes"].values() == (4, 6)


@pytest.mark.usefixtures("isolated_cli")
def test_the_best_configuration_reads_back_as_a_list_of_layers(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "space.yaml").write_text(TUTORIAL)
    code, _, err = tunedeck(
        capsys,
        "run",
        "space.yaml",
        "--backend",
        "fake",
        "--algorithm",
        "grid",
        "--epochs",
        "1",
        "--run-dir",
        "r",
    )
    assert code == 0, err
    best = Space.load(tmp_path / "r" / BEST)
    winner = load_results(tmp_path / "r").best.hyperparameters
    assert best.tuned() == ()
    layers = best.to_dict()["architecture"]["layers"]
    assert len(layers) == 2 and layers[0]["activation"] == "linear"
    assert layers[1]["nodes"] == winner["layer_2_nodes"] and layers[1]["dropout"] == 0.5
    assert best.defaults() == {**best.defaults(), **winner}


@pytest.mark.usefixtures("isolated_cli")
def test_the_summary_describes_each_layer(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "space.yaml").write_text(TUTORIAL)
    code, out, err = tunedeck(capsys, "summary", "space.yaml")
    assert code == 0, err
    assert out.startswith("64 linear/glorot_uniform → 64 relu/he_uniform dropout 0.5 | adam")
    assert "dropout_2 (Dropout)" in out and "dropout_1" not in out


def test_the_list_sets_how_many_layers_there_are() -> None:
    space = Space.from_dict({"architecture": {"layers": [{"nodes": 4}, {"dropout": 0.5}]}})
    longer = space.with_param("layers", Fixed(3))  # a layer more, with the shared settings
    assert longer.to_dict()["architecture"]["layers"] == [{"nodes": 4}, {"dropout": 0.5}, {}]
    with pytest.raises(SpaceError, match="1 layers, but layer 2 has settings of its own"):
        space.with_param("layers", Fixed(1))
    with pytest.raises(SpaceError, match="a list of layers fixes their number"):
        space.with_param("layers", Choice((1, 2)))
    assert Space.from_dict({"architecture": {"layers": [1, 2]}}).tuned() == ("layers",)

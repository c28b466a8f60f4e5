"""The search space: validation messages, lossless round trips, grid counting, defaults."""

from __future__ import annotations

import json
import random

import pytest
import yaml

from engine.errors import InputError, SpaceError
from engine.space import Space, default_space
from engine.space.hyperparameters import Boolean, Choice, Fixed, Float, Int, describe
from engine.space.schema import PARAMS

BAD = [
    # (space dict, path named in the error, words in the message)
    (
        {"optimizer": {"learnig_rate": 0.1}},
        "optimizer.learnig_rate",
        "did you mean 'learning_rate'",
    ),
    ({"optimiser": {}}, "optimiser", "did you mean 'optimizer'"),
    ({"optimizer": {"learning_rate": []}}, "optimizer.learning_rate", "empty choice"),
    ({"architecture": {"nodes": [16, 32, 16]}}, "architecture.nodes[2]", "duplicate value 16"),
    ({"architecture": {"nodes": {"min": 64, "max": 16}}}, "architecture.nodes", "greater than max"),
    ({"optimizer": {"learning_rate": -0.1}}, "optimizer.learning_rate", "must be > 0"),
    ({"optimizer": {"learning_rate": [0.1, 0]}}, "optimizer.learning_rate[1]", "must be > 0"),
    (
        {"optimizer": {"beta_1": {"min": 0.5, "max": 0.9, "sampling": "log", "step": 1}}},
        "optimizer.beta_1.step",
        "factor > 1",
    ),
    (
        {"architecture": {"nodes": {"min": 0, "max": 8, "sampling": "log"}}},
        "architecture.nodes.min",
        ">= 1",
    ),
    (
        {"optimizer": {"beta_1": {"min": 0.0, "max": 0.9, "sampling": "log"}}},
        "optimizer.beta_1.min",
        "log sampling needs min > 0",
    ),
    ({"regularization": {"dropout": [0.0, 1.0]}}, "regularization.dropout[1]", "must be < 1"),
    ({"regularization": {"dropout": -0.1}}, "regularization.dropout", "must be >= 0"),
    ({"training": {"batch_size": 0}}, "training.batch_size", "must be >= 1"),
    ({"optimizer": {"name": "adamm"}}, "optimizer.name", "unknown optimizer 'adamm'"),
    (
        {"architecture": {"activation": ["relu", "relux"]}},
        "architecture.activation[1]",
        "unknown activation",
    ),
    ({"architecture": {"initializer": "zeros"}}, "architecture.initializer", "unknown initializer"),
    (
        {"regularization": {"kernel_regularizer": "l3"}},
        "regularization.kernel_regularizer",
        "unknown kernel_regularizer",
    ),
    ({"training": {"epochs": "ten"}}, "training.epochs", "expected an integer"),
    ({"training": {"batch_size": 3.5}}, "training.batch_size", "expected an integer"),
    ({"training": {"batch_size": True}}, "training.batch_size", "expected an integer"),
    ({"early_stopping": {"enabled": "yes"}}, "early_stopping.enabled", "expected true or false"),
    (
        {"architecture": {"nodes": {"min": 1, "max": 4, "stepp": 1}}},
        "architecture.nodes.stepp",
        "unknown key",
    ),
    (
        {"architecture": {"nodes": {"values": [8], "default": 16}}},
        "architecture.nodes.default",
        "not one of the values",
    ),
    (
        {"architecture": {"activation": {"min": 1, "max": 2}}},
        "architecture.activation",
        "takes a list or a value",
    ),
    (
        {"architecture": {"nodes": {"type": "float", "min": 1, "max": 2}}},
        "architecture.nodes.type",
        "not float",
    ),
    ({"architecture": {"nodes": {"type": "dice"}}}, "architecture.nodes.type", "unknown type"),
    ({"training": ["batch_size"]}, "training", "expected a mapping"),
    ({"optimizer": {"learning_rate": {"min": 0.1}}}, "optimizer.learning_rate", "needs 'max'"),
    (
        {"optimizer": {"learning_rate": {"min": 0.1, "max": 1, "sampling": "cubic"}}},
        "optimizer.learning_rate.sampling",
        "linear or log",
    ),
    ({"training": {"validation_split": 1.0}}, "training.validation_split", "must be < 1"),
    ({"optimizer": {"learning_rate": float("nan")}}, "optimizer.learning_rate", "finite"),
]


@pytest.mark.parametrize(("data", "path", "words"), BAD, ids=[b[1] for b in BAD])
def test_invalid_spaces_name_the_bad_node(data: dict, path: str, words: str) -> None:
    with pytest.raises(SpaceError) as info:
        Space.from_dict(data)
    assert info.value.path == path
    assert words in str(info.value)
    assert "\n" not in str(info.value)


def test_a_space_that_is_not_a_mapping_is_refused() -> None:
    with pytest.raises(SpaceError, match="mapping of groups"):
        Space.from_dict([1, 2])


def test_omitted_parameters_are_fixed_at_their_catalogue_default() -> None:
    space = Space.from_dict({"architecture": {"nodes": [8, 16]}})
    assert space.params["nodes"] == Choice((8, 16))
    assert space.params["batch_size"] == Fixed(32)
    assert space.tuned() == ("nodes",)


def test_float_parameters_accept_ints_and_exponent_strings() -> None:
    space = Space.from_dict({"optimizer": {"learning_rate": ["1e-3", 1]}})
    assert space.params["learning_rate"] == Choice((0.001, 1.0))


def test_default_space_reproduces_the_tutorial() -> None:
    p = default_space().params
    assert p["nodes"].values() == (16, 32, 64)
    assert p["batch_size"].values() == (16, 32, 64)
    assert p["activation"].values() == ("relu", "tanh", "sigmoid")
    assert p["optimizer"].values() == ("adam", "sgd", "adagrad")
    assert p["learning_rate"].values() == (0.01, 0.05, 0.1, 0.3)
    assert {"l2"} <= set(p["kernel_regularizer"].values()) and p["kernel_strength"].value == 0.01
    assert {"l2"} <= set(p["bias_regularizer"].values()) and p["bias_strength"].value == 0.001
    assert {"l1"} <= set(p["activity_regularizer"].values())
    assert p["activity_strength"].value == 0.01
    assert set(p["initializer"].values()) == {"he_uniform", "glorot_uniform"}
    assert 0.5 in p["dropout"].values()
    assert "cosine_restarts" in p["schedule"].values() and p["first_decay_steps"].value == 1000
    assert 0.89 in p["beta_1"].values()
    assert p["monitor"].value == "val_loss" and p["patience"].value == 10
    assert p["epochs"].value == 30


def test_every_parameter_has_a_default_in_every_space() -> None:
    defaults = default_space().defaults()
    assert set(defaults) == {p.name for p in PARAMS}


RICH = {
    "training": {"batch_size": {"min": 16, "max": 128, "step": 16}, "epochs": [5, 10]},
    "optimizer": {
        "name": {"values": ["adam", "sgd", "nadam"], "default": "sgd"},
        "learning_rate": {"min": 0.0001, "max": 0.1, "sampling": "log", "default": 0.001},
        "momentum": {"min": 0.0, "max": 0.9, "step": 0.3},
    },
    "architecture": {
        "layers": {"min": 1, "max": 3},
        "nodes": {"min": 8, "max": 64, "step": 2, "sampling": "log"},
    },
    "early_stopping": {"restore_best_weights": {"type": "boolean", "default": True}},
}


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_save_and_load_round_trip_is_identity(tmp_path, suffix: str) -> None:
    for space in (default_space(), Space.from_dict(RICH), Space()):
        path = tmp_path / f"space{suffix}"
        space.save(path)
        again = Space.load(path)
        assert again == space
        again.save(path)
        assert Space.load(path) == space
        text = path.read_text()
        parsed = json.loads(text) if suffix == ".json" else yaml.safe_load(text)
        assert Space.from_dict(parsed).to_dict() == parsed


def test_rich_space_kinds_and_describe() -> None:
    space = Space.from_dict(RICH)
    assert space.params["batch_size"] == Int(16, 128, 16)
    assert space.params["learning_rate"] == Float(0.0001, 0.1, None, "log", 0.001)
    assert space.params["restore_best_weights"] == Boolean(True)
    assert space.params["optimizer"].default == "sgd"
    assert describe(space.params["learning_rate"]) == "0.0001..0.1 log"
    assert describe(space.params["batch_size"]) == "16..128 step 16"
    assert space.params["nodes"].values() == (8, 16, 32, 64)
    assert space.params["momentum"].values() == (0.0, 0.3, 0.6, 0.9)


def test_grid_size_is_infinite_with_a_continuous_range() -> None:
    space = Space.from_dict(RICH)
    assert space.grid_size() is None
    assert space.continuous() == ("optimizer.learning_rate",)
    with pytest.raises(SpaceError, match="continuous"):
        next(space.grid())


def test_grid_size_respects_conditions_and_matches_enumeration() -> None:
    space = Space.from_dict(
        {
            "optimizer": {
                "name": ["adam", "sgd", "adagrad"],
                "beta_1": [0.9, 0.89],
                "momentum": [0.0, 0.5, 0.9],
            },
            "regularization": {
                "kernel_regularizer": ["none", "l2"],
                "kernel_strength": [0.1, 0.01],
            },
        }
    )
    # adam: 2 beta_1, sgd: 3 momentum, adagrad: 1  -> 6;  none: 1, l2: 2 -> 3
    assert space.grid_size() == 6 * 3
    configs = list(space.grid())
    assert len(configs) == 18
    assert len({tuple(sorted(c.items())) for c in configs}) == 18
    for config in configs:
        if config["optimizer"] != "adam":
            assert config["beta_1"] == 0.9  # inactive: left at its default
        if config["kernel_regularizer"] == "none":
            assert config["kernel_strength"] == 0.1


def test_default_space_grid_size() -> None:
    # batch 3 × optimizer (adam 4×2 + sgd 4 + adagrad 4 = 16) × schedule 2 × nodes 3 × act 3
    # × init 2 × dropout 2 × three regularizers 2 each
    assert default_space().grid_size() == 3 * 16 * 2 * 3 * 3 * 2 * 2 * 8


def test_sampling_is_seeded_and_canonical() -> None:
    space = default_space()
    first = [space.sample(random.Random(7)) for _ in range(3)]
    again = [space.sample(random.Random(7)) for _ in range(3)]
    assert first == again
    other = [space.sample(random.Random(8)) for _ in range(3)]
    assert other != first
    for config in first:
        if config["optimizer"] != "adam":
            assert config["beta_1"] == space.params["beta_1"].default


def test_with_param_validates_edits() -> None:
    space = default_space()
    edited = space.with_param("nodes", Choice((8, 128)))
    assert edited.params["nodes"].values() == (8, 128)
    assert space.params["nodes"].values() == (16, 32, 64)
    with pytest.raises(SpaceError, match="architecture.nodes"):
        space.with_param("nodes", Choice(()))


@pytest.mark.parametrize(
    ("text", "suffix", "words"),
    [
        ("training: [1, 2\n", ".yaml", "malformed YAML at line"),
        ('{"training": }', ".json", "malformed JSON at line 1"),
        ("- just\n- a list\n", ".yaml", "mapping of groups"),
    ],
)
def test_malformed_files_give_one_line_errors_naming_the_file(tmp_path, text, suffix, words):
    path = tmp_path / f"bad{suffix}"
    path.write_text(text)
    with pytest.raises(InputError) as info:
        Space.load(path)
    message = str(info.value)
    assert message.startswith(str(path)) and words in message and "\n" not in message


def test_missing_file_is_an_input_error(tmp_path) -> None:
    with pytest.raises(InputError, match="no such file"):
        Space.load(tmp_path / "nope.yaml")


def test_yaml_is_read_with_the_safe_loader(tmp_path) -> None:
    path = tmp_path / "evil.yaml"
    path.write_text("training: !!python/object/apply:os.system ['echo hacked']\n")
    with pytest.raises(InputError, match="malformed YAML"):
        Space.load(path)


def test_huge_ranges_are_counted_without_enumerating_them() -> None:
    space = Space.from_dict(
        {
            "training": {"batch_size": {"min": 1, "max": 100_000_000}},
            "optimizer": {
                "learning_rate": {"min": 1e-6, "max": 1.0, "step": 10, "sampling": "log"}
            },
        }
    )
    assert space.grid_size() == 100_000_000 * 7
    assert space.params["learning_rate"].values() == (1e-6, 1e-5, 1e-4, 0.001, 0.01, 0.1, 1.0)
    sample = space.sample(random.Random(0))
    assert 1 <= sample["batch_size"] <= 100_000_000
    assert sample["learning_rate"] in space.params["learning_rate"].values()

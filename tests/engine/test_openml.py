"""OpenML datasets through scikit-learn's fetch_openml, without the internet: the API's answers
are fixture files in scikit-learn's own cache layout under a `--data-home`, and the data file
they point to is served by a loopback server (downloaded, MD5-checked and cached by
scikit-learn, then read from the cache)."""

from __future__ import annotations

import gzip
import hashlib
import json
import runpy
import sys
from pathlib import Path
from unittest import mock

import numpy as np
import pytest

from engine.cli import main
from engine.data.datasets import load_dataset
from engine.data.recipe import recipe_of
from engine.errors import DataError
from engine.export.script import standalone_script
from engine.run.settings import RunSettings
from engine.space import Space
from tests.engine.fileserver import closed_origin, serving

DATA_ID = 4242
N = 60


def arff() -> bytes:
    """Sixty shops: a size with two gaps, a nominal colour, the outcome (OpenML's target)."""
    rows = []
    for i in range(N):
        size = "?" if i in (4, 17) else f"{10 + (i * 7) % 13 / 3:.3f}"
        rows.append(f"{size},{('blue', 'green', 'red')[i % 3]},{('stay', 'leave', 'leave')[i % 3]}")
    head = [
        "@RELATION shops",
        "@ATTRIBUTE size NUMERIC",
        "@ATTRIBUTE colour {blue,green,red}",
        "@ATTRIBUTE outcome {leave,stay}",
        "@DATA",
    ]
    return ("\n".join([*head, *rows]) + "\n").encode()


def feature(index: int, name: str, kind: str, target: bool = False, missing: int = 0) -> dict:
    return {
        "index": str(index),
        "name": name,
        "data_type": kind,
        "is_target": str(target).lower(),
        "is_ignore": "false",
        "is_row_identifier": "false",
        "number_of_missing_values": str(missing),
    }


def cache_api(home: Path, data_url: str) -> None:
    """The OpenML API's answers for dataset `shops` as scikit-learn caches them."""
    api = home / "openml" / "openml.org" / "api" / "v1" / "json" / "data"
    answers = {
        api / "list/data_name/shops/limit/2/status/active/.gz": {
            "data": {
                "dataset": [{"did": DATA_ID, "name": "shops", "version": 1, "status": "active"}]
            }
        },
        api / f"{DATA_ID}.gz": {
            "data_set_description": {
                "id": str(DATA_ID),
                "name": "shops",
                "version": "1",
                "status": "active",
                "format": "ARFF",
                "url": data_url,
                "file_id": "1",
                "description": "fixture",
                "md5_checksum": hashlib.md5(arff()).hexdigest(),
                "default_target_attribute": "outcome",
            }
        },
        api / f"features/{DATA_ID}.gz": {
            "data_features": {
                "feature": [
                    feature(0, "size", "numeric", missing=2),
                    feature(1, "colour", "nominal"),
                    feature(2, "outcome", "nominal", target=True),
                ]
            }
        },
        api / f"qualities/{DATA_ID}.gz": {
            "data_qualities": {"quality": [{"name": "NumberOfInstances", "value": f"{N}.0"}]}
        },
    }
    for path, answer in answers.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(gzip.compress(json.dumps(answer).encode()))


@pytest.fixture
def shops(tmp_path: Path):
    """(data home, the server) with the API cached and the data file served."""
    home = tmp_path / "sklearn-data"
    with serving({"data/v1/download/1/shops.arff": arff()}) as served:
        cache_api(home, f"{served.origin}/data/v1/download/1/shops.arff")
        yield home, served


@pytest.mark.parametrize("spec", ["openml:shops", f"openml:{DATA_ID}", "OpenML:Shops"])
def test_an_openml_dataset_by_name_or_id(shops, spec: str) -> None:
    home, served = shops
    ds = load_dataset(spec, data_home=str(home), seed=1)
    assert ds.classes == ("leave", "stay") and ds.origin["target"] == "outcome"
    assert ds.input_shape == (4,)  # size scaled; colour one-hot (3)
    assert all(np.isfinite(x).all() for x in (ds.x_train, ds.x_val, ds.x_test))
    assert ds.origin["preprocessing"]["imputed"] == {"size": 2}
    assert served.requests == ["data/v1/download/1/shops.arff"]  # downloaded once, then cached
    again = load_dataset(spec, data_home=str(home), seed=1)
    assert len(served.requests) == 1 and np.array_equal(again.x_test, ds.x_test)


def test_the_recipe_names_the_openml_id_version_and_checksum(shops) -> None:
    home, served = shops
    ds = load_dataset("openml:shops", data_home=str(home))
    recipe = recipe_of(ds, RunSettings(dataset="openml:shops", data_home=str(home)), 0.2, 0.2)
    source = recipe["source"]
    assert (source["kind"], source["openml_id"], source["version"]) == ("openml", DATA_ID, 1)
    assert source["md5"] == hashlib.md5(arff()).hexdigest() and source["url"].startswith(
        served.origin
    )


def test_another_target_column_can_be_named(shops) -> None:
    home, _ = shops
    ds = load_dataset("openml:shops", data_home=str(home), target="colour")
    assert ds.classes == ("blue", "green", "red") and ds.origin["target"] == "colour"


def test_the_script_fetches_the_same_dataset_by_id(shops, tmp_path: Path) -> None:
    home, _ = shops
    settings = RunSettings(dataset="openml:shops", data_home=str(home), seed=2)
    ds = load_dataset("openml:shops", data_home=str(home), seed=2)
    space = Space.from_dict({})
    record = {
        "hyperparameters": space.defaults(),
        "trial_id": "0",
        "backend": "keras-tuner",
        "algorithm": "random",
        "retrain_epochs": 1,
        "data_recipe": recipe_of(ds, settings, 0.2, 0.2),
        "objective": {"metric": "val_loss", "direction": "min"},
    }
    path = tmp_path / "train.py"
    path.write_text(standalone_script(record, settings, space, path))
    with mock.patch.dict(sys.modules, {"keras": mock.MagicMock()}):
        script = runpy.run_path(str(path), run_name="checked")
        _, _, *arrays = script["load_data"]()
    assert script["DATASET"] == f"openml:{DATA_ID}"
    assert script["digest"](arrays) == record["data_recipe"]["sha256"]


def test_offline_is_one_line_naming_the_cache_before_any_run_dir(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    home = tmp_path / "sklearn-data"
    cache_api(home, f"{closed_origin()}/data/v1/download/1/shops.arff")
    run = tmp_path / "run"
    code = main(
        [
            "run",
            "--dataset",
            "openml:shops",
            "--data-home",
            str(home),
            "--backend",
            "keras-tuner",
            "--run-dir",
            str(run),
        ]
    )
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1, err
    assert "cannot fetch from OpenML" in err and str(home / "openml") in err
    assert not run.exists()


def test_a_wrong_checksum_is_one_line(tmp_path: Path) -> None:
    home = tmp_path / "sklearn-data"
    with serving({"data/v1/download/1/shops.arff": arff().replace(b"red", b"rot")}) as served:
        cache_api(home, f"{served.origin}/data/v1/download/1/shops.arff")
        with pytest.raises(DataError, match="md5 checksum") as caught:
            load_dataset("openml:shops", data_home=str(home))
    assert "\n" not in str(caught.value)


def test_a_bare_prefix_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="names no dataset"):
        load_dataset("openml:", data_home=str(tmp_path))

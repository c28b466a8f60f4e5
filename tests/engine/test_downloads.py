"""engine.data.downloads: Keras's datasets fetched on first use from a loopback server (the
origin overridden by TUNEDECK_DATASETS_ORIGIN), checked by hash, cached where Keras caches them,
used from the cache with no network, and never left half-written."""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import pickle
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from engine.cli import main
from engine.data import downloads
from engine.data.datasets import load_dataset
from engine.data.recipe import recipe_of
from engine.errors import DataError
from engine.run.settings import RunSettings
from tests.engine.fileserver import closed_origin, serving


def images(n: int, shape: tuple[int, ...], classes: int, seed: int) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 256, size=(n, *shape), dtype=np.uint8)
    x.reshape(n, -1)[:, 0] = 255
    return x, (np.arange(n) % classes).astype(np.uint8)


def mnist_npz() -> bytes:
    (x, y), (xt, yt) = images(150, (28, 28), 10, 0), images(50, (28, 28), 10, 1)
    buffer = io.BytesIO()
    np.savez(buffer, x_train=x, y_train=y, x_test=xt, y_test=yt)
    return buffer.getvalue()


def fashion_files() -> dict[str, bytes]:
    files = {}
    for split, n, seed in (("train", 80, 2), ("t10k", 40, 3)):
        x, y = images(n, (28, 28), 10, seed)
        files[f"{split}-labels-idx1-ubyte.gz"] = gzip.compress(bytes(8) + y.tobytes())
        files[f"{split}-images-idx3-ubyte.gz"] = gzip.compress(bytes(16) + x.tobytes())
    return files


def tar_of(members: dict[str, object]) -> bytes:
    """A .tar.gz of pickled batches, as the CIFAR archives hold them (bytes keys)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, value in members.items():
            data = pickle.dumps(value, protocol=4)
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def cifar_batch(n: int, classes: int, seed: int, key: bytes) -> dict[bytes, object]:
    x, y = images(n, (3, 32, 32), classes, seed)
    return {b"data": x.reshape(n, -1), key: [int(v) for v in y]}


def cifar10_tar() -> bytes:
    members: dict[str, object] = {
        f"cifar-10-batches-py/data_batch_{i}": cifar_batch(20, 10, i, b"labels")
        for i in range(1, 6)
    }
    members["cifar-10-batches-py/test_batch"] = cifar_batch(20, 10, 9, b"labels")
    return tar_of(members)


def cifar100_tar() -> bytes:
    names = [f"thing{i}".encode() for i in range(100)]
    return tar_of(
        {
            "cifar-100-python/train": cifar_batch(600, 100, 1, b"fine_labels"),
            "cifar-100-python/test": cifar_batch(100, 100, 2, b"fine_labels"),
            "cifar-100-python/meta": {b"fine_label_names": names},
        }
    )


def fixtures() -> dict[str, dict[str, bytes]]:
    """Each dataset's files by their published names."""
    return {
        "mnist": {"mnist.npz": mnist_npz()},
        "fashion_mnist": fashion_files(),
        "cifar10": {"cifar-10-python.tar.gz": cifar10_tar()},
        "cifar100": {"cifar-100-python.tar.gz": cifar100_tar()},
    }


FIXTURES = fixtures()
ALL = {name: body for files in FIXTURES.values() for name, body in files.items()}


@pytest.fixture
def keras_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A Keras cache of its own, the published hashes of the fixture files, and retries that
    wait milliseconds instead of seconds."""
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.setattr(downloads, "BACKOFF_S", 0.01)
    for name, remotes in downloads.FILES.items():
        patched = tuple(
            replace(
                r,
                digest=hashlib.new(
                    "sha256" if len(r.digest) == 64 else "md5", FIXTURES[name][r.name]
                ).hexdigest(),
            )
            for r in remotes
        )
        monkeypatch.setitem(downloads.FILES, name, patched)
    return tmp_path / "keras"


@pytest.fixture
def server(keras_home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator:
    with serving(ALL) as served:
        monkeypatch.setenv(downloads.ORIGIN_ENV, served.origin)
        yield served


def cache_listing(keras_home: Path) -> list[str]:
    root = keras_home / "datasets"
    return sorted(str(p.relative_to(root)) for p in root.rglob("*")) if root.exists() else []


@pytest.mark.parametrize(
    ("name", "shape", "n", "first_class"),
    [
        ("mnist", (28, 28), 200, "0"),
        ("fashion_mnist", (28, 28), 120, "T-shirt/top"),
        ("cifar10", (32, 32, 3), 120, "airplane"),
        ("cifar100", (32, 32, 3), 700, "thing0"),
    ],
)
def test_a_dataset_downloads_into_the_keras_cache_once(
    server, keras_home: Path, capfd: pytest.CaptureFixture, name, shape, n, first_class
) -> None:
    ds = load_dataset(name, seed=1)
    assert ds.input_shape == shape and ds.classes[0] == first_class
    assert len(ds.y_train) + len(ds.y_val) + len(ds.y_test) == n
    assert ds.x_train.dtype == np.float32 and ds.x_train.min() >= 0 and ds.x_train.max() <= 1
    cached = [keras_home / "datasets" / r.cached for r in downloads.FILES[name]]
    assert all(p.is_file() for p in cached)  # where keras.datasets looks for them
    assert sorted(server.requests) == sorted(r.name for r in downloads.FILES[name])
    assert f"downloaded {downloads.FILES[name][0].name}" in capfd.readouterr().err
    again = load_dataset(name, seed=1)  # from the cache: no second request
    assert len(server.requests) == len(downloads.FILES[name])
    assert np.array_equal(again.x_test, ds.x_test)


def test_the_images_keep_the_layout_keras_gives_them(server) -> None:
    x, _ = images(150, (28, 28), 10, 0)
    ds = load_dataset("mnist", seed=1, subsample=None)
    ours = np.concatenate([ds.x_train, ds.x_val, ds.x_test]).reshape(-1, 784)
    assert any(np.array_equal(row, x[0].reshape(-1) / np.float32(255)) for row in ours)
    batch = cifar_batch(20, 10, 1, b"labels")
    first = np.asarray(batch[b"data"])[0].reshape(3, 32, 32).transpose(1, 2, 0)
    cifar = load_dataset("cifar10")
    pooled = np.concatenate([cifar.x_train, cifar.x_val, cifar.x_test])
    assert any(np.array_equal(img, first / np.float32(255)) for img in pooled)


def test_a_cached_copy_is_used_without_the_network(
    keras_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (keras_home / "datasets").mkdir(parents=True)
    (keras_home / "datasets" / "mnist.npz").write_bytes(FIXTURES["mnist"]["mnist.npz"])
    monkeypatch.setenv(downloads.ORIGIN_ENV, closed_origin())
    assert load_dataset("mnist").n_classes == 10


def test_offline_is_one_line_naming_the_url_and_the_cache_path_before_any_run_dir(
    keras_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    origin = closed_origin()
    monkeypatch.setenv(downloads.ORIGIN_ENV, origin)
    code = main(["run", "--dataset", "fashion_mnist", "--run-dir", str(tmp_path / "run")])
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1
    path = keras_home / "datasets" / "fashion-mnist" / "train-labels-idx1-ubyte.gz"
    assert f"{origin}/train-labels-idx1-ubyte.gz" in err and str(path) in err
    assert "by hand" in err and not (tmp_path / "run").exists()
    assert cache_listing(keras_home) == ["fashion-mnist"]  # no file, whole or half


def test_a_wrong_hash_keeps_nothing(keras_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with serving({"mnist.npz": b"not the published file"}) as served:
        monkeypatch.setenv(downloads.ORIGIN_ENV, served.origin)
        with pytest.raises(DataError, match="expected .*nothing was kept"):
            load_dataset("mnist")
    assert cache_listing(keras_home) == []


def test_a_connection_dropped_mid_file_keeps_nothing(
    keras_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with serving(FIXTURES["mnist"], drop={"mnist.npz"}) as served:
        monkeypatch.setenv(downloads.ORIGIN_ENV, served.origin)
        with pytest.raises(DataError, match="cannot be downloaded .* after 4 tries") as caught:
            load_dataset("mnist")
    assert served.requests == ["mnist.npz"] * 4  # the first try and three more
    assert str(keras_home / "datasets" / "mnist.npz") in str(caught.value)
    assert cache_listing(keras_home) == []


def test_a_dropped_connection_is_tried_again_after_a_pause(
    keras_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    waits: list[float] = []
    monkeypatch.setattr(downloads.time, "sleep", waits.append)
    with serving(FIXTURES["mnist"], drop_first={"mnist.npz": 2}) as served:
        monkeypatch.setenv(downloads.ORIGIN_ENV, served.origin)
        out = io.StringIO()
        path = downloads.fetch(downloads.FILES["mnist"][0], out)
    assert path.read_bytes() == FIXTURES["mnist"]["mnist.npz"]
    assert served.requests == ["mnist.npz"] * 3
    assert [w for w in waits if w] == [0.01, 0.02]  # backing off (the server sleeps 0)
    assert out.getvalue().count("trying again") == 2
    assert cache_listing(keras_home) == ["mnist.npz"]


def test_two_processes_fetching_one_file_download_it_once(
    keras_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two fetches at once (threads here, holding the same lock file as processes would):
    the second waits for the first's lock, then finds the file in the cache."""
    import threading

    with serving(FIXTURES["mnist"], delay=0.3) as served:
        monkeypatch.setenv(downloads.ORIGIN_ENV, served.origin)
        start = threading.Barrier(2)
        outs = [io.StringIO(), io.StringIO()]
        found: list[Path] = []

        def fetch(out: io.StringIO) -> None:
            start.wait()
            found.append(downloads.fetch(downloads.FILES["mnist"][0], out))

        threads = [threading.Thread(target=fetch, args=(out,)) for out in outs]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    assert served.requests == ["mnist.npz"] and len(found) == 2
    assert sum("waiting for another process" in out.getvalue() for out in outs) == 1
    assert cache_listing(keras_home) == ["mnist.npz"]


def test_a_cached_file_with_the_wrong_hash_is_downloaded_again(server, keras_home: Path) -> None:
    (keras_home / "datasets").mkdir(parents=True)
    (keras_home / "datasets" / "mnist.npz").write_bytes(b"partial download")
    assert load_dataset("mnist").n_classes == 10
    assert (keras_home / "datasets" / "mnist.npz").read_bytes() == FIXTURES["mnist"]["mnist.npz"]


def test_the_recipe_records_the_url_and_the_file_hash(server, keras_home: Path) -> None:
    ds = load_dataset("mnist", subsample=100)
    recipe = recipe_of(ds, RunSettings(dataset="mnist", subsample=100), 0.2, 0.2)
    assert recipe["source"]["url"] == f"{server.origin}/mnist.npz"
    digest = hashlib.sha256(FIXTURES["mnist"]["mnist.npz"]).hexdigest()
    path = str(keras_home / "datasets" / "mnist.npz")
    assert recipe["source"]["files"] == [{"path": path, "sha256": digest}]


def test_an_offline_load_never_imports_keras(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from engine.data.datasets import load_dataset\n"
        "try:\n    load_dataset('mnist')\nexcept Exception as exc:\n    print(type(exc).__name__)\n"
        "print('keras' in sys.modules, 'tensorflow' in sys.modules)"
    )
    env = {**os.environ, "KERAS_HOME": str(tmp_path), downloads.ORIGIN_ENV: closed_origin()}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert out.stdout.splitlines() == ["DataError", "False False"]

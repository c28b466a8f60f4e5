"""README: "Each file is checked against its published hash ... whether just downloaded or found
in the cache"; "a wrong hash leaves nothing in the cache". tests/engine/test_downloads.py swaps
the catalogue's hashes for its fixtures' own; here the catalogue (`engine.data.downloads.FILES`)
is left as it ships: its hashes are well-formed and Keras's own, and a loopback server's files,
whose content is not the published one, are refused by the code path `run` takes."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

from engine.cli import main
from engine.data import downloads
from engine.data.datasets import load_dataset
from engine.errors import DataError
from tests.engine.fileserver import serving
from tests.engine.test_downloads import ALL, FIXTURES

KERAS_MODULES = {"mnist": "mnist", "cifar10": "cifar10", "cifar100": "cifar100"}


@pytest.fixture
def real_catalogue(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty Keras cache of its own and the loopback server's origin; hashes untouched."""
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.setattr(downloads, "BACKOFF_S", 0.01)
    return tmp_path / "keras" / "datasets"


def _kept(cache: Path) -> list[str]:
    return sorted(str(p.relative_to(cache)) for p in cache.rglob("*") if p.is_file())


def test_the_catalogues_hashes_are_well_formed_and_keras_own() -> None:
    """A sha256 (64 lowercase hex digits) or an MD5 (32), one per file, none shared; the sha256
    ones are those Keras's dataset modules check (read as text: Keras is not imported)."""
    digests = [r.digest for remotes in downloads.FILES.values() for r in remotes]
    assert len(digests) == len(set(digests)) == 7
    fashion = [r.digest for r in downloads.FILES["fashion_mnist"]]
    assert all(len(d) == 32 for d in fashion)  # the publisher's MD5s
    for remotes in downloads.FILES.values():
        for remote in remotes:
            assert re.fullmatch(r"[0-9a-f]+", remote.digest), remote
            assert len(remote.digest) in (64, 32), remote
    spec = importlib.util.find_spec("keras")
    assert spec is not None and spec.origin is not None
    folder = Path(spec.origin).parent / "src" / "datasets"
    for name, module in KERAS_MODULES.items():
        published = re.findall(r"\b[0-9a-f]{64}\b", (folder / f"{module}.py").read_text())
        assert downloads.FILES[name][0].digest in published, name


@pytest.mark.parametrize("name", sorted(downloads.FILES))
def test_a_served_file_that_is_not_the_published_one_is_refused(
    name: str, real_catalogue: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Guards the hash check of a download against the catalogue's real hash: well-formed
    files of the right format, but not the published bytes, are refused and nothing is kept."""
    with serving(FIXTURES[name]) as served:
        monkeypatch.setenv(downloads.ORIGIN_ENV, served.origin)
        with pytest.raises(DataError, match="expected [0-9a-f]+; nothing was kept") as caught:
            load_dataset(name)
    first = downloads.FILES[name][0]
    assert f"{served.origin}/{first.name}" in str(caught.value)
    assert first.digest in str(caught.value)
    assert _kept(real_catalogue) == []


def test_a_cached_copy_that_is_not_the_published_file_is_not_used(
    real_catalogue: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Guards the hash check of a cached file: a copy put where Keras caches MNIST, readable
    but not the published one, is fetched again (and here refused again), never trained on."""
    real_catalogue.mkdir(parents=True)
    (real_catalogue / "mnist.npz").write_bytes(FIXTURES["mnist"]["mnist.npz"])
    with serving(ALL) as served:
        monkeypatch.setenv(downloads.ORIGIN_ENV, served.origin)
        with pytest.raises(DataError, match="holds a file with the wrong hash|nothing was kept"):
            load_dataset("mnist")
    assert served.requests == ["mnist.npz"]


def test_run_on_a_mirror_serving_other_files_is_one_line_and_no_run_directory(
    real_catalogue: Path,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The same refusal through `run`, before TensorFlow loads: exit 2, one line naming the
    URL, no run directory."""
    with serving(ALL) as served:
        monkeypatch.setenv(downloads.ORIGIN_ENV, served.origin)
        code = main(
            [
                "run",
                "--dataset",
                "mnist",
                "--backend",
                "keras-tuner",
                "--run-dir",
                str(tmp_path / "run"),
                "--quiet",
            ]
        )
    err = capsys.readouterr().err
    assert code == 2, err
    errors = [line for line in err.splitlines() if line.startswith("tunedeck: ")]
    assert errors == err.splitlines()[-1:] and "Traceback" not in err, err  # after the progress
    assert f"{served.origin}/mnist.npz" in errors[0] and "nothing was kept" in errors[0]
    assert not (tmp_path / "run").exists() and _kept(real_catalogue) == []

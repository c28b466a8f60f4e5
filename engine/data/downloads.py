"""Keras's own datasets (MNIST, Fashion-MNIST, CIFAR-10/100) on demand, in Keras's cache.

Files go where `keras.datasets` puts them (`$KERAS_HOME/datasets`, else `~/.keras/datasets`),
under the same names, so a copy either of them downloaded serves both. Every file is checked
against its published hash (Keras's sha256 for MNIST and CIFAR, the publisher's MD5 for
Fashion-MNIST, which Keras downloads unchecked) whether it was just downloaded or found in the
cache; a cached file that checks out is used without touching the network. A download is
streamed into a temporary file beside its target and renamed over it only once complete and
checked: a dropped connection or a wrong hash leaves nothing behind. A connection dropped or
timed out mid-file, or a server error (5xx), is tried again after 1, 2, then 4 seconds; a
refused connection or an unknown host is not (that is being offline). Two processes asking
for the same file take turns on a lock (`engine.system.places.lock_for`): the second waits, then
finds the first's file in the cache. Offline, the error names the URL and the exact path where
the file can be put by hand.

`TUNEDECK_DATASETS_ORIGIN` replaces the servers' base URL (a mirror; the tests' loopback
server): a file is then fetched from `<origin>/<file name>`. Keras is never imported here.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import pickle
import sys
import tarfile
import time
import urllib.error
import urllib.request
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.client import HTTPException
from pathlib import Path
from typing import IO, Any

import numpy as np

from engine.data.source import _Source
from engine.errors import DataError
from engine.system.atomic import replacing
from engine.system.places import lock_for

ORIGIN_ENV = "TUNEDECK_DATASETS_ORIGIN"
KERAS = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
TORONTO = "https://www.cs.toronto.edu/~kriz/"
TIMEOUT_S = 30
CHUNK = 1 << 16
RETRIES = 3  # after the first try
BACKOFF_S = 1.0  # the first wait; doubled after each try


@dataclass(frozen=True)
class Remote:
    """One published file: where it lives, where Keras caches it, and its hash (64 hex
    digits: sha256; 32: md5)."""

    base: str
    name: str
    cached: str  # relative to the cache's `datasets` folder
    digest: str

    @property
    def url(self) -> str:
        base = os.environ.get(ORIGIN_ENV) or self.base
        return f"{base.rstrip('/')}/{self.name}"


def _fashion(name: str, md5: str) -> Remote:
    return Remote(KERAS, name, f"fashion-mnist/{name}", md5)


FILES: dict[str, tuple[Remote, ...]] = {
    "mnist": (
        Remote(
            KERAS,
            "mnist.npz",
            "mnist.npz",
            "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1",
        ),
    ),
    "fashion_mnist": (
        _fashion("train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe"),
        _fashion("train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
        _fashion("t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310"),
        _fashion("t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79"),
    ),
    "cifar10": (
        Remote(
            TORONTO,
            "cifar-10-python.tar.gz",
            "cifar-10-batches-py-target_archive",
            "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce",
        ),
    ),
    "cifar100": (
        Remote(
            TORONTO,
            "cifar-100-python.tar.gz",
            "cifar-100-python-target_archive",
            "85cd44d02ba6437773c5bbd22e183051d648de2e7d6b014e1ef29b855ba677a7",
        ),
    ),
}

DIGITS = tuple(str(i) for i in range(10))
FASHION = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)
CIFAR10 = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")
# what a CIFAR batch's pickle may rebuild (numpy arrays), as keras.datasets allows
_PICKLED = {
    ("numpy", "ndarray"),
    ("numpy", "dtype"),
    ("numpy.core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "_reconstruct"),
}


def cache_dir() -> Path:
    """Keras's datasets cache: `$KERAS_HOME/datasets`, else `~/.keras/datasets`; `/tmp/.keras`
    when that is not writable, as Keras itself falls back."""
    base = Path(os.environ.get("KERAS_HOME") or Path.home() / ".keras").expanduser()
    if base.exists() and not os.access(base, os.W_OK):
        base = Path("/tmp/.keras")
    return base / "datasets"


def load(name: str) -> _Source:
    """All samples of a Keras dataset (train and test pooled), fetched first if need be."""
    paths = [fetch(remote) for remote in FILES[name]]
    try:
        x, y, classes = _read(name, paths)
    except (
        OSError,
        ValueError,
        KeyError,
        EOFError,
        zipfile.BadZipFile,
        tarfile.TarError,
        pickle.UnpicklingError,
    ) as exc:
        raise DataError(f"cached file {paths[0]} is unreadable: {_one_line(exc)}") from None
    if len(x) != len(y):
        raise DataError(
            f"cached files under {cache_dir()} hold {len(x)} images but {len(y)} labels"
        )
    urls = " ".join(remote.url for remote in FILES[name])
    return _Source(
        x.astype(np.float32) / np.float32(255),
        y.astype(np.int64),
        classes,
        files=tuple(str(p) for p in paths),
        url=urls,
    )


def fetch(remote: Remote, out: IO[str] | None = None) -> Path:
    """The cached file, downloaded (with a progress bar on `out`, default stderr) unless a
    copy with the right hash is there already."""
    target = cache_dir() / remote.cached
    if _is_good(target, remote):
        return target
    out = out or sys.stderr
    try:
        with _turn(target, out):
            if _is_good(target, remote):  # another process fetched it while we waited
                return target
            stale = target.is_file()
            target.parent.mkdir(parents=True, exist_ok=True)
            _download_with_retries(remote, target, out, stale)
    except OSError as exc:  # the lock's folder
        raise DataError(f"{target} cannot be downloaded ({_reason(exc)})") from None
    return target


def _is_good(target: Path, remote: Remote) -> bool:
    return target.is_file() and _hash_of(target, remote.digest) == remote.digest


@contextmanager
def _turn(target: Path, out: IO[str]) -> Iterator[None]:
    """Hold the lock of `target`'s download, saying so if another process holds it first."""
    from filelock import FileLock, Timeout

    lock = FileLock(str(lock_for(target)), thread_local=False, is_singleton=False)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        out.write(f"waiting for another process downloading {target.name}\n")
        out.flush()
        lock.acquire()
    try:
        yield
    finally:
        lock.release()


def _download_with_retries(remote: Remote, target: Path, out: IO[str], stale: bool) -> None:
    wait = BACKOFF_S
    for attempt in range(RETRIES + 1):
        try:
            with replacing(target) as tmp:
                found = _download(remote.url, tmp, remote.digest, out)
                if found != remote.digest:
                    raise DataError(
                        f"downloaded {remote.url} but its {_algorithm(remote.digest)} is "
                        f"{found}, expected {remote.digest}; nothing was kept"
                    )
            return
        except (urllib.error.URLError, HTTPException, OSError, TimeoutError) as exc:
            if attempt < RETRIES and _passing(exc):
                out.write(f"{remote.name}: {_reason(exc)}; trying again in {wait:g} s\n")
                out.flush()
                time.sleep(wait)
                wait *= 2
                continue
            what = "holds a file with the wrong hash and " if stale else ""
            tries = f" after {attempt + 1} tries" if attempt else ""
            raise DataError(
                f"{target} {what}cannot be downloaded from {remote.url}{tries} ({_reason(exc)}); "
                f"put the file there by hand, or set {ORIGIN_ENV} to a mirror"
            ) from None


def _passing(exc: BaseException) -> bool:
    """A fault a later try may not meet: a connection dropped or timed out after it was made,
    or the server's own error; not a refused connection, an unknown host or a missing file."""
    if isinstance(exc, urllib.error.HTTPError):
        return exc.code >= 500 or exc.code in (408, 429)
    if isinstance(exc, urllib.error.URLError):
        reason = exc.reason
        return isinstance(reason, TimeoutError | ConnectionResetError | ConnectionAbortedError)
    return isinstance(
        exc, HTTPException | TimeoutError | ConnectionResetError | ConnectionAbortedError
    )


def _download(url: str, tmp: Path, digest: str, out: IO[str]) -> str:
    """Stream `url` into `tmp`; returns the hash of what arrived. A short read raises."""
    found = hashlib.new(_algorithm(digest))
    with urllib.request.urlopen(url, timeout=TIMEOUT_S) as response, open(tmp, "wb") as handle:
        total = int(response.headers.get("Content-Length") or 0)
        bar = _Progress(url.rpartition("/")[2], total, out)
        done = 0
        while block := response.read(CHUNK):
            handle.write(block)
            found.update(block)
            done += len(block)
            bar.update(done)
        if total and done < total:
            raise HTTPException(f"connection closed after {done:,} of {total:,} bytes")
        bar.finish(done)
    return found.hexdigest()


class _Progress:
    """A one-line progress bar redrawn in place on a terminal; on anything else (a log file,
    which the console shows while a search starts) a line at each tenth."""

    def __init__(self, name: str, total: int, out: IO[str]) -> None:
        self.name, self.total, self.out = name, total, out
        self.tty = bool(getattr(out, "isatty", lambda: False)())
        self.shown = -1
        self.last = 0.0

    def update(self, done: int) -> None:
        share = done / self.total if self.total else 0.0
        if self.tty and time.monotonic() - self.last > 0.1:
            self.last = time.monotonic()
            filled = int(share * 30)
            size = f"{done / 1e6:.1f}/{self.total / 1e6:.1f} MB" if self.total else ""
            bar = "#" * filled + "-" * (30 - filled)
            self.out.write(f"\rdownloading {self.name} [{bar}] {share:4.0%} {size}")
            self.out.flush()
        elif not self.tty and int(share * 10) > self.shown:
            self.shown = int(share * 10)
            self.out.write(f"downloading {self.name}: {share:.0%} of {self.total / 1e6:.1f} MB\n")
            self.out.flush()

    def finish(self, done: int) -> None:
        end = "\r" if self.tty else ""
        self.out.write(f"{end}downloaded {self.name} ({done / 1e6:.1f} MB)" + " " * 30 + "\n")
        self.out.flush()


def _read(name: str, paths: list[Path]) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """(images uint8, labels, class names) in keras.datasets' layout, train before test."""
    if name == "mnist":
        with np.load(paths[0], allow_pickle=False) as f:
            x = np.concatenate([f["x_train"], f["x_test"]]).reshape(-1, 28, 28)
            return x, np.concatenate([f["y_train"], f["y_test"]]), DIGITS
    if name == "fashion_mnist":  # idx files: an 8-byte header before labels, 16 before images
        parts = [_gunzip(p, offset) for p, offset in zip(paths, (8, 16, 8, 16), strict=True)]
        x = np.concatenate([parts[1], parts[3]]).reshape(-1, 28, 28)
        return x, np.concatenate([parts[0], parts[2]]), FASHION
    classes: tuple[str, ...]
    with tarfile.open(paths[0], "r:gz") as archive:
        if name == "cifar10":
            batches = [f"cifar-10-batches-py/data_batch_{i}" for i in range(1, 6)]
            read = [
                _batch(archive, m, b"labels") for m in [*batches, "cifar-10-batches-py/test_batch"]
            ]
            classes = CIFAR10
        else:
            read = [
                _batch(archive, f"cifar-100-python/{m}", b"fine_labels") for m in ("train", "test")
            ]
            meta = _unpickle(archive, "cifar-100-python/meta")
            classes = tuple(
                _text(n) for n in meta.get(b"fine_label_names", meta.get("fine_label_names", []))
            )
    x = np.concatenate([images for images, _ in read])
    y = np.concatenate([labels for _, labels in read])
    return x, y, classes if classes else tuple(str(i) for i in range(int(y.max()) + 1))


def _batch(archive: tarfile.TarFile, member: str, key: bytes) -> tuple[np.ndarray, np.ndarray]:
    batch = _unpickle(archive, member)
    data = np.asarray(batch[b"data"], dtype=np.uint8)
    images = data.reshape(len(data), 3, 32, 32).transpose(0, 2, 3, 1)  # channels last, as Keras
    return images, np.asarray(batch[key], dtype=np.int64)


def _unpickle(archive: tarfile.TarFile, member: str) -> dict[Any, Any]:
    handle = archive.extractfile(member)
    if handle is None:
        raise KeyError(f"{member} is not a file")
    loaded = _NumpyOnly(io.BytesIO(handle.read()), encoding="bytes").load()
    if not isinstance(loaded, dict):
        raise ValueError(f"{member} holds {type(loaded).__name__}, not a batch")
    return loaded


class _NumpyOnly(pickle.Unpickler):
    """Unpickles numpy arrays and plain values only: a tampered archive cannot run code."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _PICKLED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"refusing to load {module}.{name}")


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _gunzip(path: Path, offset: int) -> np.ndarray:
    with gzip.open(path, "rb") as handle:
        return np.frombuffer(handle.read(), np.uint8, offset=offset)


def _algorithm(digest: str) -> str:
    return "sha256" if len(digest) == 64 else "md5"


def _hash_of(path: Path, digest: str) -> str:
    found = hashlib.new(_algorithm(digest))
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            found.update(block)
    return found.hexdigest()


def _reason(exc: BaseException) -> str:
    reason = getattr(exc, "reason", None)
    return (
        _one_line(reason if isinstance(reason, BaseException) else exc)
        if reason
        else _one_line(exc)
    )


def _one_line(exc: BaseException | str) -> str:
    text = " ".join(str(exc).split())
    return text or type(exc).__name__

"""Fixtures of the console tests: run directories at fixed paths, a quiet fast fake backend."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.backends import cores
from tests.tui.runs import write_run


@pytest.fixture(autouse=True)
def two_cores_no_gpu(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same machine for every console test: what `workers: auto` becomes (drawn in the
    side panel, hence in the snapshots) depends on the cores and GPUs."""
    monkeypatch.setattr(cores, "usable", lambda: 2)
    monkeypatch.setenv("TUNEDECK_GPUS", "")


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty current directory (runs/ is created under it), and a fast fake backend."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TUNEDECK_FAKE_DELAY", "0.01")
    monkeypatch.delenv("TUNEDECK_FAKE_FAIL_EVERY", raising=False)
    return tmp_path


@pytest.fixture
def finished_run(workdir: Path) -> Path:
    return write_run(Path("runs/demo"), finished=True)


@pytest.fixture
def running_run(workdir: Path) -> Path:
    return write_run(Path("runs/live"), finished=False)

"""Running `tunedeck` in-process for tests: isolation from the caller's cwd and signal handlers."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tui.cli import main


@pytest.fixture
def isolated_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Work in tmp_path, fast fake trials, and the signal handlers a run installs undone."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TUNEDECK_FAKE_DELAY", "0")
    monkeypatch.delenv("TUNEDECK_FAKE_FAIL_EVERY", raising=False)
    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)


def tunedeck(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of the CLI run in-process; argparse's exits included."""
    try:
        code = main(list(argv))
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def fake_run(run_dir: Path, *extra: str, epochs: int = 2) -> list[str]:
    """`run` arguments for a quick search on the fake backend (no TensorFlow)."""
    return ["run", "--backend", "fake", "--epochs", str(epochs), "--run-dir", str(run_dir), *extra]


def python(folder: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    """Python run on its own in `folder` (an exported script, say): no PYTHONPATH, so tunedeck
    is not importable unless installed, and TensorFlow's C++ logs off."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"} | {"TF_CPP_MIN_LOG_LEVEL": "3"}
    return subprocess.run(
        [sys.executable, *argv], cwd=folder, env=env, capture_output=True, text=True, timeout=300
    )

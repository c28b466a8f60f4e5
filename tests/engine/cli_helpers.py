"""Running `tunedeck` in-process for tests: isolation from the caller's cwd and signal handlers."""

from __future__ import annotations

import signal
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

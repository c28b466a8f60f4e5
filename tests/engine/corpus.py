"""The bad-input corpus's machinery: cases, the snapshot of everything a command could touch,
and the one check every case passes.

The product's rule, checked case by case: bad input gets exactly ONE line on stderr that names
the file or field, exit code 2, no traceback, nothing of the user's is lost, overwritten or
left behind (every file under the test's folder and the corpus is hashed before and after),
and it comes back in bounded time (each case runs under a timeout).

The bad files live in `tests/bad_inputs/`; cases that need a folder, an existing export or a run
build it in tmp_path. Most run in-process through `engine.cli.main` (fast); a few run the real
`tunedeck` binary. A run that would start uses `--backend fake` (no TensorFlow); dataset errors
use `--backend keras-tuner`, whose data is loaded (scikit-learn, no TensorFlow) before anything
is written. The cases are grouped by class: test_bad_spaces, test_bad_datasets, test_bad_flags,
test_bad_run_dirs, test_bad_exports (test_bad_inputs checks the corpus as a whole).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from engine.commands.runner import run_search
from engine.prepare import prepare
from engine.run.rundir import RunDir
from engine.run.settings import RunSettings
from engine.space import Space

CORPUS = Path(__file__).resolve().parents[1] / "bad_inputs"
TUNEDECK = Path(sys.executable).with_name("tunedeck")
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
MARKER = "tunedeck-pwned"  # what the python-tag YAML files would create if code ran


def binary(*argv: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    command = [str(TUNEDECK)] if TUNEDECK.exists() else [sys.executable, "-m", "engine"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("TUNEDECK_")}
    return subprocess.run(
        [*command, *argv], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def snapshot(*roots: Path) -> dict[str, tuple]:
    """Every path under `roots` with its kind, mode and content hash."""
    out: dict[str, tuple] = {}
    for root in roots:
        for path in sorted(root.rglob("*")):
            info = path.lstat()
            if path.is_symlink():
                out[str(path)] = ("link", os.readlink(path))
            elif path.is_dir():
                out[str(path)] = ("dir", info.st_mode)
            elif not path.is_file():  # a FIFO or a device: never opened
                out[str(path)] = ("special", info.st_mode)
            else:
                out[str(path)] = ("file", info.st_mode, hashlib.sha256(path.read_bytes()).digest())
    return out


def assert_one_line_error(code: int, out: str, err: str, needles: list[str]) -> str:
    assert code == 2, (code, out, err)
    assert "Traceback" not in err and "Traceback" not in out
    assert out == "", out
    lines = err.splitlines()
    assert len(lines) == 1 and err.endswith("\n"), err
    line = lines[0]
    assert line.startswith("tunedeck"), line
    for needle in needles:
        assert needle in line, (needle, line)
    return line


def small_space() -> Space:
    return Space.from_dict({"training": {"batch_size": [16, 32], "epochs": 1}})


def finished_run(path: Path) -> RunDir:
    settings = RunSettings(backend="fake", algorithm="grid", max_trials=2, epochs=1)
    run = prepare(path, small_space(), settings)
    run_search(run)
    return run


@dataclass(frozen=True)
class Case:
    id: str
    argv: tuple[str, ...]  # "{bad}" is the corpus folder, "{tmp}" the test's tmp_path
    needles: tuple[str, ...]  # each must appear in the one error line (same placeholders)
    setup: Callable[[Path], object] | None = None
    marks: tuple = ()


EXPORT = ("export", "{tmp}/run", "--format")
RUN = ("run", "--backend", "fake", "--max-trials", "1", "--epochs", "1", "--run-dir", "{tmp}/run")
DATA = (
    "run",
    "--backend",
    "keras-tuner",
    "--max-trials",
    "1",
    "--epochs",
    "1",
    "--run-dir",
    "{tmp}/run",
    "--dataset",
)


def write(relative: str, data: str = "mine\n") -> Callable[[Path], None]:
    def setup(tmp: Path) -> None:
        path = tmp / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(data)

    return setup


def mkdir(relative: str) -> Callable[[Path], None]:
    return lambda tmp: (tmp / relative).mkdir(parents=True)


def fifo(relative: str) -> Callable[[Path], None]:
    return lambda tmp: os.mkfifo(tmp / relative)


def link(relative: str, target: str) -> Callable[[Path], None]:
    return lambda tmp: (tmp / relative).symlink_to(target)


def copy(source: str, relative: str) -> Callable[[Path], None]:
    """`source` ({bad} for the corpus) copied to `relative`, in place of what was there."""
    return lambda tmp: (tmp / relative).write_bytes(Path(fill(source, tmp)).read_bytes())


def replaced(relative: str, by: Callable[[str], Callable[[Path], None]]) -> Callable[[Path], None]:
    """The file at `relative` replaced by what `by` (fifo, mkdir) makes."""

    def setup(tmp: Path) -> None:
        (tmp / relative).unlink()
        by(relative)(tmp)

    return setup


def finished(relative: str = "run") -> Callable[[Path], None]:
    return lambda tmp: finished_run(tmp / relative)


def new_run(tmp: Path) -> None:
    RunDir.create(tmp / "run", small_space(), RunSettings(backend="fake", max_trials=2))


def finished_then(name: str, text: str) -> Callable[[Path], None]:
    """A finished run whose file `name` the user then edited by hand."""

    def setup(tmp: Path) -> None:
        finished_run(tmp / "run")
        (tmp / "run" / name).write_text(text)

    return setup


def finished_and(*others: Callable[[Path], None]) -> Callable[[Path], None]:
    def setup(tmp: Path) -> None:
        finished_run(tmp / "run")
        for other in others:
            other(tmp)

    return setup


def locked_parent(tmp: Path) -> None:
    (tmp / "locked").mkdir()
    (tmp / "locked").chmod(0o500)


def fill(text: str, tmp: Path) -> str:
    return text.replace("{bad}", str(CORPUS)).replace("{tmp}", str(tmp))


def params(cases: list[Case]) -> list:
    return [pytest.param(case, id=case.id, marks=case.marks) for case in cases]


def check_case(case: Case, tmp_path: Path, run: Callable[[list[str]], tuple[int, str, str]]):
    if case.setup is not None:
        case.setup(tmp_path)
    before = snapshot(tmp_path, CORPUS)
    try:
        code, out, err = run([fill(arg, tmp_path) for arg in case.argv])
        after = snapshot(tmp_path, CORPUS)
    finally:
        if (tmp_path / "locked").exists():
            (tmp_path / "locked").chmod(0o700)
    assert_one_line_error(code, out, err, [fill(n, tmp_path) for n in case.needles])
    assert after == before, "the command changed, left or removed files"
    assert not (tmp_path / MARKER).exists()


def run_case(case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A case through the in-process CLI."""
    from tests.engine.cli_helpers import tunedeck

    check_case(case, tmp_path, lambda argv: tunedeck(capsys, *argv))

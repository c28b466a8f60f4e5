"""Two `tunedeck run` started at the same instant on one --run-dir: one runs, the other fails
with one line and never touches the winner's files (the lock is taken before anything is
written), and a runner holding the lock turns every other `run` away untouched."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from engine.run.kept import load_results
from engine.run.rundir import LOCK, PID, RunDir
from engine.run.settings import RunSettings
from engine.run.states import RunState
from engine.space import default_space
from tests.engine.cli_helpers import fake_run, isolated_cli, tunedeck  # noqa: F401 - fixture

# Imports everything first, then waits for the gate: both runs start within a millisecond.
GATED = """
import os, sys, time
import engine.cli, engine.commands.headless, engine.prepare, engine.commands.runner, engine.backends.fake
import engine.export.report, engine.export.exporter, engine.data.catalog
gate = sys.argv[1]
open(f"{gate}.{os.getpid()}", "w").close()  # ready
while not os.path.exists(gate):
    time.sleep(0.0005)
sys.exit(engine.cli.main(sys.argv[2:]))
"""


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TUNEDECK_")}
    return {**env, "TUNEDECK_FAKE_DELAY": "0"}


@pytest.mark.timeout(300)
@pytest.mark.parametrize("nested", [False, True])
def test_two_runs_at_once_on_one_directory_leave_one_whole_run(
    tmp_path: Path, nested: bool
) -> None:
    for attempt in range(10):
        run = tmp_path / str(attempt) / ("a/b" if nested else "")
        gate = tmp_path / f"gate{attempt}"
        argv = [*fake_run(run, "--max-trials", "1", epochs=1), "--quiet"]
        procs = [
            subprocess.Popen(
                [sys.executable, "-c", GATED, str(gate), *argv],
                env=_env(),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        deadline = time.monotonic() + 60
        while len(list(tmp_path.glob(f"gate{attempt}.*"))) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)  # both imported and waiting
        gate.touch()
        results = [(p.wait(timeout=60), *p.communicate()) for p in procs]
        codes = sorted(code for code, _, _ in results)
        assert codes == [0, 2], results
        loser_err = next(err for code, _, err in results if code == 2)
        assert loser_err.count("\n") == 1 and "Traceback" not in loser_err, loser_err
        assert "already working here" in loser_err or "already holds a run" in loser_err
        assert load_results(run).state == RunState.FINISHED, attempt
        assert RunDir.open(run).settings().max_trials == 1


@pytest.mark.usefixtures("isolated_cli")
def test_a_run_that_finds_the_lock_held_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The winner has taken the lock and written nothing else yet."""
    holder = RunDir(tmp_path / "run")
    holder.path.mkdir()
    holder.acquire()
    try:
        before = sorted(os.listdir(holder.path))
        code, out, err = tunedeck(capsys, *fake_run(holder.path, "--max-trials", "1"))
        assert (code, out) == (2, "") and err.count("\n") == 1
        assert "a runner is already working here" in err
        assert sorted(os.listdir(holder.path)) == before == [LOCK, PID]
        with pytest.raises(Exception, match="already working here"):
            RunDir.create(holder.path, default_space(), RunSettings(backend="fake"))
        assert sorted(os.listdir(holder.path)) == before
    finally:
        holder.release()


@pytest.mark.usefixtures("isolated_cli")
def test_a_refused_directory_is_left_as_it_was(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine\n")
    code, _, err = tunedeck(capsys, *fake_run(folder, "--max-trials", "1"))
    assert code == 2 and "exists and is not empty" in err
    assert os.listdir(folder) == ["notes.txt"]


def test_a_copy_for_another_process_does_not_hold_the_lock(tmp_path: Path) -> None:
    """scikit-learn's parallel workers get a pickled copy of the run directory."""
    import pickle

    run = RunDir.create(
        tmp_path / "run", default_space(), RunSettings(backend="fake"), keep_lock=True
    )
    try:
        copy = pickle.loads(pickle.dumps(run))
        assert copy.path == run.path and run.is_running()
        copy.release()  # a no-op: the copy holds nothing
        assert run.is_running()
    finally:
        run.release()
    assert not run.is_running()

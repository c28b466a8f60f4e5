"""A stop or skip request left behind by a runner that died before answering it (killed right
after `tunedeck stop`) is not meant for the next runner: a resume starts afresh."""

from __future__ import annotations

import re
import signal
import subprocess
from pathlib import Path

import pytest

from engine.run.kept import load_results
from engine.run.rundir import SKIP, STOP, RunDir, StopMode
from engine.run.states import RunState, TrialStatus
from tests.engine.cli_helpers import fake_run, isolated_cli, tunedeck  # noqa: F401 - fixture
from tests.engine.test_cli import command, environment


@pytest.mark.usefixtures("isolated_cli")
@pytest.mark.parametrize("mode", list(StopMode))
def test_a_leftover_stop_request_does_not_stop_the_next_resume(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], mode: StopMode
) -> None:
    run = tmp_path / "run"
    assert tunedeck(capsys, *fake_run(run, "--max-trials", "3"))[0] == 0
    fresh = RunDir.create(tmp_path / "fresh", RunDir(run).space(), RunDir(run).settings())
    fresh.request_stop(mode)
    fresh.request_skip()
    code, _, err = tunedeck(capsys, "resume", str(fresh.path))
    assert code == 0, err
    results = load_results(fresh.path)
    assert results.state == RunState.FINISHED
    assert [t.status for t in results.trials.values()] == [TrialStatus.COMPLETED] * 3
    assert not (fresh.path / STOP).exists() and not (fresh.path / SKIP).exists()


@pytest.mark.timeout(120)
def test_a_runner_killed_after_stop_is_resumed_to_the_end(tmp_path: Path) -> None:
    """`tunedeck stop`, then SIGKILL before the runner answered: the resume completes."""
    run = tmp_path / "run"
    proc = subprocess.Popen(
        command(*fake_run(run, "--max-trials", "3", epochs=5)),
        env=environment(TUNEDECK_FAKE_DELAY="0.2"),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if re.match(r"trial \d+  1/", line):
                break
        proc.send_signal(signal.SIGSTOP)  # frozen: it can no longer answer the request
        stopped = subprocess.run(
            command("stop", str(run)), env=environment(), capture_output=True, text=True, timeout=60
        )
        assert stopped.returncode == 0, stopped.stderr
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        proc.kill()
    assert (run / STOP).exists()
    resumed = subprocess.run(
        command("resume", str(run), "--quiet"),
        env=environment(TUNEDECK_FAKE_DELAY="0"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert resumed.returncode == 0, resumed.stderr
    assert load_results(run).state == RunState.FINISHED
    assert load_results(run).done == 3

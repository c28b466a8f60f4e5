"""README, exit codes: "130 interrupted (ctrl+c; the journal records the stop and `tunedeck
resume` continues)", on the real backends: a headless `tunedeck run` on Keras Tuner and on
scikit-learn sent SIGINT while it trains. The mechanism guarded is `StopControl`'s signal
handler (a clean stop at the next batch, `search_stopped` journaled, exit 130) rather than
Python's KeyboardInterrupt, which would leave the journal saying the search still runs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from engine.run import events as ev
from engine.run.journal import read_run
from engine.run.kept import load_results
from engine.run.rundir import JOURNAL
from engine.run.states import RunState, TrialStatus
from tests.engine.cli_helpers import isolated_cli, tunedeck  # noqa: F401 - fixture

pytestmark = [pytest.mark.usefixtures("isolated_cli"), pytest.mark.timeout(400), pytest.mark.slow]
TUNEDECK = Path(sys.executable).with_name("tunedeck")
SPACE = "training: {batch_size: [16, 32, 64], epochs: 3}\narchitecture: {nodes: 8}\n"
ARGS = {"keras-tuner": ["--algorithm", "grid"], "sklearn": ["--algorithm", "grid", "--cv", "2"]}


def _interrupted(backend: str, space: Path, run: Path) -> tuple[int, str]:
    """A headless run sent SIGINT once its first epoch is journaled: (exit code, stderr)."""
    base = [str(TUNEDECK)] if TUNEDECK.exists() else [sys.executable, "-m", "engine"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("TUNEDECK_")}
    proc = subprocess.Popen(
        [
            *base,
            "run",
            str(space),
            "--dataset",
            "digits",
            "--subsample",
            "200",
            "--backend",
            backend,
            *ARGS[backend],
            "--max-trials",
            "3",
            "--seed",
            "1",
            "--run-dir",
            str(run),
            "--quiet",
        ],
        env={**env, "TUNEDECK_ESTIMATE": "0", "TF_CPP_MIN_LOG_LEVEL": "3"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 300
        journal = run / JOURNAL
        while time.monotonic() < deadline and proc.poll() is None:
            if journal.exists() and '"epoch_ended"' in journal.read_text():
                proc.send_signal(signal.SIGINT)
                break
            time.sleep(0.02)
        _, err = proc.communicate(timeout=120)
    finally:
        proc.kill()
    return proc.returncode, err


@pytest.mark.parametrize("backend", ["keras-tuner", "sklearn"])
def test_ctrl_c_exits_130_journals_the_stop_and_resume_finishes(
    backend: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Guards the SIGINT handler of a real search: exit 130, the journal's state `stopped`
    with no trial cut short recorded completed, and a resume that completes every trial once."""
    (tmp_path / "space.yaml").write_text(SPACE)
    run = tmp_path / "run"
    code, err = _interrupted(backend, tmp_path / "space.yaml", run)
    assert code == 130, err
    assert "Traceback" not in err and f"tunedeck resume {run}" in err, err
    events = read_run(run)
    assert isinstance([e for e in events if e.type.startswith("search_")][-1], ev.SearchStopped)
    at_stop = load_results(run)
    assert at_stop.state == RunState.STOPPED
    done = [t for t in at_stop.trials.values() if t.status == TrialStatus.COMPLETED]
    assert len(done) < 3, "the stop came after the search had ended: the test proves nothing"

    code, _, err = tunedeck(capsys, "resume", str(run), "--quiet")
    assert code == 0, err
    results = load_results(run)
    assert results.state == RunState.FINISHED and len(results.trials) == 3
    assert all(t.status == TrialStatus.COMPLETED for t in results.trials.values())
    completed = [
        e.trial_id
        for e in read_run(run)
        if isinstance(e, ev.TrialEnded) and e.status == TrialStatus.COMPLETED
    ]
    assert sorted(completed) == sorted(results.trials), "a trial completed twice"
    for trial in done:  # finished before the stop: kept, not trained again
        assert results.trials[trial.trial_id].score == trial.score

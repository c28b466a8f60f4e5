"""README: "A worker that dies mid-trial does not stop the search: the chief notices its
heartbeat stop (`state/workers/<id>`, 30 s; `TUNEDECK_WORKER_TIMEOUT`), its trial runs again on
a live worker". In the default CPU layout: the coordinator trains as tuner0 and tuner1 is a
process of its own. tuner1 is frozen (SIGSTOP) mid-trial, so that only its heartbeat tells: a
SIGKILL without a cgroup counter is taken for the OOM killer's, whose trial is ended `oom`
instead (README, "What it does not guarantee"). Guards the chief's loop that drops a silent
worker and hands its trial to `_retry_queue` (`keras_tuner.oracle_service._drop_dead_workers`).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from engine.run.kept import load_results
from tests.records import records

pytestmark = [pytest.mark.slow, pytest.mark.timeout(500)]
TRIALS = 5
# All of digits at 15 epochs: about 2 s a trial, so that tuner0 still has trials to train when
# the frozen worker's heartbeat is 5 s stale (on fewer samples it ends first, and a trial
# whose worker died once no other is left is reported failed instead).
ARGS = [
    "--dataset",
    "digits",
    "--backend",
    "keras-tuner",
    "--algorithm",
    "random",
    "--epochs",
    "15",
    "--seed",
    "4",
    "--max-trials",
    str(TRIALS),
    "--workers",
    "2",
]


def _worker_pid(run: Path) -> int | None:
    found = subprocess.run(
        ["pgrep", "-f", "--", f"--tuner-id tuner1 {run}"], capture_output=True, text=True
    )
    return int(found.stdout.split()[0]) if found.stdout.strip() else None


def _training(run: Path, worker: str) -> str | None:
    """The trial `worker` has started and not ended, once it journaled an epoch of it."""
    started, ended, trained = {}, set(), set()
    for event in records(run):
        if event.get("worker") != worker:
            continue
        if event["type"] == "trial_started":
            started[event["trial_id"]] = True
        elif event["type"] == "trial_ended":
            ended.add(event["trial_id"])
        elif event["type"] == "epoch_ended":
            trained.add(event["trial_id"])
    running = [t for t in started if t not in ended and t in trained]
    return running[-1] if running else None


def test_a_silent_workers_trial_completes_once_on_the_live_worker(tmp_path: Path) -> None:
    run = tmp_path / "run"
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "TUNEDECK_WORKER_TIMEOUT": "5"}
    env.pop("TUNEDECK_GPUS", None)  # the CPU layout: tuner0 in the coordinator
    proc = subprocess.Popen(
        [sys.executable, "-m", "engine", "run", *ARGS, "--run-dir", str(run), "--quiet"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    victim, frozen = None, None
    try:
        deadline = time.monotonic() + 300
        while frozen is None and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
            if (victim := _worker_pid(run)) is not None and (frozen := _training(run, "tuner1")):
                os.kill(victim, signal.SIGSTOP)
        assert frozen is not None, f"worker tuner1 never trained: {proc.poll()}"
        retried = f"trial {frozen} will run again on another worker"
        while time.monotonic() < deadline and proc.poll() is None:
            if any(retried in e.get("message", "") for e in records(run)):
                os.kill(victim, signal.SIGKILL)  # given up on: the coordinator need not wait
                break
            time.sleep(0.2)
        out, err = proc.communicate(timeout=300)
    finally:
        if victim is not None:
            with contextlib.suppress(ProcessLookupError):  # frozen, were the test to fail
                os.kill(victim, signal.SIGKILL)
        proc.kill()
    assert proc.returncode == 0, err
    results = load_results(run)
    assert results.state == "finished"
    assert len(results.trials) == TRIALS
    assert all(t.status == "completed" for t in results.trials.values()), [
        (t.trial_id, t.status, t.reason) for t in results.trials.values()
    ]
    assert results.trials[frozen].worker == "tuner0", "the frozen worker's trial moved"
    ends = [(e["trial_id"], e["status"]) for e in records(run) if e["type"] == "trial_ended"]
    assert sorted(ends) == [(t, "completed") for t in sorted(results.trials)], "each ends once"

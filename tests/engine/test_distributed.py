"""Keras Tuner's distributed mode: the oracle and two worker processes on loopback, one killed
mid-search. Two GPUs are faked, so that both workers are processes of their own, each given
its device (on a CPU the coordinator trains as tuner0 itself: test_distributed_grid)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from engine.run.journal import journal_files
from engine.run.kept import load_results
from tests.records import records

pytestmark = pytest.mark.slow
ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "TUNEDECK_WORKER_TIMEOUT": "10"}
NODES = {**ENV, "TUNEDECK_GPUS": "fake,fake"}  # each worker a process, given its "GPU"
ARGS = [
    "--dataset",
    "digits",
    "--subsample",
    "300",
    "--backend",
    "keras-tuner",
    "--algorithm",
    "random",
    "--epochs",
    "2",
    "--seed",
    "4",
]


def start_parallel(run: Path, trials: int) -> subprocess.Popen:
    """A two-worker search in the background, its output captured."""
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "engine",
            "run",
            *ARGS,
            "--max-trials",
            str(trials),
            "--workers",
            "2",
            "--run-dir",
            str(run),
            "--quiet",
        ],
        env=NODES,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def ended(run: Path) -> dict[str, list[str]]:
    statuses: dict[str, list[str]] = {}
    for event in records(run):
        if event["type"] == "trial_ended":
            statuses.setdefault(event["trial_id"], []).append(event["status"])
    return statuses


def test_two_workers_complete_a_search_with_every_trial_recorded_once(tmp_path: Path) -> None:
    run = tmp_path / "run"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "engine",
            "run",
            *ARGS,
            "--max-trials",
            "4",
            "--workers",
            "2",
            "--run-dir",
            str(run),
        ],
        env=NODES,
        capture_output=True,
        text=True,
        timeout=400,
    )
    assert proc.returncode == 0, proc.stderr
    assert {p.name for p in journal_files(run)} >= {"events-tuner0.jsonl", "events-tuner1.jsonl"}
    statuses = ended(run)
    assert sorted(statuses) == ["0", "1", "2", "3"]
    assert all(s == ["completed"] for s in statuses.values()), statuses
    results = load_results(run)
    assert results.state == "finished" and results.test_score is not None
    assert {t.worker for t in results.trials.values()} == {"tuner0", "tuner1"}
    assert {(t.worker, t.gpu) for t in results.trials.values()} == {
        ("tuner0", "0"),
        ("tuner1", "1"),
    }
    assert proc.stdout.count("trial ") >= 4  # live progress lines from the workers' journals


def test_a_worker_killed_mid_trial_does_not_stop_the_search(tmp_path: Path) -> None:
    run = tmp_path / "run"
    proc = start_parallel(run, trials=5)
    victim = None
    deadline = time.monotonic() + 300
    while victim is None and time.monotonic() < deadline:
        time.sleep(0.05)
        journal = run / "events-tuner1.jsonl"
        if journal.exists() and '"epoch_ended"' in journal.read_text():
            found = subprocess.run(
                ["pgrep", "-f", "--", f"--tuner-id tuner1 {run}"], capture_output=True, text=True
            )
            victim = int(found.stdout.split()[0]) if found.stdout.strip() else None
    assert victim is not None, "worker tuner1 never trained"
    os.kill(victim, signal.SIGKILL)
    out, err = proc.communicate(timeout=400)
    assert proc.returncode == 0, err
    statuses = ended(run)
    assert len(statuses) == 5, statuses
    results = load_results(run)
    assert results.state == "finished"
    assert sum(t.status == "completed" for t in results.trials.values()) >= 4
    assert any("tuner1" in log.message for log in results.logs)


def test_a_parallel_run_stops_on_request_and_resumes_to_the_end(tmp_path: Path) -> None:
    run = tmp_path / "run"
    proc = start_parallel(run, trials=6)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and sum(map(len, ended(run).values())) < 2:
        time.sleep(0.1)
    stop = subprocess.run(
        [sys.executable, "-m", "engine", "stop", str(run)], env=ENV, capture_output=True, text=True
    )
    assert stop.returncode == 0, stop.stderr
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 130, err
    assert load_results(run).state == "stopped"
    assert len(ended(run)) < 6
    again = subprocess.run(
        [sys.executable, "-m", "engine", "resume", str(run), "--quiet"],
        env=ENV,
        capture_output=True,
        text=True,
        timeout=400,
    )
    assert again.returncode == 0, again.stderr
    statuses = ended(run)
    completed = [tid for tid, s in statuses.items() if "completed" in s]
    assert len(completed) == 6 and all(s.count("completed") == 1 for s in statuses.values())
    assert load_results(run).state == "finished"


def test_workers_restart_themselves_when_memory_grows_and_lose_nothing(tmp_path: Path) -> None:
    run = tmp_path / "run"
    # every trial; a restart re-imports TensorFlow, which on a loaded box can pass the default
    # 30 s a worker may stay silent: this test is about the restart, not that timeout
    env = {**NODES, "TUNEDECK_RECYCLE_GROWTH": "0.000001", "TUNEDECK_WORKER_TIMEOUT": "120"}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "engine",
            "run",
            *ARGS,
            "--max-trials",
            "4",
            "--workers",
            "2",
            "--run-dir",
            str(run),
            "--quiet",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=400,
    )
    assert proc.returncode == 0, proc.stderr
    statuses = ended(run)
    assert sorted(statuses) == ["0", "1", "2", "3"]
    assert all(s == ["completed"] for s in statuses.values()), statuses
    results = load_results(run)
    assert not [log for log in results.logs if "stopped responding" in log.message]
    assert [log for log in results.logs if "restarting to free memory" in log.message]

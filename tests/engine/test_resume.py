"""Resume after SIGKILL at random moments: nothing finished is lost, run again or duplicated."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from engine.run.kept import load_results
from tests.records import records

ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}


def start(args: list[str], env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "engine", *args, "--quiet"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def journal_lines(run: Path) -> list[dict]:
    return records(run, "events.jsonl")


def kill_when(proc: subprocess.Popen, run: Path, ready, timeout: float = 120) -> bool:
    """SIGKILL `proc` once `ready(journal)` holds; False if it finished first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        if ready(journal_lines(run)):
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            return True
        time.sleep(0.01)
    proc.kill()
    raise AssertionError("the search never reached the point to kill it")


def completed_ids(lines: list[dict]) -> list[str]:
    return [
        e["trial_id"] for e in lines if e["type"] == "trial_ended" and e["status"] == "completed"
    ]


def test_chaos_kills_at_random_points_never_lose_or_duplicate_work(tmp_path: Path) -> None:
    env = {**ENV, "TUNEDECK_FAKE_DELAY": "0.04"}
    args = [
        "--backend",
        "fake",
        "--algorithm",
        "random",
        "--max-trials",
        "12",
        "--epochs",
        "5",
        "--seed",
        "3",
    ]
    reference = tmp_path / "reference"
    assert start(["run", *args, "--run-dir", str(reference)], env).wait(timeout=120) == 0
    expected = load_results(reference)

    run = tmp_path / "chaos"
    rng = random.Random(11)
    proc = start(["run", *args, "--run-dir", str(run)], env)
    kills, progress = 0, []
    while kills < 6:
        target = rng.randint(1, 15)  # events into this attempt
        base = len(journal_lines(run))
        if not kill_when(proc, run, lambda lines, b=base, t=target: len(lines) >= b + t):
            break
        kills += 1
        done = completed_ids(journal_lines(run))
        progress.append(len(set(done)))
        assert len(done) == len(set(done)), "a finished trial ran again"
        proc = start(["resume", str(run)], env)
    assert proc.wait(timeout=120) == 0, proc.stderr.read()
    assert kills >= 3
    assert progress == sorted(progress), "progress went backwards"
    lines = journal_lines(run)
    done = completed_ids(lines)
    assert len(done) == len(set(done)) == 12
    results = load_results(run)
    assert results.state == "finished" and results.planned == 12
    assert [(t.trial_id, t.hyperparameters, t.score) for t in results.leaderboard()] == [
        (t.trial_id, t.hyperparameters, t.score) for t in expected.leaderboard()
    ]


def test_a_torn_journal_line_from_a_kill_mid_write_is_survived(tmp_path: Path) -> None:
    env = {**ENV, "TUNEDECK_FAKE_DELAY": "0.01"}
    run = tmp_path / "run"
    args = ["--backend", "fake", "--max-trials", "4", "--epochs", "2", "--run-dir", str(run)]
    proc = start(["run", *args], env)
    assert kill_when(proc, run, lambda lines: len(completed_ids(lines)) >= 2)
    with open(run / "events.jsonl", "a") as handle:
        handle.write('{"type":"epoch_ended","trial_id":"002","ep')
    assert start(["resume", str(run)], env).wait(timeout=60) == 0
    assert load_results(run).state == "finished"
    assert len(set(completed_ids(journal_lines(run)))) == 4


@pytest.mark.slow
def test_keras_tuner_search_killed_mid_trial_resumes_to_the_same_leaderboard(
    tmp_path: Path,
) -> None:
    args = [
        "--dataset",
        "digits",
        "--subsample",
        "300",
        "--backend",
        "keras-tuner",
        "--algorithm",
        "random",
        "--max-trials",
        "4",
        "--epochs",
        "3",
        "--seed",
        "2",
    ]
    reference = tmp_path / "reference"
    proc = start(["run", *args, "--run-dir", str(reference)], ENV)
    assert proc.wait(timeout=300) == 0, proc.stderr.read()

    run = tmp_path / "run"
    proc = start(["run", *args, "--run-dir", str(run)], ENV)

    def mid_second_trial(lines: list[dict]) -> bool:
        epochs = [e for e in lines if e["type"] == "epoch_ended" and e["trial_id"] == "1"]
        return len(completed_ids(lines)) == 1 and len(epochs) >= 1

    assert kill_when(proc, run, mid_second_trial, timeout=300)
    proc = start(["resume", str(run)], ENV)
    assert proc.wait(timeout=300) == 0, proc.stderr.read()
    lines = journal_lines(run)
    done = completed_ids(lines)
    assert sorted(done) == sorted(set(done)) and len(done) == 4
    started_1 = [e for e in lines if e["type"] == "trial_started" and e["trial_id"] == "1"]
    assert len(started_1) == 2  # the interrupted trial ran again, under the same id
    got, want = load_results(run), load_results(reference)
    assert [t.hyperparameters for t in got.leaderboard()] == [
        t.hyperparameters for t in want.leaderboard()
    ]
    for a, b in zip(got.leaderboard(), want.leaderboard(), strict=True):
        assert a.score == pytest.approx(b.score, abs=0.02)
    assert got.test_score is not None


@pytest.mark.slow
@pytest.mark.parametrize("algorithm", ["random", "grid"])
def test_the_runner_restarts_itself_when_memory_grows_and_loses_nothing(
    tmp_path: Path, algorithm: str
) -> None:
    env = {**ENV, "TUNEDECK_RECYCLE_GROWTH": "0.000001"}  # any growth at all: every trial
    run = tmp_path / "run"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "engine",
            "run",
            "--dataset",
            "iris",
            "--backend",
            "keras-tuner",
            "--algorithm",
            algorithm,
            "--max-trials",
            "3",
            "--epochs",
            "1",
            "--run-dir",
            str(run),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    lines = journal_lines(run)
    restarts = [e for e in lines if e["type"] == "log" and "free memory" in e["message"]]
    assert len(restarts) >= 1
    assert sum(e["type"] == "search_started" for e in lines) == len(restarts) + 1
    done = completed_ids(lines)
    assert sorted(done) == sorted(set(done)) and len(done) == 3
    assert "  3/3  " in proc.stdout  # the progress count carries on across restarts
    assert proc.stdout.count("searching:") == 1 and "resuming" not in proc.stdout
    configs = [
        json.dumps(e["hyperparameters"], sort_keys=True)
        for e in lines
        if e["type"] == "trial_started"
    ]
    assert len(set(configs)) == 3  # a grid reloaded mid-way still visits new combinations
    assert load_results(run).state == "finished"

"""`tunedeck worker RUN --chief HOST:PORT` started by hand: a chief that does not answer, an
address that does not resolve, or a run that is not running is one line (exit 2) in bounded
time, before TensorFlow loads, and nothing is written into the run directory. Local workers
are capped by the trials and the cores."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from engine.backends.keras_tuner.cluster import JOIN_SECONDS
from engine.backends.keras_tuner.coordinator import local_workers
from engine.plan.cores import usable as usable_cores
from engine.run.rundir import JOURNAL
from tests.engine.corpus import finished_run, snapshot

pytestmark = pytest.mark.timeout(120)


def _worker(run: Path, chief: str) -> tuple[subprocess.CompletedProcess[str], float]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TUNEDECK_", "TF_"))}
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "engine", "worker", str(run), "--chief", chief],
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
    )
    return done, time.monotonic() - started


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])  # closed again once the probe goes


def _interrupted(tmp_path: Path) -> Path:
    """A run whose journal says it is still running (its runner is gone)."""
    run = finished_run(tmp_path / "run").path
    lines = (run / JOURNAL).read_text().splitlines()
    (run / JOURNAL).write_text("\n".join(x for x in lines if "search_finished" not in x) + "\n")
    return run


def _one_line(done: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert done.returncode == 2, done.stderr
    assert done.stdout == "" and done.stderr.count("\n") == 1, done.stderr  # no TF/absl lines
    assert done.stderr.startswith("tunedeck: error: ")
    for needle in needles:
        assert needle in done.stderr, done.stderr


def test_a_worker_for_a_finished_run_writes_nothing(tmp_path: Path) -> None:
    run = finished_run(tmp_path / "run").path
    before = snapshot(tmp_path)
    done, took = _worker(run, f"127.0.0.1:{_closed_port()}")
    _one_line(done, str(run), "the search has finished")
    assert snapshot(tmp_path) == before and took < 30


def test_a_worker_whose_chief_does_not_answer_gives_up_in_bounded_time(tmp_path: Path) -> None:
    run = _interrupted(tmp_path)
    before = snapshot(tmp_path)
    address = f"127.0.0.1:{_closed_port()}"
    done, took = _worker(run, address)
    _one_line(done, f"chief: nothing answers at {address}", "is the search running?")
    assert snapshot(tmp_path) == before
    assert JOIN_SECONDS <= took < JOIN_SECONDS + 20


@pytest.mark.parametrize("host", ["no-such-host.invalid", "300.1.2.3", "bad host"])
def test_a_chief_address_that_does_not_resolve_is_one_line(tmp_path: Path, host: str) -> None:
    run = _interrupted(tmp_path)
    before = snapshot(tmp_path)
    done, took = _worker(run, f"{host}:8000")
    _one_line(done, "chief: cannot resolve", host)
    assert snapshot(tmp_path) == before and took < 30


def test_local_workers_are_capped_by_trials_and_cores() -> None:
    cores = usable_cores()
    assert local_workers(1000, 1) == 1
    assert local_workers(1000, 1000) == cores
    assert local_workers(2, 10) == min(2, cores)
    assert local_workers(0, 5) == 1

"""Searches the console starts yield the CPU to it (idle scheduling class); others do not."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest


@pytest.mark.parametrize(
    ("priority", "policy"), [("idle", os.SCHED_IDLE), ("normal", os.SCHED_OTHER)]
)
def test_the_console_starts_searches_in_the_idle_class(
    tmp_path: Path, priority: str, policy: int
) -> None:
    env = {**os.environ, "TUNEDECK_FAKE_DELAY": "0.2", "TUNEDECK_PRIORITY": priority}
    proc = subprocess.Popen(
        [sys.executable, "-m", "engine", "run", "--backend", "fake", "--max-trials", "2",
         "--epochs", "10", "--run-dir", str(tmp_path / "run"), "--quiet"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while not (tmp_path / "run" / "events.jsonl").exists():
            assert time.monotonic() < deadline and proc.poll() is None
            time.sleep(0.05)
        assert os.sched_getscheduler(proc.pid) == policy
    finally:
        proc.kill()
        proc.wait()

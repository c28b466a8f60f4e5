"""`--priority idle` puts a search in the idle scheduling class; the console asks for it."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from engine.run.control import Priority


@pytest.mark.parametrize(
    ("priority", "policy"), [("idle", os.SCHED_IDLE), ("normal", os.SCHED_OTHER)]
)
def test_the_priority_flag_sets_the_scheduling_class(
    tmp_path: Path, priority: str, policy: int
) -> None:
    env = {**os.environ, "TUNEDECK_FAKE_DELAY": "0.2"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "engine",
            "run",
            "--backend",
            "fake",
            "--max-trials",
            "2",
            "--epochs",
            "10",
            "--run-dir",
            str(tmp_path / "run"),
            "--quiet",
            "--priority",
            priority,
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while not (tmp_path / "run" / "events.jsonl").exists():
            assert time.monotonic() < deadline and proc.poll() is None
            time.sleep(0.05)
        assert os.sched_getscheduler(proc.pid) == policy
    finally:
        proc.kill()
        proc.wait()


@pytest.mark.parametrize(("setting", "expected"), [(None, "idle"), ("normal", "normal")])
def test_the_console_starts_searches_in_the_idle_class_unless_told(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, setting: str | None, expected: str
) -> None:
    from tui import bridge

    started: list[list[str]] = []
    monkeypatch.setattr(bridge.subprocess, "Popen", lambda argv, **kw: started.append(argv))
    if setting is None:
        monkeypatch.delenv("TUNEDECK_PRIORITY", raising=False)
    else:
        monkeypatch.setenv("TUNEDECK_PRIORITY", setting)
    bridge.start_runner(tmp_path)
    argv = started[0]
    assert argv[argv.index("--priority") + 1] == expected == Priority(expected)
    assert argv[argv.index("resume") + 1] == str(tmp_path) and "--quiet" in argv

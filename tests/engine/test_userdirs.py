"""tunedeck's own files outside run directories live in the user's state folder (platformdirs,
here the tests' XDG_STATE_HOME), never in the system's temporary folder, and are pruned."""

from __future__ import annotations

import os
import time
from pathlib import Path

from engine.cli import _traceback_log
from engine.errors import InputError
from engine.system import places as userdirs


def test_a_refused_start_keeps_its_traceback_in_the_state_folder() -> None:
    err = InputError("net.py:build raised ValueError")
    err.details = "Traceback (most recent call last):\nValueError: no\n"
    said = _traceback_log(err)
    path = Path(said.removeprefix(" (traceback in ").removesuffix(")"))
    assert path.parent == userdirs.logs_dir() == Path(os.environ["XDG_STATE_HOME"], "tunedeck/logs")
    assert path.read_text() == err.details
    assert path.stat().st_mode & 0o077 == 0  # the user's code's traceback is the user's own


def test_old_logs_are_pruned_when_a_new_one_is_made(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    folder = userdirs.logs_dir()
    folder.mkdir(parents=True)
    now = time.time()
    for i in range(30):
        log = folder / f"traceback-{i:02d}.log"
        log.write_text("x")
        os.utime(log, (now - 60 * (30 - i), now - 60 * (30 - i)))  # 29 the newest
    ancient = folder / "start-old.log"
    ancient.write_text("x")
    os.utime(ancient, (now - 30 * 24 * 3600,) * 2)
    kept_aside = folder / "notes.txt"
    kept_aside.write_text("mine")
    made = userdirs.new_log("start")
    left = sorted(p.name for p in folder.iterdir())
    assert made.name in left and "notes.txt" in left and "start-old.log" not in left
    assert len([n for n in left if n.endswith(".log")]) == userdirs.KEPT_LOGS + 1
    assert "traceback-29.log" in left and "traceback-00.log" not in left

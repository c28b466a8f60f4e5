"""Importance for the console, estimated in a `python -m engine importance --json` child: it
needs Optuna (or numpy and scikit-learn), which never load in the console's process."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from engine.analysis.importance import Importance
from engine.errors import InputError
from engine.run.control import engine_command

TIMEOUT = 120.0


def importance_args(run_dir: str | Path) -> list[str]:
    return ["importance", str(run_dir), "--json"]


def importance_of(run_dir: str | Path) -> Importance:
    """The run's importance, computed by an engine child (blocking: call it from a thread)."""
    try:
        done = subprocess.run(
            engine_command(*importance_args(run_dir)),
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        raise InputError(f"no importance after {TIMEOUT:.0f} s", source=str(run_dir)) from None
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines() or [f"exit code {done.returncode}"]
        raise InputError(lines[-1].removeprefix("tunedeck: error: "))
    return Importance.from_dict(json.loads(done.stdout))

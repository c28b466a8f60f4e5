"""Shared helpers for the benchmarks: timing, medians, a results table, subprocess runs."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONPATH": str(ROOT)}


def run_json(code: str, *args: str, timeout: float = 1800) -> dict:
    """Run a Python snippet in a fresh interpreter; it prints one JSON object last."""
    out = subprocess.run(
        [PYTHON, "-c", code, *args],
        env=ENV,
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
    )
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-2000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def spread(values: list[float]) -> str:
    if len(values) < 2:
        return f"{values[0]:.3f}"
    return f"median {statistics.median(values):.3f} (min {min(values):.3f}, max {max(values):.3f})"


def table(rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows)


def stamp() -> str:
    return f"{time.strftime('%Y-%m-%d %H:%M')} on {os.cpu_count()} cores"


def epochs_in_journal(run_dir: Path) -> list[tuple[float, str, int]]:
    """(time, trial id, epoch) of every epoch_ended in a run's main journal."""
    out = []
    for line in (run_dir / "events.jsonl").read_text().splitlines():
        record = json.loads(line)
        if record["type"] == "epoch_ended":
            out.append((record["time"], record["trial_id"], record["epoch"]))
    return out


def best_curve(run: Path) -> list[tuple[float, float]]:
    """(seconds since the search started, best score so far) after each completed trial of a
    run (a maximised objective), read from its journal."""
    events = [json.loads(line) for line in (run / "events.jsonl").read_text().splitlines()]
    start = next(e["time"] for e in events if e["type"] == "search_started")
    best, curve = 0.0, []
    for e in events:
        if e["type"] == "trial_ended" and e["status"] == "completed":
            best = max(best, e["score"])
            curve.append((e["time"] - start, best))
    return curve

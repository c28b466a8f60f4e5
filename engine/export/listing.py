"""`tunedeck ls`: run directories with their state, progress and best score."""

from __future__ import annotations

import time
from pathlib import Path

from engine.errors import InputError
from engine.export.report import fmt_score
from engine.run.results import load_results
from engine.run.rundir import RunDir
from engine.run.states import run_state


def find_runs(root: str | Path) -> list[RunDir]:
    root = Path(root)
    if not root.is_dir():
        problem = "not a directory" if root.exists() else "no such directory"
        raise InputError(problem, source=str(root))
    if RunDir(root).is_run():
        return [RunDir(root)]
    try:
        runs = [RunDir(p) for p in root.iterdir() if p.is_dir() and RunDir(p).is_run()]
    except OSError as exc:
        raise InputError(f"cannot read ({exc.strerror})", source=str(root)) from None
    return sorted(runs, key=lambda r: r.path.name)


def list_runs(root: str | Path) -> list[str]:
    runs = find_runs(root)
    if not runs:
        return [f"no runs in {root}"]
    rows = [("RUN", "STATE", "TRIALS", "BEST", "BACKEND", "STARTED", "TOOK")]
    for run in runs:
        results = load_results(run.path)
        running = run.is_running()
        rows.append(
            (
                str(run.path),
                run_state(results.state, running),
                f"{results.done}/{results.planned}",
                fmt_score(results.best.score if results.best else None),
                f"{results.backend} {results.algorithm}".strip() or "-",
                _when(results.started),
                _took(results.started, time.time() if running else results.ended),
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]


def _when(started: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(started)) if started else "-"


def _took(started: float | None, ended: float | None) -> str:
    """h:mm:ss from the first start to the end (to now while it runs)."""
    if started is None or ended is None:
        return "-"
    seconds = max(int(ended - started), 0)
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"

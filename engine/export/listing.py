"""`tunedeck ls`: run directories with their state, progress and best score."""

from __future__ import annotations

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
    rows = [("RUN", "STATE", "TRIALS", "BEST", "BACKEND")]
    for run in runs:
        results = load_results(run.path)
        rows.append(
            (
                str(run.path),
                run_state(results.state, run.is_running()),
                f"{results.done}/{results.planned}",
                fmt_score(results.best.score if results.best else None),
                f"{results.backend} {results.algorithm}".strip() or "-",
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]

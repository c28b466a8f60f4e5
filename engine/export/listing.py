"""`tunedeck ls` and the console's runs screen: run directories with their state, progress, best
score and timing; and removing one that no search is using."""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from engine.errors import InputError
from engine.export.report import fmt_score
from engine.run.kept import load_results
from engine.run.rundir import RunDir
from engine.run.states import RunState, run_state


@dataclass(frozen=True)
class RunRow:
    """One run as a list shows it."""

    path: Path
    state: RunState
    done: int
    planned: int
    best: float | None
    backend: str
    started: float | None
    seconds: float | None  # from the first start to the end (to now while it runs)

    def cells(self) -> tuple[str, ...]:
        """RUN, STATE, TRIALS, BEST, BACKEND, STARTED, TOOK as text."""
        return (
            str(self.path),
            str(self.state),
            f"{self.done}/{self.planned}",
            fmt_score(self.best),
            self.backend or "-",
            _when(self.started),
            _took(self.seconds),
        )


HEADER = ("RUN", "STATE", "TRIALS", "BEST", "BACKEND", "STARTED", "TOOK")


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


def run_rows(root: str | Path) -> list[RunRow]:
    rows = []
    for run in find_runs(root):
        results = load_results(run.path)
        running = run.is_running()
        end = time.time() if running else results.ended
        rows.append(
            RunRow(
                run.path,
                run_state(results.state, running),
                results.done,
                results.planned,
                results.best.score if results.best else None,
                f"{results.backend} {results.algorithm}".strip(),
                results.started,
                None if results.started is None or end is None else max(end - results.started, 0),
            )
        )
    return rows


def list_runs(root: str | Path) -> list[str]:
    rows = [row.cells() for row in run_rows(root)]
    if not rows:
        return [f"no runs in {root}"]
    table = [HEADER, *rows]
    widths = [max(len(r[i]) for r in table) for i in range(len(HEADER))]
    return [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in table
    ]


def remove_run(path: str | Path) -> None:
    """Delete a run directory for good; refused while a search runs in it."""
    run = RunDir.open(path)
    if run.is_running():
        raise InputError("a search is running there: stop it first", source=str(run.path))
    try:
        shutil.rmtree(run.path)
    except OSError as exc:
        raise InputError(f"cannot delete ({exc.strerror})", source=str(run.path)) from None


def _when(started: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(started)) if started else "-"


def _took(seconds: float | None) -> str:
    """h:mm:ss."""
    if seconds is None:
        return "-"
    whole = int(seconds)
    return f"{whole // 3600}:{whole // 60 % 60:02d}:{whole % 60:02d}"

"""Views of a large run: how long each takes at 1k, 5k and 10k trials (targets at 10k: ls,
attach, the results screen and every analysis view ≤ 1 s, importance ≤ 2 s, the report ≤ 5 s).

A finished fake search of N trials × 20 epochs is written straight to its journal (what the
fake backend would journal, in seconds instead of minutes: seeded configurations of a space
with a continuous learning rate and parameters conditional on the optimizer and the model
family; a trial in fifty fails). Each command line view runs as the user runs it, a fresh
`python -m engine` process, from start to exit; the console runs headless (Textual's Pilot)
in a fresh process attached to the run: the monitor's first frame, the results screen after
`v`, the analysis screen after `a` and each of its tabs, and the process's peak memory.
The views run with no summary beside the journal first (`cold`: the first reading of a run
writes it) and then again (`warm`).

Figures are CPU seconds (user + system, the importance child's included): on a quiet machine
that is the wall time of these single-threaded views, while the shared development box's wall
times swing three to five times with its load (they are printed too). `--against DIR` runs the
same views with another checkout's code (e.g. `git archive main | tar -x -C DIR`) side by side
and prints the ratio.

`--multi` makes the run's trials rank by two objectives (accuracy against a parameter count
drawn from their configuration), and the console opens the Pareto screen (`p`) too.

    .venv/bin/python bench/scale.py [--multi] [--limit S] [--against DIR] [TRIALS ...]
"""

from __future__ import annotations

import json
import math
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import ENV, PYTHON, ROOT, stamp, table  # noqa: E402
from bench.large_run import EPOCHS, make_run  # noqa: E402
from engine.run.rundir import JOURNAL  # noqa: E402

LIMIT = 120.0  # wall seconds a view may take before it is given up on (shown as "> LIMIT")
Figure = tuple[float, float]  # (CPU seconds, wall seconds); nan: over the limit


def _env(code: Path) -> dict[str, str]:
    return {**ENV, "PYTHONPATH": str(code)}


def timed(code: Path, *args: str) -> Figure:
    """A fresh `python -m engine ARGS` with `code` first on the path, start to exit."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    try:
        done = subprocess.run(
            [PYTHON, "-m", "engine", *args],
            env=_env(code),
            cwd=code,
            capture_output=True,
            text=True,
            timeout=LIMIT,
        )
    except subprocess.TimeoutExpired:
        return math.nan, math.nan
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RuntimeError(f"{args}: {done.stderr[-1500:]}")
    return after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, wall


CONSOLE = r"""
import asyncio, json, resource, sys, time
from textual.widgets import TabbedContent
from tui.app import make_app
from tui.screens.analysis import AnalysisScreen
from tui.screens.results import ResultsScreen
from tui.screens.run import RunScreen
from tui.widgets.trial_table import TrialTable

run = sys.argv[1]
LIMIT = float(sys.argv[2])
MULTI = sys.argv[3] == "multi"

class Late(Exception):
    pass

def cpu():
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)  # the importance child, once waited on
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime

class Clock:
    def __init__(self, out):
        self.out = out
        self.reset()
    def reset(self):
        self.cpu, self.wall = cpu(), time.perf_counter()
    def lap(self, name):
        self.out[name] = [cpu() - self.cpu, time.perf_counter() - self.wall]
        self.reset()

async def until(pilot, ready):
    end = time.perf_counter() + LIMIT
    while not ready():
        if time.perf_counter() > end:
            raise Late
        await pilot.pause(0.005)
    await pilot.pause()  # the frame after

async def main():
    out = {}
    try:
        await views(out)
    except Late:
        pass  # the views not drawn within the limit are left out
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out["console peak MiB"] = [peak, peak]
    print(json.dumps(out))

async def views(out):
    clock = Clock(out)
    app = make_app(attach=run, clock=lambda: 1.7e9)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, RunScreen)
                    and app.screen.query(TrialTable) and app.screen.query_one(TrialTable).row_count)
        clock.lap("attach")
        await pilot.press("v")
        await until(pilot, lambda: isinstance(app.screen, ResultsScreen)
                    and app.screen.query("#leaderboard") and app.screen.query_one("#leaderboard").row_count)
        clock.lap("results (v)")
        if MULTI:
            await pilot.press("p")
            await until(pilot, lambda: type(app.screen).__name__ == "ParetoScreen")
            clock.lap("pareto (p)")
            await pilot.press("escape")
            await until(pilot, lambda: isinstance(app.screen, ResultsScreen))
            clock.reset()
        await pilot.press("a")
        await until(pilot, lambda: isinstance(app.screen, AnalysisScreen) and app.screen.is_mounted
                    and app.screen.query(TabbedContent))
        clock.lap("analysis (a)")
        await pilot.press("2")
        await until(pilot, lambda: "estimating" not in str(
            app.screen.query_one("#importance-table").render()))
        clock.lap("analysis: importance")
        for key, name in (("3", "slices"), ("4", "curves"), ("5", "compare"), ("6", "failures"),
                          ("7", "runs")):
            await pilot.press(key)
            await pilot.pause()
            clock.lap(f"analysis: {name}")

asyncio.run(main())
"""


def console(code: Path, run: Path, multi: bool) -> dict[str, Figure] | None:
    """The console's figures (None: it did not even end within 20 limits: a view that never
    yields to the event loop cannot be given up on from inside)."""
    try:
        done = subprocess.run(
            [PYTHON, "-c", CONSOLE, str(run), str(LIMIT), "multi" if multi else "one"],
            env=_env(code),
            cwd=code,
            capture_output=True,
            text=True,
            timeout=20 * LIMIT,
        )
    except subprocess.TimeoutExpired:
        return None
    if done.returncode != 0:
        raise RuntimeError(f"console: {done.stderr[-3000:]}")
    return {k: tuple(v) for k, v in json.loads(done.stdout.strip().splitlines()[-1]).items()}  # type: ignore[misc]


def clear_cache(run: Path) -> None:
    for cached in run.glob(".summary*"):
        cached.unlink()


def measure(code: Path, run: Path, other: Path, out: Path, multi: bool) -> dict[str, Figure]:
    """Every view, first with no summary beside the journals (cold), then again (warm)."""
    figures: dict[str, Figure] = {}
    clear_cache(run)
    clear_cache(other)
    figures["ls (cold)"] = timed(code, "ls", str(run.parent))
    figures["ls"] = timed(code, "ls", str(run.parent))
    figures["export csv"] = timed(
        code, "export", str(run), "--format", "csv", "-o", str(out / "t.csv"), "--force"
    )
    figures["importance"] = timed(code, "importance", str(run), "--json")
    figures["compare"] = timed(code, "compare", str(run), str(other))
    figures["report"] = timed(code, "report", str(run), "-o", str(out / "r.html"), "--force")
    clear_cache(run)
    cold = console(code, run, multi)
    if cold is None:
        return figures  # the views it did not reach are shown so
    if "attach" in cold:
        figures["console attach (cold)"] = cold["attach"]
    warm = console(code, run, multi) or {}
    figures.update({f"console {k}": v for k, v in warm.items()})
    return figures


def against_ratio(before: Figure | None, after: Figure | None) -> str:
    """after / before in CPU seconds; a view that went over the limit before: at most
    after / limit (its wall time passed the limit, its CPU time at most that)."""
    if before is None or after is None or math.isnan(after[0]) or before[0] == 0:
        return "-"
    if math.isnan(before[0]):
        return f"< {after[0] / LIMIT:.3f}×"
    return f"{after[0] / before[0]:.2f}×"


def cell(value: float, unit: str = " s") -> str:
    return f"> {LIMIT:.0f} s" if math.isnan(value) else f"{value:.2f}{unit}"


def main() -> None:
    global LIMIT
    args = sys.argv[1:]
    against: Path | None = None
    multi = "--multi" in args  # two objectives: accuracy against the parameter count
    args = [a for a in args if a != "--multi"]
    while args[:1] in (["--limit"], ["--against"]):
        if args[0] == "--limit":
            LIMIT = float(args[1])
        else:
            against = Path(args[1]).resolve()
        args = args[2:]
    counts = [int(a) for a in args] or [1000, 5000, 10000]
    trees = {"before": against, "after": ROOT} if against else {"after": ROOT}
    root = Path(tempfile.mkdtemp(prefix="tunedeck-scale-"))
    found: dict[str, dict[int, dict[str, Figure]]] = {name: {} for name in trees}
    try:
        for n in counts:
            folder = root / str(n)
            folder.mkdir()
            start = time.perf_counter()
            run = make_run(folder / "run-a", n, multi=multi)
            made = time.perf_counter() - start
            other = make_run(folder / "run-b", max(n // 10, 10), seed=1)
            size = (run / JOURNAL).stat().st_size / 2**20
            print(f"{n} trials: journal {size:.1f} MiB, written in {made:.1f} s", file=sys.stderr)
            for name, code in trees.items():
                found[name][n] = measure(code, run, other, folder, multi)
                print(f"  {name}: done", file=sys.stderr)
            shutil.rmtree(folder)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    kind = "accuracy against params, " if multi else ""
    print(
        f"{stamp()}; fake runs of N trials × {EPOCHS} epochs, {kind}CPU seconds (wall in brackets)"
    )
    views = list(dict.fromkeys(v for runs in found.values() for f in runs.values() for v in f))
    for n in counts:
        head = ("view", *(f"{name}" for name in trees), *(["after / before"] if against else []))
        body = [head]
        for view in views:
            unit = "" if "MiB" in view else " s"
            row = [view]
            for name in trees:
                if view not in found[name][n]:  # an earlier view of its console went over
                    row.append("not reached")
                    continue
                cpu, wall = found[name][n][view]
                row.append(cell(cpu, unit) + ("" if "MiB" in view else f" ({cell(wall)})"))
            if against:
                row.append(against_ratio(found["before"][n].get(view), found["after"][n].get(view)))
            body.append(tuple(row))
        print(f"\n{n} trials")
        print(table(body))
    growth = [("view (after)", *(f"{n}" for n in counts), f"{counts[-1]} / {counts[0]}")]
    for view in views:
        values = [found["after"][n].get(view, (math.nan,))[0] for n in counts]
        unit = "" if "MiB" in view else " s"
        ratio = values[-1] / values[0] if values[0] else math.nan
        growth.append(
            (view, *(cell(v, unit) for v in values), "-" if math.isnan(ratio) else f"{ratio:.1f}×")
        )
    print("\ngrowth with the trial count")
    print(table(growth))


if __name__ == "__main__":
    main()

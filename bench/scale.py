"""Views of a large run: how long each takes at 1k, 5k and 10k trials (targets at 10k: ls,
attach, the results screen and every analysis view ≤ 1 s, importance ≤ 2 s, the report ≤ 5 s).

A finished fake search of N trials × 20 epochs is written straight to its journal (what the
fake backend would journal, in seconds instead of minutes: seeded configurations of a space
with a continuous learning rate and parameters conditional on the optimizer and the model
family; a trial in fifty fails). Each command line view runs as the user runs it, a fresh
`python -m engine` process, timed from start to exit; the console runs headless (Textual's
Pilot) in a fresh process attached to the run, timed to the first frame of the monitor, the
results screen after `v` and the analysis screen after `a`, with its peak memory. Each view
runs twice: the first reading writes the run's cached summary, the second uses it (`cold` and
`warm`). Growth shows as the ratio of each figure to the 1k one.

    .venv/bin/python bench/scale.py [--limit SECONDS] [TRIALS ...]   (default: 1000 5000 10000)
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import ENV, PYTHON, ROOT, stamp, table  # noqa: E402
from engine.run.rundir import JOURNAL, RunDir  # noqa: E402
from engine.run.settings import RunSettings  # noqa: E402
from engine.run.tracebacks import traceback_path  # noqa: E402
from engine.space import Space, default_space  # noqa: E402

EPOCHS = 20
FAIL_EVERY = 50
T0 = 1_700_000_000.0


def bench_space() -> Space:
    """The default space with a continuous learning rate and two model families (the CNN's
    filters are conditional on it, beta_1 on adam)."""
    spec = default_space().to_dict()
    spec["optimizer"]["learning_rate"] = {"min": 1e-4, "max": 0.3, "sampling": "log"}
    spec["architecture"]["family"] = ["mlp", "cnn"]
    spec["architecture"]["filters"] = [16, 32]
    return Space.from_dict(spec)


def _line(record: dict) -> str:
    return json.dumps(record, separators=(",", ":"))


def make_run(path: Path, trials: int, epochs: int = EPOCHS, seed: int = 0) -> Path:
    """A finished fake search of `trials` trials × `epochs` epochs, journaled as the fake
    backend journals it (same event types and fields), written in one go."""
    space = bench_space()
    settings = RunSettings(backend="fake", algorithm="random", max_trials=trials, epochs=epochs,
                           seed=seed)  # fmt: skip
    RunDir.create(path, space, settings)
    rng = random.Random(seed)
    t = T0
    lines = [_line({"type": "search_started", "v": 1, "time": t, "worker": "main",
                    "space": space.to_dict(), "backend": "fake", "algorithm": "random",
                    "planned_trials": trials, "reason": "", "objective": "val_accuracy",
                    "direction": "max", "settings": settings.to_dict(), "resumed": False,
                    "planned_epochs": trials * epochs, "folds": 1, "estimated_seconds": None,
                    "params": 0})]  # fmt: skip
    best: tuple[float, str] | None = None
    for number in range(1, trials + 1):
        trial_id = f"{number - 1:05d}"
        config = space.canonical(space.sample(rng))
        t += 0.5
        started = t
        lines.append(_line({"type": "trial_started", "v": 1, "time": t, "worker": "main",
                            "trial_id": trial_id, "number": number, "hyperparameters": config,
                            "epochs": epochs, "continues": None, "initial_epoch": 0,
                            "gpu": None}))  # fmt: skip
        digest = hashlib.sha256(repr(sorted(config.items())).encode()).digest()
        ceiling = 0.6 + 0.3 * digest[0] / 255 + 0.05 * (config["optimizer"] == "adam")
        failed = number % FAIL_EVERY == 0
        score = 0.0
        for epoch in range(1, (3 if failed else epochs) + 1):
            t += 0.25
            progress = 1 - math.exp(-epoch / 3)
            score = round(ceiling * progress, 4)
            loss = round(2.3 * (1 - progress) + 0.05, 4)
            lines.append(_line({"type": "epoch_ended", "v": 1, "time": t, "worker": "main",
                                "trial_id": trial_id, "epoch": epoch,
                                "logs": {"loss": loss, "accuracy": score,
                                         "val_loss": round(loss + 0.05, 4), "val_accuracy": score},
                                "fold": None, "epochs": epochs}))  # fmt: skip
        t += 0.1
        if failed:
            reason = "TrialFailed: loss became nan at epoch 3"
            lines.append(_line({"type": "log", "v": 1, "time": t, "worker": "main",
                                "level": "warning", "message": f"trial {trial_id}: {reason}"}))  # fmt: skip
            tb = traceback_path(path, trial_id)
            tb.parent.mkdir(exist_ok=True)
            tb.write_text(f"Traceback (most recent call last):\n  ...\n{reason}\n")
        lines.append(_line({"type": "trial_ended", "v": 1, "time": t, "worker": "main",
                            "trial_id": trial_id, "status": "failed" if failed else "completed",
                            "score": None if failed else score, "duration": t - started,
                            "reason": reason if failed else None, "fold_scores": None,
                            "epoch_score": None}))  # fmt: skip
        if not failed and (best is None or score > best[0]):
            best = (score, trial_id)
    lines.append(_line({"type": "search_finished", "v": 1, "time": t + 1, "worker": "main",
                        "best_trial_id": best[1] if best else None,
                        "best_score": best[0] if best else None, "test_score": None,
                        "test_metrics": {}}))  # fmt: skip
    (path / JOURNAL).write_text("\n".join(lines) + "\n")
    return path


LIMIT = 120.0  # seconds a view may take before it is given up on (shown as "> 120")


def timed(*args: str) -> float:
    """Seconds a fresh `python -m engine ARGS` takes, start to exit (nan: over LIMIT)."""
    start = time.perf_counter()
    try:
        done = subprocess.run([PYTHON, "-m", "engine", *args], env=ENV, cwd=ROOT,
                              capture_output=True, text=True, timeout=LIMIT)  # fmt: skip
    except subprocess.TimeoutExpired:
        return math.nan
    took = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{args}: {done.stderr[-1500:]}")
    return took


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

class Late(Exception):
    pass

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
    out["console MiB"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(out))

async def views(out):
    start = time.perf_counter()
    app = make_app(attach=run, clock=lambda: 1.7e9)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, RunScreen)
                    and app.screen.query(TrialTable) and app.screen.query_one(TrialTable).row_count)
        out["attach"] = time.perf_counter() - start
        start = time.perf_counter()
        await pilot.press("v")
        await until(pilot, lambda: isinstance(app.screen, ResultsScreen)
                    and app.screen.query("#leaderboard") and app.screen.query_one("#leaderboard").row_count)
        out["results"] = time.perf_counter() - start
        start = time.perf_counter()
        await pilot.press("a")
        await until(pilot, lambda: isinstance(app.screen, AnalysisScreen) and app.screen.is_mounted
                    and app.screen.query(TabbedContent))
        out["analysis"] = time.perf_counter() - start
        start = time.perf_counter()
        await pilot.press("2")
        await until(pilot, lambda: "estimating" not in str(
            app.screen.query_one("#importance-table").render()))
        out["analysis importance"] = time.perf_counter() - start
        for key, name in (("3", "slices"), ("4", "curves"), ("5", "compare"), ("6", "failures"),
                          ("7", "runs")):
            start = time.perf_counter()
            await pilot.press(key)
            await pilot.pause()
            out[f"analysis {name}"] = time.perf_counter() - start

asyncio.run(main())
"""


def console(run: Path) -> dict[str, float]:
    done = subprocess.run([PYTHON, "-c", CONSOLE, str(run), str(LIMIT)], env=ENV, cwd=ROOT,
                          capture_output=True, text=True, timeout=20 * LIMIT)  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"console: {done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def clear_cache(run: Path) -> None:
    for cached in run.glob(".summary*"):
        cached.unlink()


def measure(run: Path, other: Path, out: Path) -> dict[str, float]:
    """Every view once with no cached summary (cold), then once more (warm)."""
    figures: dict[str, float] = {}
    clear_cache(run)
    clear_cache(other)
    cases = [
        ("ls", lambda: timed("ls", str(run.parent))),
        (
            "export csv",
            lambda: timed(
                "export", str(run), "--format", "csv", "-o", str(out / "t.csv"), "--force"
            ),
        ),  # fmt: skip
        ("importance", lambda: timed("importance", str(run), "--json")),
        ("compare", lambda: timed("compare", str(run), str(other))),
        ("report", lambda: timed("report", str(run), "-o", str(out / "r.html"), "--force")),
    ]
    for name, call in cases:
        if name == "ls":  # the first reading of the folder: every run replayed
            figures["ls (cold)"] = call()
        figures[name] = call()
    clear_cache(run)
    for name, value in console(run).items():
        figures[f"console {name} (cold)" if name == "attach" else f"console {name}"] = value
    figures["console attach"] = console(run).get("attach", math.nan)
    return figures


def main() -> None:
    global LIMIT
    args = sys.argv[1:]
    if args[:1] == ["--limit"]:
        LIMIT, args = float(args[1]), args[2:]
    counts = [int(a) for a in args] or [1000, 5000, 10000]
    root = Path(tempfile.mkdtemp(prefix="tunedeck-scale-"))
    rows: dict[str, dict[int, float]] = {}
    try:
        for n in counts:
            folder = root / str(n)
            folder.mkdir()
            start = time.perf_counter()
            run = make_run(folder / "run-a", n)
            made = time.perf_counter() - start
            other = make_run(folder / "run-b", max(n // 10, 10), seed=1)
            size = (run / JOURNAL).stat().st_size / 2**20
            print(f"{n} trials: journal {size:.1f} MiB, written in {made:.1f} s", file=sys.stderr)
            for name, value in measure(run, other, folder).items():
                rows.setdefault(name, {})[n] = value
            shutil.rmtree(folder)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    head = ("view", *(f"{n} trials" for n in counts), f"{counts[-1]} / {counts[0]}")
    body = [head]
    for name, by_count in rows.items():
        unit = "" if "MiB" in name else " s"
        values = [by_count.get(n, math.nan) for n in counts]
        cells = [f"> {LIMIT:.0f} s" if math.isnan(v) else f"{v:.2f}{unit}" for v in values]
        ratio = values[-1] / values[0] if values[0] else math.nan
        body.append((name, *cells, "-" if math.isnan(ratio) else f"{ratio:.1f}×"))
    print(f"{stamp()}; fake runs of N trials × {EPOCHS} epochs")
    print(table(body))


if __name__ == "__main__":
    main()

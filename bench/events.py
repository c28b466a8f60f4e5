"""Events: the rate journal → poller → trials table sustains, and how late an epoch reaches it.

A writer process appends events with `JournalWriter` (holding the runner lock, as a runner
does) at rising rates: four trials at a time, 200 epochs each, so a rate is mostly epoch_ended
records plus the trial_started/trial_ended around them. Side by side for each rate:

- raw tail: `engine.run.journal.Tail` polled at the console's interval (tui.bridge.POLL_SECONDS)
  in this process: the floor any console built on the journal can reach;
- console: the real console (`make_app(attach=RUN)`, headless `run_test` at 80×24). The trials
  table's `sync` is wrapped to note, after each call, the epoch every updated row shows; an
  epoch's latency is from its record's time to the first sync whose row shows it (or a later
  epoch of the trial), and "painted" to the screen refresh after that sync. After the first
  paint the startup objects are frozen out of the cyclic GC, as the binary does in a terminal
  (`tui.app.freeze_startup`; headless apps skip it).

A pipeline that falls behind sees its latency grow through the step, so a rate is kept up with
if the median latency of the step's last quarter is within GROWTH seconds of its first
quarter's, and the worst latency stays under a second. Prints the raw parse capacity, the table
per rate and the targets last.
"""

from __future__ import annotations

import asyncio
import bisect
import gc
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ENV, PYTHON, ROOT, epochs_in_journal, stamp, table  # noqa: E402

sys.path.insert(0, str(ROOT))
from engine.run import events as ev  # noqa: E402
from engine.run.journal import JournalWriter, Tail  # noqa: E402
from engine.run.rundir import RunDir  # noqa: E402
from engine.run.settings import RunSettings  # noqa: E402
from engine.space import default_space  # noqa: E402

RATES = (1_000, 2_500, 5_000, 10_000, 20_000)
SECONDS = 4.0
WORKERS = 4
EPOCHS = 200
GROWTH = 0.1
TARGET_RATE = 5_000
TARGET_P99 = 0.100

WRITER = """
import json, random, sys, time
from engine.run import events as ev
from engine.run.journal import JournalWriter
from engine.run.rundir import RunDir
from engine.space import Space
run_dir, rate, seconds, workers, epochs = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
run = RunDir(run_dir)
space = run.space()
rng = random.Random(0)
configs = [space.sample(rng) for _ in range(16)]
with run.lock():
    write = JournalWriter(run.path / "events.jsonl")
    write(ev.SearchStarted(space=space.to_dict(), backend="fake", algorithm="random",
                           planned_trials=10**6))
    slots = [None] * workers  # [trial id, epoch] per worker
    number = 0
    def next_event(i):
        global number
        slot = slots[i]
        if slot is None:
            number += 1
            slots[i] = [f"{number - 1:05d}", 0]
            return ev.TrialStarted(trial_id=slots[i][0], number=number, epochs=epochs,
                                   hyperparameters=configs[number % len(configs)], worker=f"w{i}")
        if slot[1] == epochs:
            slots[i] = None
            return ev.TrialEnded(trial_id=slot[0], status="completed", score=0.9, duration=1.0,
                                 worker=f"w{i}")
        slot[1] += 1
        loss = 1 / slot[1]
        return ev.EpochEnded(trial_id=slot[0], epoch=slot[1], epochs=epochs, worker=f"w{i}",
                             logs={"loss": loss, "accuracy": 1 - loss, "val_loss": loss,
                                   "val_accuracy": 1 - loss})
    written, start = 0, time.perf_counter()
    first = time.time()
    while (elapsed := time.perf_counter() - start) < seconds:
        due = int(rate * elapsed)
        while written < due:
            write(next_event(written % workers))
            written += 1
        time.sleep(0.002)
    write.close()
print(json.dumps({"written": written, "seconds": time.perf_counter() - start, "first": first}))
"""


def new_run(root: Path, name: str) -> Path:
    """An empty run directory (space and settings only), as `tunedeck run` leaves it at first."""
    path = root / name
    RunDir.create(path, default_space(), RunSettings(backend="fake"))
    return path


def start_writer(run_dir: Path, rate: float) -> subprocess.Popen:
    return subprocess.Popen(
        [PYTHON, "-c", WRITER, str(run_dir), str(rate), str(SECONDS), str(WORKERS), str(EPOCHS)],
        env=ENV,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def writer_result(proc: subprocess.Popen) -> dict[str, Any]:
    out, err = proc.communicate(timeout=120)
    if proc.returncode != 0:
        raise RuntimeError(err[-2000:])
    return json.loads(out.strip().splitlines()[-1])


def latencies(
    written: list[tuple[float, str, int]], seen: list[tuple[str, int, float]]
) -> list[float]:
    """Per written epoch: seconds until its trial was first seen at that epoch or later."""
    by_trial: dict[str, tuple[list[int], list[float]]] = {}
    for trial, epoch, when in sorted(seen, key=lambda s: s[2]):
        epochs, times = by_trial.setdefault(trial, ([], []))
        if not epochs or epoch > epochs[-1]:  # a row's epoch only grows: keep first sightings
            epochs.append(epoch)
            times.append(when)
    out = []
    for when, trial, epoch in written:
        epochs, times = by_trial.get(trial, ([], []))
        i = bisect.bisect_left(epochs, epoch)
        out.append(max(times[i] - when, 0.0) if i < len(epochs) else float("inf"))
    return out


def raw_tail(run_dir: Path, rate: float) -> dict[str, Any]:
    """Tail.poll at the console's interval while the writer runs: when each epoch is parsed."""
    from tui.bridge import POLL_SECONDS

    tail = Tail(run_dir)
    writer = start_writer(run_dir, rate)
    seen: list[tuple[str, int, float]] = []
    polls = 0
    while True:
        done = writer.poll() is not None
        now = time.time()
        for event in tail.poll():
            if isinstance(event, ev.EpochEnded):
                seen.append((event.trial_id, event.epoch, now))
        polls += 1
        if done:
            break
        time.sleep(POLL_SECONDS)
    return {"writer": writer_result(writer), "seen": seen, "updates": polls}


async def console(run_dir: Path, rate: float) -> dict[str, Any]:
    """The real console attached to the run while the writer writes; what its table showed."""
    from tui.app import freeze_startup, make_app
    from tui.screens.run import RunScreen
    from tui.widgets.trial_table import TrialTable

    seen: list[tuple[str, int, float]] = []
    painted: list[tuple[str, int, float]] = []
    syncs = 0
    app = make_app(attach=run_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        while not isinstance(app.screen, RunScreen):
            await pilot.pause(0.05)
        freeze_startup()  # as the console does after its first paint in a real terminal
        grid = app.screen.query_one(TrialTable)
        original = grid.sync

        def sync(results: Any, changed: set[str], now: float | None) -> None:
            nonlocal syncs
            original(results, changed, now)
            when = time.time()
            shown = []
            for trial in changed:
                epoch = str(grid.get_row(trial)[3]).split("/")[0]
                if epoch.isdigit():
                    shown.append((trial, int(epoch)))
            seen.extend((t, e, when) for t, e in shown)
            syncs += 1
            grid.call_after_refresh(lambda: painted.extend((t, e, time.time()) for t, e in shown))

        grid.sync = sync  # type: ignore[method-assign]
        writer = start_writer(run_dir, rate)
        while writer.poll() is None:
            await asyncio.sleep(0.05)
        result = writer_result(writer)
        last = epochs_in_journal(run_dir)[-1]
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not any(
            t == last[1] and e >= last[2] for t, e, _ in painted[-64:]
        ):
            await asyncio.sleep(0.05)
    gc.unfreeze()
    return {"writer": result, "seen": seen, "painted": painted, "updates": syncs}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(q * len(ordered)), len(ordered) - 1)]


def capacity(root: Path, events: int = 100_000) -> float:
    """Events per second one Tail.poll parses from a journal written in advance."""
    run_dir = new_run(root, "capacity")
    write = JournalWriter(run_dir / "events.jsonl")
    for i in range(events):
        write(
            ev.EpochEnded(
                trial_id=f"{i // EPOCHS:05d}",
                epoch=i % EPOCHS + 1,
                epochs=EPOCHS,
                logs={"loss": 0.5, "accuracy": 0.5, "val_loss": 0.5, "val_accuracy": 0.5},
            )
        )
    write.close()
    start = time.perf_counter()
    parsed = len(Tail(run_dir).poll())
    return parsed / (time.perf_counter() - start)


def main() -> None:
    rates = [int(r) for r in sys.argv[1:]] or list(RATES)
    rows = [
        (
            "rate/s",
            "pipeline",
            "written/s",
            "updates/s",
            "p50 ms",
            "p99 ms",
            "max ms",
            "painted p99",
            "growth ms",
            "keeps up",
        )
    ]
    summary: dict[tuple[str, int], tuple[float, bool]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        parse_rate = capacity(root)
        print(f"raw Tail.poll parse capacity: {parse_rate:,.0f} events/s", flush=True)
        for rate in rates:
            for name in ("raw tail", "console"):
                run_dir = new_run(root, f"{name.replace(' ', '-')}-{rate}")
                if name == "raw tail":
                    result = raw_tail(run_dir, rate)
                else:
                    result = asyncio.run(console(run_dir, rate))
                written = epochs_in_journal(run_dir)
                lat = latencies(written, result["seen"])
                paint = latencies(written, result["painted"]) if "painted" in result else []
                w = result["writer"]
                quarter = len(lat) // 4  # in the order written
                growth = statistics.median(lat[-quarter:]) - statistics.median(lat[:quarter])
                keeps = growth <= GROWTH and max(lat) <= 1.0
                summary[(name, rate)] = (percentile(lat, 0.99), keeps)
                rows.append(
                    (
                        f"{rate:,}",
                        name,
                        f"{w['written'] / w['seconds']:,.0f}",
                        f"{result['updates'] / w['seconds']:.1f}",
                        f"{statistics.median(lat) * 1000:.0f}",
                        f"{percentile(lat, 0.99) * 1000:.0f}",
                        f"{max(lat) * 1000:.0f}",
                        f"{percentile(paint, 0.99) * 1000:.0f}" if paint else "-",
                        f"{growth * 1000:+.0f}",
                        "yes" if keeps else "NO",
                    )
                )
                print("  ".join(rows[-1]), flush=True)
    print(
        f"\njournal → queue → table, {stamp()}, {SECONDS:g} s per rate, {WORKERS} trials at a "
        f"time × {EPOCHS} epochs; latency from an epoch's record to the row showing it"
    )
    print(table(rows))
    sustained = max((r for r in rates if summary[("console", r)][1]), default=0)
    raw_sustained = max((r for r in rates if summary[("raw tail", r)][1]), default=0)
    print("\nratios and targets")
    print(f"raw Tail.poll capacity / target rate   {parse_rate / TARGET_RATE:.1f}")
    print(
        f"highest rate kept up: raw tail {raw_sustained:,}/s, console {sustained:,}/s  "
        f"(target >= {TARGET_RATE:,}/s: {'met' if sustained >= TARGET_RATE else 'MISSED'})"
    )
    if ("console", TARGET_RATE) in summary:
        p99 = summary[("console", TARGET_RATE)][0]
        raw = summary[("raw tail", TARGET_RATE)][0]
        verdict = "met" if p99 <= TARGET_P99 else "MISSED"
        print(f"console / raw tail p99 at {TARGET_RATE:,}/s    {p99 / raw:.2f}")
        print(
            f"console p99 at {TARGET_RATE:,}/s            {p99 * 1000:.0f} ms  "
            f"(target <= {TARGET_P99 * 1000:.0f} ms: {verdict})"
        )


if __name__ == "__main__":
    main()

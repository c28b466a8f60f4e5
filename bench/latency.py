"""Latency: a key press to the updated screen, in the real console, with and without a search
training on every core.

The real `tunedeck` runs in an 80×24 pty (see startup.py). On the space editor, `j` and `k`
alternately move the tree cursor between its first two lines; each press is written to the
master and timed to the first bytes the console writes back (the repaint of the two lines). The
editor writes nothing unprompted, so the first bytes after a key are its answer; bytes seen in
the pauses between keys are counted and reported ("stray"), so a screen that does repaint on its
own would show up rather than fake a fast answer. Side by side:

- idle: nothing else running;
- search: a Keras Tuner search (`tunedeck run --backend keras-tuner --workers 2`, digits) training
  on both cores, started before and measured once its first epochs are in the journal;
- search, attached: the same, with the console attached to that search (`tunedeck attach`,
  then esc to the editor), so it also tails the journal and redraws the monitor behind.

Prints p50/p99 per scenario, the CPU the search took during each window, and the targets last.
"""

from __future__ import annotations

import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ENV, PYTHON, ROOT, stamp, table  # noqa: E402
from startup import BINARY, MARKERS, PtyConsole  # noqa: E402

PRESSES = 300
TARGET_P99 = 0.050
TICKS = os.sysconf("SC_CLK_TCK")


def start_search(run_dir: Path) -> subprocess.Popen:
    """A Keras Tuner search on both cores; more trials than any window needs (stopped after)."""
    return subprocess.Popen(
        [PYTHON, "-m", "engine", "run", "--dataset", "digits", "--backend", "keras-tuner",
         "--algorithm", "random", "--max-trials", "500", "--epochs", "3", "--workers", "2",
         "--run-dir", str(run_dir), "--quiet"],
        env=ENV, cwd=ROOT, start_new_session=True, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip


def training(run_dir: Path) -> bool:
    """Whether any worker has finished an epoch yet (TensorFlow takes a while to start)."""
    return any('"epoch_ended"' in p.read_text() for p in run_dir.glob("events*.jsonl"))


def tree_pids(pid: int) -> list[int]:
    """`pid` and its descendants (the search's chief and workers run in their own sessions)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        current = todo.pop()
        out.append(current)
        todo.extend(children.get(current, []))
    return out


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds used so far by `pid` and its descendants."""
    total = 0
    for proc in tree_pids(pid):
        try:
            fields = Path(f"/proc/{proc}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / TICKS


def stop_search(proc: subprocess.Popen) -> None:
    """SIGTERM: the runner stops its chief and workers itself; then make sure they are gone."""
    family = tree_pids(proc.pid)
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    for pid in family[1:]:  # only what is still ours: an engine process of this search
        try:
            if b"engine" in Path(f"/proc/{pid}/cmdline").read_bytes():
                os.kill(pid, signal.SIGKILL)
        except (OSError, ProcessLookupError):
            pass


def measure(console: PtyConsole, presses: int) -> dict:
    """Alternate j and k; seconds from each write to the first bytes of the answer."""
    rng = random.Random(0)
    times: list[float] = []
    stray = missed = 0
    console.drain(0.5)
    for i in range(presses):
        stray += console.drain(rng.uniform(0.02, 0.06))  # pauses, off any timer's beat
        sent = console.send(b"j" if i % 2 == 0 else b"k")
        if console.read(2.0):
            times.append(console.chunks[-1][0] - sent)
        else:
            missed += 1
    return {"times": times, "stray": stray, "missed": missed}


def scenario(argv: list[str], cwd: str, attach: bool, search: subprocess.Popen | None) -> dict:
    console = PtyConsole(argv, cwd=cwd)
    console.start()
    try:
        if attach:
            console.wait_for(b"trial", timeout=60)
            console.drain(1.0)
            console.send(b"\x1b")  # esc: back to the editor, the monitor keeps tailing behind
            console.mark()
        console.wait_for(*MARKERS, timeout=60)
        start = time.perf_counter()
        cpu = cpu_seconds(search.pid) if search else 0.0
        result = measure(console, PRESSES)
        wall = time.perf_counter() - start
        result["load"] = (cpu_seconds(search.pid) - cpu) / wall if search else 0.0
        return result
    finally:
        console.close()


def main() -> None:
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as cwd:
        results["idle"] = scenario([BINARY], cwd, attach=False, search=None)
        print(f"idle: p50 {statistics.median(results['idle']['times']) * 1000:.1f} ms", flush=True)
        run_dir = Path(cwd) / "search"
        search = start_search(run_dir)
        try:
            deadline = time.monotonic() + 180
            while not training(run_dir):
                if search.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the search did not start training (code {search.poll()})")
                time.sleep(0.5)
            for name, argv, attach in (
                ("search", [BINARY], False),
                ("search, attached", [BINARY, "attach", str(run_dir)], True),
            ):
                results[name] = scenario(argv, cwd, attach=attach, search=search)
                print(f"{name}: p50 {statistics.median(results[name]['times']) * 1000:.1f} ms",
                      flush=True)  # fmt: skip
        finally:
            stop_search(search)
    rows = [("scenario", "presses", "p50 ms", "p99 ms", "max ms", "missed", "stray B",
             "search CPU")]  # fmt: skip
    p99: dict[str, float] = {}
    for name, r in results.items():
        times = sorted(r["times"])
        p99[name] = times[min(int(0.99 * len(times)), len(times) - 1)]
        rows.append((name, str(len(times)), f"{statistics.median(times) * 1000:.1f}",
                     f"{p99[name] * 1000:.1f}", f"{times[-1] * 1000:.1f}", str(r["missed"]),
                     str(r["stray"]), f"{r['load'] * 100:.0f}%"))  # fmt: skip
    print(f"\nkey press to screen (80×24 pty, tree cursor j/k), {stamp()}")
    print(table(rows))
    worst = max(p99.values())
    print("\nratios and targets")
    print(f"p99 search / idle             {p99['search'] / p99['idle']:.2f}")
    print(f"p99 search, attached / idle   {p99['search, attached'] / p99['idle']:.2f}")
    verdict = "met" if worst <= TARGET_P99 else "MISSED"
    print(f"worst p99                     {worst * 1000:.1f} ms  "
          f"(target <= {TARGET_P99 * 1000:.0f} ms: {verdict})")  # fmt: skip


if __name__ == "__main__":
    main()

"""Memory of the search process: RSS after 5 and after 50 trials of a Keras Tuner search.

`clear_session()` alone still leaks a few MB per model (keras-tuner #395, #873, #1031), so a
long search would grow without bound. Prints the RSS of every process doing the search at the
5th and 50th finished trial, and the growth ratio last (target <= 1.15).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ENV, PYTHON, ROOT, stamp  # noqa: E402

TRIALS = 50


def rss_kib(pid: int) -> int:
    """Resident memory of `pid` and all its descendants (the search may recycle workers)."""
    total = 0
    for proc in [pid, *descendants(pid)]:
        try:
            for line in Path(f"/proc/{proc}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


def descendants(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True)
    kids = [int(p) for p in out.stdout.split()]
    return kids + [g for k in kids for g in descendants(k)]


def measure(extra: list[str]) -> dict[int, int]:
    with tempfile.TemporaryDirectory() as tmp:
        run = Path(tmp) / "run"
        proc = subprocess.Popen(
            [
                PYTHON,
                "-m",
                "engine",
                "run",
                "--dataset",
                "digits",
                "--subsample",
                "600",
                "--backend",
                "keras-tuner",
                "--algorithm",
                "random",
                "--max-trials",
                str(TRIALS),
                "--epochs",
                "1",
                "--seed",
                "0",
                "--run-dir",
                str(run),
                "--quiet",
                *extra,
            ],
            env=ENV,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        samples: dict[int, int] = {}
        while proc.poll() is None:
            time.sleep(0.05)
            done = 0
            for path in run.glob("events*.jsonl"):
                done += sum('"trial_ended"' in line for line in path.read_text().splitlines())
            if done >= 5 and 5 not in samples:
                samples[5] = rss_kib(proc.pid)
            if done >= TRIALS and TRIALS not in samples:
                samples[TRIALS] = rss_kib(proc.pid)
        if proc.returncode != 0:
            raise RuntimeError(proc.stderr.read().decode()[-2000:])
        return samples


def main() -> None:
    print(f"memory, {stamp()}, {TRIALS} trials of 1 epoch on 600 digits")
    samples = measure(sys.argv[1:])
    for k, v in sorted(samples.items()):
        print(f"RSS after {k:>2} trials: {v / 1024:.0f} MiB")
    print(f"\nratio RSS(50)/RSS(5): {samples[TRIALS] / samples[5]:.3f}  (target <= 1.15)")


if __name__ == "__main__":
    main()

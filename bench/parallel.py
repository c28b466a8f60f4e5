"""Parallel trials: `--workers 2` against one worker, same configurations (Keras Tuner random
search, same seed, fixed epochs, on `digits`). Prints the ratios last.

Three clocks: the whole command (what a user waits for: imports, data, the coordinator's
preflight, the nodes' start-up, the search and the best model's retrain), the journal's
search_started to the last trial_ended (the nodes' start-up counts), and the first trial to
the last. Runs alternate (1, 2, 1, 2, …) so that a busy machine weighs on both alike.

    python bench/parallel.py                          # 32 trials × 4 epochs (target >= 1.8)
    python bench/parallel.py --trials 6 --epochs 3    # a small search (target >= 1.3)
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ENV, PYTHON, ROOT, stamp, table  # noqa: E402


def search(
    workers: int, run: Path, trials: int, epochs: int
) -> tuple[float, float, float, list[str]]:
    """(command seconds, seconds from search start, seconds from the first trial, configurations)."""
    started = time.monotonic()
    subprocess.run(
        [
            PYTHON,
            "-m",
            "engine",
            "run",
            "--dataset",
            "digits",
            "--backend",
            "keras-tuner",
            "--algorithm",
            "random",
            "--max-trials",
            str(trials),
            "--epochs",
            str(epochs),
            "--seed",
            "0",
            "--workers",
            str(workers),
            "--run-dir",
            str(run),
            "--quiet",
        ],
        env=ENV,
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=3600,
    )
    command = time.monotonic() - started
    events = []
    for path in run.glob("events*.jsonl"):
        events += [json.loads(line) for line in path.read_text().splitlines()]
    start = min(e["time"] for e in events if e["type"] == "search_started")
    ended = [e for e in events if e["type"] == "trial_ended"]
    configs = sorted(
        json.dumps(e["hyperparameters"], sort_keys=True)
        for e in events
        if e["type"] == "trial_started"
    )
    first = min(e["time"] for e in events if e["type"] == "trial_started")
    end = max(e["time"] for e in ended)
    return command, end - start, end - first, configs


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trials", type=int, default=32)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=1, help="runs of each, interleaved")
    args = parser.parse_args()
    times: dict[int, list[tuple[float, float, float]]] = {1: [], 2: []}
    configs: dict[int, list[str]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for rnd in range(args.rounds):
            for workers in (1, 2):
                *clocks, configs[workers] = search(
                    workers, Path(tmp) / f"w{workers}-{rnd}", args.trials, args.epochs
                )
                times[workers].append((clocks[0], clocks[1], clocks[2]))
    med = {w: [statistics.median(t[i] for t in times[w]) for i in range(3)] for w in times}
    rows = [("workers", "command s", "from search start s", "from 1st trial s", "trials/min")]
    for w in (1, 2):
        command, total, steady = med[w]
        rows.append(
            (
                str(w),
                f"{command:.1f}",
                f"{total:.1f}",
                f"{steady:.1f}",
                f"{args.trials / total * 60:.1f}",
            )
        )
    print(
        f"parallel trials, {stamp()}, {args.trials} trials × {args.epochs} epochs on digits, "
        f"median of {args.rounds} interleaved run(s) each"
    )
    print(table(rows))
    print("every run:", {w: [[round(x, 1) for x in t] for t in times[w]] for w in times})
    print(f"same configurations: {configs[1] == configs[2]}")
    one, two = med[1], med[2]
    print(
        f"\nratio 1 worker / 2 workers: whole command {one[0] / two[0]:.2f}, from the search "
        f"start {one[1] / two[1]:.2f}, once trials run {one[2] / two[2]:.2f}"
    )


if __name__ == "__main__":
    main()

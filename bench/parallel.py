"""Parallel trials: trials per minute with `--workers 2` against one worker, same configurations
(Keras Tuner random search, same seed, fixed epochs, on `digits`). Prints the ratio last
(target >= 1.6). Times run from the journal's search_started (so the chief and workers'
start-up counts) to the last trial_ended.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ENV, PYTHON, ROOT, stamp, table  # noqa: E402

TRIALS = 32
EPOCHS = 4


def search(workers: int, tmp: Path) -> tuple[float, float, list[str]]:
    """(seconds from search start, seconds from the first trial, configurations)."""
    run = tmp / f"w{workers}"
    subprocess.run(
        [PYTHON, "-m", "engine", "run", "--dataset", "digits", "--backend", "keras-tuner",
         "--algorithm", "random", "--max-trials", str(TRIALS), "--epochs", str(EPOCHS),
         "--seed", "0", "--workers", str(workers), "--run-dir", str(run), "--quiet"],
        env=ENV, cwd=ROOT, check=True, capture_output=True, timeout=3600,
    )  # fmt: skip
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
    return end - start, end - first, configs


def main() -> None:
    rows = [("workers", "seconds", "trials/min", "from 1st trial: s", "trials/min")]
    with tempfile.TemporaryDirectory() as tmp:
        one, one_steady, configs_one = search(1, Path(tmp))
        two, two_steady, configs_two = search(2, Path(tmp))
    for name, total, steady in (("1", one, one_steady), ("2", two, two_steady)):
        rows.append((name, f"{total:.1f}", f"{TRIALS / total * 60:.1f}", f"{steady:.1f}",
                     f"{TRIALS / steady * 60:.1f}"))  # fmt: skip
    print(f"parallel trials, {stamp()}, {TRIALS} trials × {EPOCHS} epochs on digits")
    print(table(rows))
    print(f"same configurations: {configs_one == configs_two}")
    print(f"\nratio trials/min 2 workers / 1 worker, from the start: {one / two:.2f}"
          f"  (target >= 1.6); once trials run: {one_steady / two_steady:.2f}")  # fmt: skip


if __name__ == "__main__":
    main()

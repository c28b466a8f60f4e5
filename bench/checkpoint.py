"""What mid-trial checkpoints cost: a Keras Tuner search with them (as shipped) and without
(`TUNEDECK_CHECKPOINT=0`), interleaved, timed from the journal (search start to last trial end,
no TensorFlow import); the largest checkpoint file seen and the most files held at once,
against the plan's "up to" size. Prints the ratio last (target <= 1.05).

    python bench/checkpoint.py [REPEATS] [NODES]
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ENV, PYTHON, ROOT, stamp, table  # noqa: E402

TRIALS, EPOCHS = 4, 8


def search(run: Path, nodes: int, on: bool) -> tuple[float, int, int, str]:
    """(seconds, largest checkpoint bytes, most checkpoint files at once, the plan line)."""
    space = run.parent / "space.yaml"
    space.write_text(
        json.dumps(
            {
                "training": {"batch_size": 32, "epochs": EPOCHS},
                "optimizer": {"name": "adam", "learning_rate": [1e-3, 3e-3]},
                "architecture": {"layers": 2, "nodes": nodes},
            }
        )
    )
    env = {**ENV, "TUNEDECK_CHECKPOINT": "1" if on else "0"}
    proc = subprocess.Popen(
        [
            PYTHON,
            "-m",
            "engine",
            "run",
            str(space),
            "--dataset",
            "digits",
            "--backend",
            "keras-tuner",
            "--algorithm",
            "random",
            "--max-trials",
            str(TRIALS),
            "--seed",
            "0",
            "--run-dir",
            str(run),
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    largest = most = 0
    while proc.poll() is None:
        folder = run / "state" / "checkpoints"
        files = [p for p in folder.glob("[!.]*.npz")] if folder.exists() else []  # no temporary
        most = max(most, len(files))
        for path in files:
            try:
                largest = max(largest, path.stat().st_size)
            except FileNotFoundError:
                continue
        time.sleep(0.02)
    err = proc.stderr.read() if proc.stderr else ""
    if proc.returncode != 0:
        raise RuntimeError(err[-2000:])
    plan = next((line for line in err.splitlines() if line.startswith("plan:")), "")
    events = [json.loads(line) for line in (run / "events.jsonl").read_text().splitlines()]
    start = next(e["time"] for e in events if e["type"] == "search_started")
    end = max(e["time"] for e in events if e["type"] == "trial_ended")
    return end - start, largest, most, plan


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    nodes = int(sys.argv[2]) if len(sys.argv) > 2 else 512
    times: dict[bool, list[float]] = {True: [], False: []}
    largest = most = 0
    plan = ""
    for i in range(repeats):
        for on in (True, False):
            with tempfile.TemporaryDirectory() as tmp:
                seconds, size, held, line = search(Path(tmp) / "run", nodes, on)
            times[on].append(seconds)
            if on:
                largest, most, plan = max(largest, size), max(most, held), line or plan
            print(
                f"repeat {i + 1}, checkpoints {'on' if on else 'off'}: {seconds:.2f} s", flush=True
            )
    on, off = statistics.median(times[True]), statistics.median(times[False])
    print(f"\n{stamp()}; {TRIALS} trials × {EPOCHS} epochs on digits, 2 × {nodes} units")
    print(plan)
    print(
        table(
            [
                ("contender", "median s", "runs"),
                *[
                    (
                        f"checkpoints {'on' if k else 'off'}",
                        f"{statistics.median(v):.2f}",
                        " ".join(f"{x:.2f}" for x in v),
                    )
                    for k, v in times.items()
                ],
            ]
        )
    )
    print(f"largest checkpoint file: {largest / 1e6:.2f} MB; most files at once: {most}")
    print(f"ratio on / off: {on / off:.3f} (target <= 1.05)")


if __name__ == "__main__":
    main()

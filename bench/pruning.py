"""Pruning (target: ≤ 0.6×): time for Keras Tuner's grid, random and Bayesian searches to reach
within 1 percentage point of the exhaustive grid's best validation accuracy, with `--prune` and
without, on 24 configurations × 9 epochs on `digits` (`SPACE`).

Contenders run interleaved (grid, grid --prune, random, random --prune, …, ROUNDS times) so a
busy moment of a shared machine falls on both sides alike; medians over rounds, ratios last.
The yardstick is the unpruned grid's best of each round. Round r runs every search with seed r
(the order of random and Bayesian trials, and every model's starting weights), so that the
medians are over several draws, not one. Usage: `python bench/pruning.py [ROUNDS]`.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ENV, PYTHON, ROOT, best_curve, stamp, table  # noqa: E402

EPOCHS = 9
SPACE = {
    "training": {"batch_size": 32, "epochs": EPOCHS},
    "optimizer": {"name": ["adam", "sgd"], "learning_rate": [0.003, 0.03, 0.3]},
    "architecture": {"nodes": [8, 32], "activation": ["relu", "tanh"]},
    "early_stopping": {"enabled": False},
}
GRID = 24

ALGORITHMS = ("grid", "random", "bayesian")


def tunedeck_run(algorithm: str, tmp: Path, trials: int, *flags: str, seed: int = 0) -> Path:
    """The run directory of one search over `SPACE` on Keras Tuner; `flags` go to `tunedeck
    run` as they are (e.g. `--prune`; the run gets a folder of its own)."""
    sys.path.insert(0, str(ROOT))
    from engine.space import Space

    space_file = tmp / "space.yaml"
    Space.from_dict(SPACE).save(space_file)
    run = tmp / "-".join((algorithm, *(f.strip("-") for f in flags)))
    command = [PYTHON, "-m", "engine", "run", str(space_file), "--dataset", "digits"]
    command += ["--backend", "keras-tuner", "--algorithm", algorithm, "--max-trials", str(trials)]
    command += ["--seed", str(seed), "--run-dir", str(run), "--quiet", *flags]
    subprocess.run(command, env=ENV, cwd=ROOT, check=True, capture_output=True, timeout=3600)
    return run


def outcome(run: Path) -> dict[str, float]:
    """Seconds to the last trial's end, trials pruned, epochs trained: from the journal."""
    events = [json.loads(line) for line in (run / "events.jsonl").read_text().splitlines()]
    start = next(e["time"] for e in events if e["type"] == "search_started")
    ends = [e for e in events if e["type"] == "trial_ended"]
    return {
        "total": ends[-1]["time"] - start,
        "pruned": sum(e["status"] == "pruned" for e in ends),
        "epochs": sum(e["type"] == "epoch_ended" for e in events),
    }


def hit_time(curve: list[tuple[float, float]], target: float) -> float | None:
    return next((t for t, best in curve if best >= target - 0.01), None)


def main(rounds: int) -> None:
    seen: dict[tuple[str, bool], list[dict[str, float | None]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(rounds):
            folder = Path(tmp) / str(r)
            folder.mkdir()
            runs = {}
            for algorithm in ALGORITHMS:
                for prune in (False, True):
                    flags = ("--prune",) if prune else ()
                    runs[algorithm, prune] = tunedeck_run(algorithm, folder, GRID, *flags, seed=r)
            grid_best = best_curve(runs["grid", False])[-1][1]
            grid_total = outcome(runs["grid", False])["total"]
            for key, run in runs.items():
                curve = best_curve(run)
                hit = hit_time(curve, grid_best)
                seen.setdefault(key, []).append(
                    {**outcome(run), "best": curve[-1][1], "hit": hit, "grid": grid_total}
                )
    rows = [("search", "pruned", "epochs", "best", "within 1 pp at", "of grid time", "whole run")]
    for (algorithm, prune), runs_of in seen.items():
        hits = [r["hit"] for r in runs_of if r["hit"] is not None]
        hit = statistics.median(hits) if len(hits) == len(runs_of) else None
        grid = statistics.median(r["grid"] or 0.0 for r in runs_of)
        rows.append(
            (
                algorithm + (" --prune" if prune else ""),
                f"{statistics.median(r['pruned'] or 0 for r in runs_of):.0f}",
                f"{statistics.median(r['epochs'] or 0 for r in runs_of):.0f}",
                f"{statistics.median(r['best'] or 0.0 for r in runs_of):.4f}",
                "never" if hit is None else f"{hit:.1f} s",
                "-" if hit is None else f"{hit / grid:.2f}",
                f"{statistics.median(r['total'] or 0.0 for r in runs_of):.1f} s",
            )
        )
    print(
        f"pruning, {stamp()}, {GRID} configurations × {EPOCHS} epochs on digits, "
        f"{rounds} round(s) interleaved (seeds 0–{rounds - 1}), medians"
    )
    print(table(rows))
    print("ratios, --prune / without (time to within 1 pp of the grid's best; whole run):")
    for algorithm in ALGORITHMS:
        print(
            f"  {algorithm}: {_ratio(seen, algorithm, 'hit')}; {_ratio(seen, algorithm, 'total')}"
        )


def _ratio(seen: dict, algorithm: str, what: str) -> str:
    pairs = zip(seen[algorithm, True], seen[algorithm, False], strict=True)
    ratios = [a[what] / b[what] for a, b in pairs if a[what] and b[what]]
    each = ", ".join(f"{r:.2f}" for r in ratios)
    return f"{statistics.median(ratios):.2f}× (rounds: {each})" if ratios else "-"


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1)

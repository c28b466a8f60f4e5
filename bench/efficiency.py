"""Search efficiency (reported, no target): time for Hyperband, Bayesian optimisation and random
search to reach within 1 percentage point of the exhaustive grid's best validation accuracy, as
a fraction of the grid's time. All run through `tunedeck run` on Keras Tuner, same space, seed
and data (`digits`); times come from each run's journal.
"""

from __future__ import annotations

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


def search(algorithm: str, tmp: Path, trials: int, *flags: str) -> list[tuple[float, float]]:
    """(seconds since the search started, best score so far) after each finished trial."""
    return best_curve(tunedeck_run(algorithm, tmp, trials, *flags))


def tunedeck_run(algorithm: str, tmp: Path, trials: int, *flags: str, seed: int = 0) -> Path:
    """The run directory of one search over `SPACE`; `flags` go to `tunedeck run` as they are
    (e.g. `--prune`; the run gets a folder of its own)."""
    sys.path.insert(0, str(ROOT))
    from engine.space import Space

    space_file = tmp / "space.yaml"
    Space.from_dict(SPACE).save(space_file)
    run = tmp / "-".join((algorithm, *(f.strip("-") for f in flags)))
    subprocess.run(
        [
            PYTHON,
            "-m",
            "engine",
            "run",
            str(space_file),
            "--dataset",
            "digits",
            "--backend",
            "keras-tuner",
            "--algorithm",
            algorithm,
            "--max-trials",
            str(trials),
            "--seed",
            str(seed),
            "--run-dir",
            str(run),
            "--quiet",
            *flags,
        ],
        env=ENV,
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=3600,
    )
    return run


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        grid = search("grid", Path(tmp), GRID)
        grid_time, grid_best = grid[-1]
        rows = [("algorithm", "trials", "best", "reached within 1 pp at", "fraction of grid")]
        rows.append(("grid", str(len(grid)), f"{grid_best:.4f}", f"{grid_time:.1f} s", "1.00"))
        for algorithm in ("hyperband", "bayesian", "random"):
            curve = search(algorithm, Path(tmp), GRID)
            hit = next((t for t, b in curve if b >= grid_best - 0.01), None)
            rows.append(
                (
                    algorithm,
                    str(len(curve)),
                    f"{curve[-1][1]:.4f}",
                    "never" if hit is None else f"{hit:.1f} s",
                    "-" if hit is None else f"{hit / grid_time:.2f}",
                )
            )
    print(f"search efficiency, {stamp()}, {GRID} configurations × {EPOCHS} epochs on digits")
    print(table(rows))


if __name__ == "__main__":
    main()

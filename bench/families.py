"""The cnn family against the MLP at equal time (reported, no target): two `tunedeck run`
random searches on Keras Tuner over 28x28 digit images (`mnist_5k`, offline), one per family,
same seed, data and learning rates; the best validation accuracy each had reached when the
shorter search ended, from the runs' journals, and each winner's test accuracy.

    .venv/bin/python bench/families.py [TRIALS_MLP TRIALS_CNN]
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ENV, PYTHON, ROOT, best_curve, stamp, table  # noqa: E402

COMMON = {
    "training": {"batch_size": 64, "epochs": 6},
    "optimizer": {"name": "adam", "learning_rate": [0.001, 0.003, 0.01]},
    "early_stopping": {"enabled": False},
}
FAMILIES = {
    "mlp": {"architecture": {"family": "mlp", "layers": [1, 2], "nodes": [64, 128]}},
    "cnn": {
        "architecture": {
            "family": "cnn",
            "conv_layers": [1, 2],
            "filters": [8, 16],
            "layers": 1,
            "nodes": 64,
        }
    },
}


def search(family: str, tmp: Path, trials: int) -> tuple[list[tuple[float, float]], float]:
    """((seconds since the search started, best score so far) per finished trial, test score)."""
    space_file = tmp / f"{family}.yaml"
    space_file.write_text(yaml.safe_dump({**COMMON, **FAMILIES[family]}))
    run = tmp / family
    subprocess.run(
        [
            PYTHON,
            "-m",
            "engine",
            "run",
            str(space_file),
            "--dataset",
            "mnist_5k",
            "--backend",
            "keras-tuner",
            "--algorithm",
            "random",
            "--max-trials",
            str(trials),
            "--seed",
            "0",
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
    curve = best_curve(run)
    test = yaml.safe_load((run / "best.yaml").read_text())["test_score"]
    return curve, float(test)


def main() -> None:
    trials = {
        "mlp": int(sys.argv[1]) if len(sys.argv) > 1 else 8,
        "cnn": int(sys.argv[2]) if len(sys.argv) > 2 else 4,
    }
    with tempfile.TemporaryDirectory() as tmp:
        found = {family: search(family, Path(tmp), trials[family]) for family in FAMILIES}
    equal = min(curve[-1][0] for curve, _ in found.values())
    rows = [
        (
            "family",
            "trials",
            "search s",
            f"best val acc at {equal:.0f} s",
            "best val acc",
            "test acc of winner",
        )
    ]
    for family, (curve, test) in found.items():
        at = max((b for t, b in curve if t <= equal + 1e-6), default=0.0)
        rows.append(
            (
                family,
                str(len(curve)),
                f"{curve[-1][0]:.1f}",
                f"{at:.4f}",
                f"{curve[-1][1]:.4f}",
                f"{test:.4f}",
            )
        )
    print(f"families on mnist_5k, {stamp()}")
    print(table(rows))


if __name__ == "__main__":
    main()

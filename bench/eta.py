"""How close the monitor's ETA is to the real end: a real search, its journal replayed as the
monitor saw it, the predicted end at each quarter of the run against the actual end.

    .venv/bin/python bench/eta.py            # scikit-learn and Keras Tuner, digits
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import ENV, PYTHON, ROOT, stamp, table  # noqa: E402
from engine.run.journal import read_run  # noqa: E402
from engine.run.results import replay  # noqa: E402
from tui.widgets.run_status import Progress  # noqa: E402

RUNS = {
    "sklearn random, 3 folds": ["--backend", "sklearn", "--algorithm", "random", "--cv", "3"],
    "keras-tuner random": ["--backend", "keras-tuner", "--algorithm", "random"],
}
SPACE = (
    "training: {batch_size: [16, 64], epochs: 6}\narchitecture: {nodes: [8, 64], layers: [1, 2]}\n"
)


def errors(run_dir: Path, whole_trials: bool = False) -> list[tuple[float, float]]:
    """(fraction of the run, predicted end / real end - 1) at each quarter; `whole_trials`:
    the estimate from ended trials only, as the monitor made it before."""
    events = read_run(run_dir)
    started = next(e.time for e in events if e.type == "search_started")
    last_trial = max(e.time for e in events if e.type == "trial_ended")
    span = last_trial - started
    out = []
    for quarter in (0.25, 0.5, 0.75):
        now = started + quarter * span
        seen = [e for e in events if e.time <= now]
        results = replay(seen)
        eta = Progress.of(results, "running", now=now, last=now).eta
        if whole_trials:
            left = max(results.planned - results.done, 0)
            eta = (now - started) / results.done * left if results.done else None
        if eta is not None:
            out.append((quarter, (now + eta - started) / span - 1))
    return out


def main() -> None:
    rows = [("search", "at 25%", "at 50%", "at 75%")]
    with tempfile.TemporaryDirectory() as tmp:
        space = Path(tmp) / "space.yaml"
        space.write_text(SPACE)
        for name, flags in RUNS.items():
            run_dir = Path(tmp) / name.replace(" ", "-").replace(",", "")
            command = [
                PYTHON,
                "-m",
                "engine",
                "run",
                str(space),
                "--dataset",
                "digits",
                "--subsample",
                "600",
                "--max-trials",
                "6",
                "--quiet",
                "--run-dir",
                str(run_dir),
                *flags,
            ]
            subprocess.run(command, env=ENV, cwd=ROOT, check=True, capture_output=True)
            for label, whole in (("", False), (" (whole trials only)", True)):
                found = dict(errors(run_dir, whole))
                cells = (f"{found[q]:+.0%}" if q in found else "none" for q in (0.25, 0.5, 0.75))
                rows.append((name + label, *cells))
    print(f"ETA error (predicted end vs real end), {stamp()}")
    print(table(rows))


if __name__ == "__main__":
    main()

"""The search-efficiency bench's problem: a space whose configurations differ late, and the
measurement that says they do.

An MLP on `mnist_5k` (real MNIST digits, offline; 2,500 of them: 1,000 train, 1,000 validation
so that 0.5 pp is 5 images, 500 test), Adam for 20 epochs, over learning rate × schedule ×
width × dropout. An exponential schedule that halves the rate every 2 epochs starts as fast as
a constant rate and then stalls; a low rate, or dropout, starts slowly and keeps climbing; a
high constant rate is quick and then noisy: curves cross, so the accuracy after a few epochs
does not tell the final ranking among the good configurations. The values are written as people
write them (ascending, constant first), which puts the best configurations in the second half
of the grid's order. `late_evidence` measures both from finished runs' curves, and
`python bench/late_problem.py [--quick]` trains the whole grid once to show them.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ENV, PYTHON, ROOT, stamp, table  # noqa: E402

sys.path.insert(0, str(ROOT))
from engine.run.results import RunResults, TrialRecord  # noqa: E402
from engine.run.states import TrialStatus  # noqa: E402


@dataclass(frozen=True)
class Problem:
    """A space, its data and the trial budget every strategy gets."""

    name: str
    dataset: str
    space: dict[str, Any]
    budget: int  # trials (Hyperband: the epochs of this many full trainings)
    subsample: int | None = None

    @property
    def epochs(self) -> int:
        return int(self.space["training"]["epochs"])

    @property
    def grid(self) -> int:
        from engine.space import Space

        return Space.from_dict(self.space).grid_size() or 0

    def describe(self) -> str:
        tuned = ", ".join(  # a group's `name` is its optimizer's or schedule's
            f"{group_name if name == 'name' else name} {values}"
            for group_name, group in self.space.items()
            for name, values in group.items()
            if _many(values)
        )
        data = self.dataset + (f" ({self.subsample:,} samples)" if self.subsample else "")
        return (
            f"{self.grid} configurations ({tuned}) × {self.epochs} epochs on {data}, "
            f"budget {self.budget} trials"
        )


def _many(values: Any) -> bool:
    return isinstance(values, list) and len(values) > 1


FULL = Problem(
    "full",
    "mnist_5k",
    {
        "training": {"batch_size": 64, "epochs": 20, "validation_split": 0.5},
        "optimizer": {"name": "adam", "learning_rate": [0.0003, 0.001, 0.003, 0.01, 0.03]},
        # halves the rate every 2 epochs (16 batches an epoch): a fast start that stalls
        "schedule": {"name": ["constant", "exponential"], "decay_steps": 32, "decay_rate": 0.5},
        "architecture": {"nodes": [32, 256]},
        "regularization": {"dropout": [0.0, 0.5]},
        "early_stopping": {"enabled": False},
    },
    budget=12,
    subsample=2500,  # 1,000 train / 1,000 validation / 500 test
)
# --quick: the same kind of space, smaller, to develop the bench in a few minutes
QUICK = Problem(
    "quick",
    "mnist_5k",
    {
        "training": {"batch_size": 64, "epochs": 9, "validation_split": 0.5},
        "optimizer": {"name": "adam", "learning_rate": [0.001, 0.01, 0.03]},
        "schedule": {"name": ["constant", "exponential"], "decay_steps": 26, "decay_rate": 0.5},
        "architecture": {"nodes": [32, 256]},
        "early_stopping": {"enabled": False},
    },
    budget=9,
    subsample=2000,
)


def engine_run(problem: Problem, run: Path, seed: int, *flags: str) -> Path:
    """One search of `problem` through tunedeck's real command, `flags` as given (an empty
    tuple is the auto plan: the planner picks backend and algorithm)."""
    from engine.space import Space

    run.parent.mkdir(parents=True, exist_ok=True)
    space_file = run.parent / f"{problem.name}-space.yaml"
    if not space_file.exists():
        Space.from_dict(problem.space).save(space_file)
    data = ("--subsample", str(problem.subsample)) if problem.subsample else ()
    command = [PYTHON, "-m", "engine", "run", str(space_file), "--dataset", problem.dataset]
    command += [*data, "--max-trials", str(problem.budget), "--seed", str(seed)]
    command += ["--run-dir", str(run), "--quiet", *flags]
    # no timing for the estimate: it comes before the first trial, outside the clock (about 3 s)
    env = {**ENV, "TUNEDECK_ESTIMATE": "0"}
    subprocess.run(command, env=env, cwd=ROOT, check=True, capture_output=True, timeout=3600)
    return run


def full_curves(results: RunResults, epochs: int) -> list[TrialRecord]:
    """Completed trials that trained every epoch from the first (no continuation, no pruning)."""
    return [
        t
        for t in results.trials.values()
        if t.status == TrialStatus.COMPLETED
        and t.score is not None
        and t.initial_epoch == 0
        and len(t.curve) == epochs
    ]


@dataclass(frozen=True)
class LateEvidence:
    """How well the accuracy at an early epoch tells the final ranking."""

    epoch: int
    rank_correlation: float  # Spearman, early epoch against the final score (median over runs)
    better_half: float  # the same among each run's better half (by the final score)
    inverted: int  # pairs whose final scores differ by > 1 pp, ordered the other way then
    pairs: int
    best_rank: float  # median over runs: the final best trial's rank at that epoch (1: first)


def _ranks(values: Sequence[float]) -> list[float]:
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return ranks


def spearman(xs: Sequence[float], ys: Sequence[float]) -> float:
    rx, ry = _ranks(xs), _ranks(ys)
    mx, my = statistics.fmean(rx), statistics.fmean(ry)
    num = sum((a - mx) * (b - my) for a, b in zip(rx, ry, strict=True))
    den = (sum((a - mx) ** 2 for a in rx) * sum((b - my) ** 2 for b in ry)) ** 0.5
    return num / den if den else float("nan")


def late_evidence(
    runs: Sequence[list[TrialRecord]], epoch: int, metric: str = "val_accuracy"
) -> LateEvidence:
    """The early epoch's rank correlation with the final score, the median over runs of each
    run's full-length trials compared among themselves (seeds differ in starting weights)."""
    whole: list[float] = []
    halves: list[float] = []
    inverted = pairs = 0
    best_ranks: list[float] = []
    for trials in runs:
        if len(trials) < 4:
            continue
        at = [float(t.curve[epoch - 1][metric]) for t in trials]
        score = [float(t.score or 0.0) for t in trials]
        whole.append(spearman(at, score))
        top = sorted(range(len(trials)), key=lambda i: -score[i])[: (len(trials) + 1) // 2]
        halves.append(spearman([at[i] for i in top], [score[i] for i in top]))
        for a, b in itertools.combinations(range(len(trials)), 2):
            if abs(score[a] - score[b]) > 0.01:
                pairs += 1
                inverted += (score[a] - score[b]) * (at[a] - at[b]) < 0
        best = top[0]
        best_ranks.append(sum(1 for v in at if v > at[best]) + 1.0)
    nan = float("nan")
    return LateEvidence(
        epoch,
        statistics.median(whole) if whole else nan,
        statistics.median(halves) if halves else nan,
        inverted,
        pairs,
        statistics.median(best_ranks) if best_ranks else nan,
    )


def evidence_rows(runs: Sequence[list[TrialRecord]], epochs: int) -> list[tuple[str, ...]]:
    rows = [
        (
            "epoch",
            "rank corr. with final",
            "in the better half",
            "pairs > 1 pp inverted",
            "best's rank",
        )
    ]
    for epoch in sorted({1, 2, max(epochs // 4, 1), max(epochs // 2, 1), epochs - 1}):
        if 0 < epoch < epochs:
            e = late_evidence(runs, epoch)
            share = f"{e.inverted}/{e.pairs} ({e.inverted / max(e.pairs, 1):.0%})"
            rows.append(
                (
                    str(epoch),
                    f"{e.rank_correlation:.2f}",
                    f"{e.better_half:.2f}",
                    share,
                    f"{e.best_rank:.0f}",
                )
            )
    return rows


def grid_positions(results: RunResults, target: float) -> list[int]:
    """The grid-order positions (trial numbers, 1 first) of the completed trials that reach
    `target`."""
    return sorted(
        t.number
        for t in results.trials.values()
        if t.status == TrialStatus.COMPLETED and t.score is not None and t.score >= target - 1e-9
    )


def main() -> None:
    from engine.analysis.runs import open_run

    parser = argparse.ArgumentParser(description="train the whole grid once; show it differs late")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    problem = QUICK if args.quick else FULL
    whole = Problem(problem.name, problem.dataset, problem.space, problem.grid, problem.subsample)
    with tempfile.TemporaryDirectory() as tmp:
        run = engine_run(whole, Path(tmp) / "grid", args.seed, "--algorithm", "grid")
        results = open_run(run)
    trials = full_curves(results, problem.epochs)
    best = max(float(t.score or 0.0) for t in trials)
    print(f"the whole grid, {stamp()}: {whole.describe()}, seed {args.seed}")
    print(
        f"best {best:.4f}; grid positions within 0.5 pp of it: {grid_positions(results, best - 0.005)}"
    )
    print(table(evidence_rows([trials], problem.epochs)))
    rows = [("position", "score", "configuration")]
    for t in sorted(trials, key=lambda t: -float(t.score or 0.0)):
        tuned = {k: t.hyperparameters.get(k) for k in _tuned(problem)}
        rows.append(
            (str(t.number), f"{t.score:.4f}", " ".join(f"{k}={v}" for k, v in tuned.items()))
        )
    print(table(rows))


def _tuned(problem: Problem) -> list[str]:
    return [  # a group's `name` is the optimizer's or the schedule's
        group_name if key == "name" else key
        for group_name, group in problem.space.items()
        for key, values in group.items()
        if _many(values)
    ]


if __name__ == "__main__":
    main()

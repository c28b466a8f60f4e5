"""Search efficiency (targets: the auto plan ≤ 0.4× random search's time to the target; random
search with pruning ≤ 0.6× random search's): six strategies through tunedeck's own `run` —
random, grid, Bayesian, Hyperband (Keras Tuner), random with `--prune`, and the auto plan (no
`--backend`, no `--algorithm`) — on `late_problem`'s space, where configurations differ late,
with the same trial budget, for each of several seeds.

Every time is read from the run's journal on one clock: seconds since the search's first trial
started (data loading and the preflight are before it for every strategy alike). The target of
a seed is 0.5 percentage points below the best validation accuracy any strategy found with that
seed; a strategy's time to it is the end of the trial after which its best so far first reaches
it, and a strategy that never does is marked so. Seeds run one after another, the strategies of
each in a rotated order so that a busy moment of a shared machine does not always fall on the
same one. Tables per seed, then medians, ratios last; the best-so-far curves go to an SVG.

Usage: `python bench/efficiency.py [--quick] [--seeds N] [--runs DIR] [--figure FILE]`
(`--runs` keeps the run directories, and a finished run found there is read, not run again).
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, stamp, table  # noqa: E402
from late_problem import (  # noqa: E402
    FULL,
    QUICK,
    Problem,
    engine_run,
    evidence_rows,
    full_curves,
    grid_positions,
)

sys.path.insert(0, str(ROOT))
from engine.analysis.progress import best_so_far  # noqa: E402
from engine.analysis.runs import open_run  # noqa: E402
from engine.run.events import EpochEnded  # noqa: E402
from engine.run.journal import read_run  # noqa: E402
from engine.run.results import TrialRecord  # noqa: E402
from engine.run.states import RunState, TrialStatus  # noqa: E402

KT = ("--backend", "keras-tuner", "--algorithm")
STRATEGIES: dict[str, tuple[str, ...]] = {
    "random": (*KT, "random"),
    "grid": (*KT, "grid"),
    "bayesian": (*KT, "bayesian"),
    "hyperband": (*KT, "hyperband"),
    "random+prune": (*KT, "random", "--prune"),
    "auto": (),  # the planner picks backend and algorithm
}
WITHIN = 0.005  # the target: this far below the best any strategy found with the seed
TARGETS = {("auto", "random"): 0.4, ("random+prune", "random"): 0.6}
FIGURE = ROOT / "bench" / "figures" / "efficiency.svg"


@dataclass(frozen=True)
class Search:
    """One finished search, as its journal tells it, on the first trial's clock."""

    strategy: str
    seed: int
    run: Path
    plan: str  # the algorithm it ran (the auto plan's choice too)
    curve: list[tuple[float, float]]  # (seconds, best so far) at each completed trial's end
    end: float  # seconds to the last trial's end
    trials: int
    pruned: int
    epochs: int  # epochs trained, every trial together
    full: list[TrialRecord]  # its trials trained from the first epoch to the last
    epoch_ends: list[float] = field(default_factory=list)  # seconds, each epoch trained

    @property
    def best(self) -> float:
        return self.curve[-1][1] if self.curve else float("nan")

    def reaches(self, target: float) -> float | None:
        """Seconds to the end of the trial after which its best first reaches `target`."""
        return next((t for t, best in self.curve if best >= target - 1e-9), None)

    def epochs_by(self, seconds: float) -> int:
        """Epochs trained by then, every trial together: a count the machine's load leaves be."""
        return sum(1 for t in self.epoch_ends if t <= seconds + 1e-6)


def measure(run: Path, strategy: str, seed: int, epochs: int) -> Search:
    results = open_run(run)
    if results.state != RunState.FINISHED:
        raise RuntimeError(f"{run}: the search did not finish ({results.state})")
    trials = list(results.trials.values())
    origin = min(t.started for t in trials)
    shift = origin - (results.started if results.started is not None else origin)
    curve = [(p.elapsed - shift, p.best) for p in best_so_far(results)]
    ends = [e.time - origin for e in read_run(run) if isinstance(e, EpochEnded) and not e.restored]
    return Search(
        strategy,
        seed,
        run,
        results.algorithm,
        curve,
        max(t.started + (t.duration or 0.0) for t in trials) - origin,
        len(trials),
        sum(t.status == TrialStatus.PRUNED for t in trials),
        sum(len(t.curve) for t in trials),
        full_curves(results, epochs),
        sorted(ends),
    )


def run_all(problem: Problem, seeds: int, folder: Path) -> dict[int, dict[str, Search]]:
    """Every strategy with every seed; a finished run already in `folder` is read again."""
    names = list(STRATEGIES)
    out: dict[int, dict[str, Search]] = {}
    for seed in range(seeds):
        out[seed] = {}
        for name in names[seed % len(names) :] + names[: seed % len(names)]:
            run = folder / f"seed{seed}" / name.replace("+", "-")
            began = time.monotonic()
            if not (run / "events.jsonl").exists():
                engine_run(problem, run, seed, *STRATEGIES[name])
            out[seed][name] = measure(run, name, seed, problem.epochs)
            print(
                f"  seed {seed} {name}: {time.monotonic() - began:.0f} s",
                file=sys.stderr,
                flush=True,
            )
    return out


def targets_of(searches: dict[int, dict[str, Search]]) -> dict[int, float]:
    return {seed: max(s.best for s in by.values()) - WITHIN for seed, by in searches.items()}


def _seconds(value: float | None) -> str:
    return "never" if value is None else f"{value:.1f} s"


def seed_table(by: dict[str, Search], target: float) -> str:
    rows = [
        ("strategy", "ran", "trials (pruned)", "epochs", "best", "search", "to target", "epochs")
    ]
    for name in STRATEGIES:
        s = by[name]
        hit = s.reaches(target)
        rows.append(
            (
                name,
                s.plan,
                f"{s.trials} ({s.pruned})",
                str(s.epochs),
                f"{s.best:.4f}",
                f"{s.end:.1f} s",
                _seconds(hit),
                "-" if hit is None else str(s.epochs_by(hit)),
            )
        )
    return table(rows)


def median_time(values: list[float | None]) -> float | None:
    """The median, a search that never reached the target counting as slower than any."""
    ordered = sorted(math.inf if v is None else v for v in values)
    middle = statistics.median_low(ordered) if len(ordered) % 2 else statistics.median(ordered)
    return None if math.isinf(middle) else middle


def median_table(searches: dict[int, dict[str, Search]], targets: dict[int, float]) -> str:
    rows = [("strategy", "reached", "to target", "best", "search", "epochs", "pruned")]
    for name in STRATEGIES:
        runs = [by[name] for by in searches.values()]
        hits = [s.reaches(targets[s.seed]) for s in runs]
        rows.append(
            (
                name,
                f"{sum(h is not None for h in hits)}/{len(runs)}",
                _seconds(median_time(hits)),
                f"{statistics.median(s.best for s in runs):.4f}",
                f"{statistics.median(s.end for s in runs):.1f} s",
                f"{statistics.median(s.epochs for s in runs):.0f}",
                f"{statistics.median(s.pruned for s in runs):.0f}",
            )
        )
    return table(rows)


def ratio(a: Search, b: Search, target: float, epochs: bool = False) -> tuple[float, str, str]:
    """a's time (or epochs trained) to the target over b's, as (value, bound, text); a search
    that never reached it bounds the ratio by its whole run (it would need more than that)."""

    def cost(s: Search, seconds: float | None) -> float | None:
        if seconds is None:
            return None
        return float(s.epochs_by(seconds)) if epochs else seconds

    ta, tb = cost(a, a.reaches(target)), cost(b, b.reaches(target))
    a_end, b_end = (float(a.epochs), float(b.epochs)) if epochs else (a.end, b.end)
    if ta is not None and tb is not None:
        return ta / tb, "", f"{ta / tb:.2f}"
    if ta is not None:
        return ta / b_end, "<", f"< {ta / b_end:.2f} ({b.strategy} never)"
    if tb is not None:
        return a_end / tb, ">", f"> {a_end / tb:.2f} ({a.strategy} never)"
    return math.nan, "", "neither reached it"


def median_ratio(each: list[tuple[float, str, str]]) -> tuple[float, float] | None:
    """The range the median of the measurable ratios lies in: a bound stands for any value on
    its side (`<` down to 0, `>` up to infinity); one number when nothing is a bound."""
    known = [(v, bound) for v, bound, _ in each if not math.isnan(v)]
    if not known:
        return None
    low = statistics.median(0.0 if bound == "<" else v for v, bound in known)
    high = statistics.median(math.inf if bound == ">" else v for v, bound in known)
    return low, high


def shown(low: float, high: float) -> str:
    if low == high:
        return f"{low:.2f}×"
    if math.isinf(high):
        return f"≥ {low:.2f}×"
    return f"≤ {high:.2f}×" if low == 0 else f"{low:.2f}–{high:.2f}×"


def verdict(low: float, high: float, goal: float) -> str:
    """Whether a ratio known to lie in [low, high] meets its target."""
    if high <= goal:
        return "met"
    return "not met" if low > goal else "undecided (a search that never got there)"


def paired_pruning(searches: dict[int, dict[str, Search]]) -> list[str]:
    """Random search with and without pruning draw the same configurations in the same order
    (same seed): the time each takes to random search's own best, and to the end."""
    lines, each, whole = [], [], []
    for seed, by in searches.items():
        plain, pruned = by["random"], by["random+prune"]
        value, bound, text = ratio(pruned, plain, plain.best)
        each.append((value, bound, text))
        whole.append(pruned.end / plain.end)
        lines.append(
            f"  seed {seed}: to random's own best ({plain.best:.4f}): {text}"
            + ("" if math.isnan(value) else "×")
            + f"; whole run {pruned.end / plain.end:.2f}×"
            + f" ({pruned.epochs} of {plain.epochs} epochs)"
        )
    median = median_ratio(each)
    if median is not None:
        lines.append(
            f"  median: to random's own best {shown(*median)}; "
            f"whole run {statistics.median(whole):.2f}×"
        )
    return lines


def ratio_lines(searches: dict[int, dict[str, Search]], targets: dict[int, float]) -> list[str]:
    lines = []
    for (a, b), goal in TARGETS.items():
        for epochs in (False, True):
            each = [ratio(by[a], by[b], targets[seed], epochs) for seed, by in searches.items()]
            seeds = "; ".join(
                f"seed {seed}: {text}" for seed, (_, _, text) in zip(searches, each, strict=True)
            )
            what = "epochs trained" if epochs else "time"
            median = median_ratio(each)
            if median is None:
                lines.append(f"  {a} / {b}, {what}: {seeds}; not measurable")
                continue
            said = "(no target)" if epochs else f"target ≤ {goal}×: {verdict(*median, goal)}"
            lines.append(f"  {a} / {b}, {what}: median {shown(*median)} ({seeds}); {said}")
    return lines


def report(problem: Problem, searches: dict[int, dict[str, Search]]) -> None:
    targets = targets_of(searches)
    seeds = len(searches)
    print(f"search efficiency, {stamp()}: {problem.describe()}, seeds 0–{seeds - 1}")
    print("the problem differs late (the unpruned full-length trials of every search):")
    runs = [s.full for by in searches.values() for s in by.values() if s.pruned == 0]
    print(table(evidence_rows(runs, problem.epochs)))
    for seed, by in searches.items():
        grid = open_run(by["grid"].run)
        within = grid_positions(grid, targets[seed])
        where = ", ".join(map(str, within)) or f"none of the first {grid.planned}"
        print(
            f"\nseed {seed}: target {targets[seed]:.4f} (best {targets[seed] + WITHIN:.4f} − 0.5 pp);"
            f" grid positions reaching it: {where} (of {problem.grid})"
        )
        print(seed_table(by, targets[seed]))
    print(
        f"\nmedians over {seeds} seed(s) (a search that never reached the target: slower than any)"
    )
    print(median_table(searches, targets))
    print("random+prune / random on the same draws (pruning's saving where both get there):")
    print("\n".join(paired_pruning(searches)))
    print("ratios, time to the target:")
    print("\n".join(ratio_lines(searches, targets)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small space, to develop with")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--runs", type=Path, default=None, help="keep (and reuse) runs here")
    parser.add_argument("--figure", type=Path, default=None, help=f"default: {FIGURE}")
    args = parser.parse_args()
    problem = QUICK if args.quick else FULL
    figure = args.figure or (FIGURE if not args.quick else None)
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.runs or Path(tmp)
        began = time.monotonic()
        searches = run_all(problem, args.seeds, folder)
        report(problem, searches)
        print(f"whole bench: {(time.monotonic() - began) / 60:.1f} min")
        if figure is not None:
            from efficiency_figure import write_svg

            write_svg(searches, targets_of(searches), figure, list(STRATEGIES))
            print(f"figure: {figure.relative_to(ROOT) if figure.is_relative_to(ROOT) else figure}")


if __name__ == "__main__":
    main()

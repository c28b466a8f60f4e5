"""Ranking a run's trials under several objectives, in-process, before and after.

1. The fronts of N synthetic trials (accuracy against a parameter count, and a third
   objective): by comparing every pair, as the ranking did before (O(M·N²)), against the
   sort-based ranks of two objectives and the sequential search of more, now.
2. The views' ranking of a finished N-trial run with two objectives (`bench.large_run`): the
   leaderboard and the fronts computed from the trials (a cold reading, as before for every
   call), asked again with nothing changed (kept in memory), and read back from the run's
   summary by a fresh reading.

Figures are CPU seconds (`time.process_time`), the machine's load hardly moves them; every
ratio is after / before.

    .venv/bin/python bench/front.py [TRIALS ...]   (1000 10000)
"""

from __future__ import annotations

import random
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import stamp, table  # noqa: E402
from bench.large_run import make_run  # noqa: E402
from engine.objective.pareto import dominates, front_ranks  # noqa: E402
from engine.run.kept import load_results  # noqa: E402
from engine.run.summary import SUMMARY  # noqa: E402


def ranks_by_every_pair(vectors: Sequence[Sequence[float]]) -> list[int]:
    """The ranking as it was: every pair compared, then the fronts peeled one by one."""
    n = len(vectors)
    dominated_by = [0] * n
    beats: list[list[int]] = [[] for _ in range(n)]
    for i in range(n):
        for j in range(i + 1, n):
            if dominates(vectors[i], vectors[j]):
                beats[i].append(j)
                dominated_by[j] += 1
            elif dominates(vectors[j], vectors[i]):
                beats[j].append(i)
                dominated_by[i] += 1
    ranks = [0] * n
    current = [i for i in range(n) if dominated_by[i] == 0]
    rank = 0
    while current:
        following: list[int] = []
        for i in current:
            ranks[i] = rank
            for j in beats[i]:
                dominated_by[j] -= 1
                if dominated_by[j] == 0:
                    following.append(j)
        current, rank = following, rank + 1
    return ranks


def cpu(work: Callable[[], Any]) -> tuple[float, Any]:
    start = time.process_time()
    out = work()
    return time.process_time() - start, out


def vectors(n: int, width: int, seed: int = 0) -> list[list[float]]:
    """Accuracy (negated: minimised) against a parameter count, and a latency that follows the
    count with noise: a front of a few dozen points, a couple of hundred fronts."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        params = float(rng.randint(100, 100_000))
        point = [-rng.random(), params, params / 1000 * rng.uniform(0.8, 1.2)]
        out.append(point[:width])
    return out


def ratio(after: float, before: float) -> str:
    return f"{after / before:.4f}×" if before else "-"


def algorithms(n: int) -> list[tuple[str, ...]]:
    rows = []
    for width in (2, 3):
        points = vectors(n, width)
        before, old = cpu(lambda points=points: ranks_by_every_pair(points))
        after, new = cpu(lambda points=points: front_ranks(points))
        assert old == new, "the fast ranks differ from every pair's"
        fronts = max(new) + 1
        rows.append(
            (
                f"fronts of {n:,} points, {width} objectives ({fronts} fronts)",
                f"{before:.3f} s",
                f"{after:.3f} s",
                ratio(after, before),
            )
        )
    return rows


def views(n: int, folder: Path) -> list[tuple[str, ...]]:
    """A finished two-objective run read as the views read it."""
    run = make_run(folder / "run", n, multi=True)
    rows = []
    results = load_results(run)  # replayed; writes the summary (the ranking in it)
    results._ranking = None
    computed, _ = cpu(lambda: (results.leaderboard(), results.front()))
    again, _ = cpu(lambda: (results.leaderboard(), results.front()))
    rows.append((f"leaderboard + fronts of {n:,} trials, computed", f"{computed:.3f} s", "", ""))
    rows.append(("  asked again, nothing changed", "", f"{again:.4f} s", ratio(again, computed)))
    kept = load_results(run)  # a fresh reading: from the summary
    assert kept._ranking is not None and (run / SUMMARY).exists()
    read, _ = cpu(lambda: (kept.leaderboard(), kept.front()))
    rows.append(("  from the run's summary", "", f"{read:.4f} s", ratio(read, computed)))
    return rows


def main() -> None:
    counts = [int(a) for a in sys.argv[1:]] or [1000, 10000]
    body: list[tuple[str, ...]] = [("ranking", "before", "after", "after / before")]
    root = Path(tempfile.mkdtemp(prefix="tunedeck-front-"))
    try:
        for n in counts:
            body += algorithms(n)
            folder = root / str(n)
            folder.mkdir()
            body += views(n, folder)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print(f"{stamp()}; CPU seconds")
    print(table(body))


if __name__ == "__main__":
    main()

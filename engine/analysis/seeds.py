"""Is the winner really better? The report of `tunedeck rerun`: each of the top configurations
trained again with several seeds, its validation and test scores as mean ± standard deviation,
and whether the winner's lead over the runner-up is larger than the seed noise.

Light (no numpy): it reads `seeds.jsonl`, which `engine.commands.seeds` writes, one line per
configuration × seed: {"trial_id", "seed", "val", "best", "test"}: the handed-over model's
objective on validation (what the leaderboard ranks), the best epoch's, the test score.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from engine.run import jsonlines

SEEDS = "seeds.jsonl"
LEVEL = 0.05  # a lead counts as real when a two-sided Welch's t-test rejects "no difference"
# Student's t two-sided 95 % critical values by degrees of freedom (scipy.stats.t.ppf(0.975,
# df)); Welch's degrees of freedom fall between them and are interpolated in 1/df.
T_95: dict[float, float] = {
    1: 12.7062,
    1.25: 8.028,
    1.5: 6.0167,
    1.75: 4.9488,
    2: 4.3027,
    2.5: 3.5747,
    3: 3.1824,
    3.5: 2.9401,
    4: 2.7764,
    5: 2.5706,
    6: 2.4469,
    7: 2.3646,
    8: 2.306,
    9: 2.2622,
    10: 2.2281,
    12: 2.1788,
    15: 2.1314,
    20: 2.086,
    25: 2.0595,
    30: 2.0423,
    40: 2.0211,
    60: 2.0003,
    120: 1.9799,
}
Z_95 = 1.96  # infinite degrees of freedom


@dataclass(frozen=True)
class SeedStats:
    trial_id: str
    n: int
    val_mean: float
    val_std: float
    test_mean: float | None
    test_std: float | None
    best_mean: float | None = None  # the best epoch's objective on validation (beside it)


@dataclass(frozen=True)
class SeedReport:
    metric: str
    direction: str
    rows: tuple[SeedStats, ...]  # in the search's order (its winner first)
    search_winner: str | None
    lead: float | None  # the search's winner over its runner-up, in the metric's units (+ better)
    noise: float | None  # the lead the test would need: critical t × the standard error
    verdict: str
    t: float | None = None  # Welch's t of the lead
    df: float | None = None  # its Welch–Satterthwaite degrees of freedom

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "rows": [asdict(r) for r in self.rows]}


def read_seeds(run_dir: str | Path) -> list[dict[str, Any]]:
    """The lines of `seeds.jsonl` (a torn last line, from a killed rerun, is skipped)."""
    return [
        r for r in jsonlines.records(Path(run_dir) / SEEDS) if isinstance(r.get("val"), int | float)
    ]


def t_critical(df: float) -> float:
    """The two-sided 95 % critical value of Student's t with `df` degrees of freedom."""
    if df >= max(T_95):
        return Z_95 + (T_95[max(T_95)] - Z_95) * max(T_95) / df
    known = sorted(T_95)
    low = max((d for d in known if d <= df), default=known[0])
    high = min(d for d in known if d >= max(df, known[0]))
    if low == high:
        return T_95[low]
    share = (1 / low - 1 / df) / (1 / low - 1 / high)
    return math.exp(math.log(T_95[low]) + share * (math.log(T_95[high]) - math.log(T_95[low])))


def welch(a: SeedStats, b: SeedStats) -> tuple[float, float]:
    """(standard error of the difference of the means, Welch–Satterthwaite degrees of freedom)."""
    va, vb = a.val_std**2 / a.n, b.val_std**2 / b.n
    se = math.sqrt(va + vb)
    parts = (va**2 / (a.n - 1) if va else 0.0) + (vb**2 / (b.n - 1) if vb else 0.0)
    df = (va + vb) ** 2 / parts if parts else float(a.n + b.n - 2)
    return se, df


def seed_report(
    records: list[dict[str, Any]],
    metric: str,
    direction: str,
    search_winner: str | None,
    order: Sequence[str] = (),
) -> SeedReport:
    """The rerun's report: configurations in the search's `order` (its leaderboard), the
    search's winner judged against its runner-up — not re-ranked on the rerun's own scores,
    which would favour whichever was luckiest."""
    by_trial: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        by_trial.setdefault(str(record["trial_id"]), []).append(record)
    rows = [_stats(tid, recs) for tid, recs in by_trial.items()]
    sign = -1.0 if direction == "max" else 1.0
    rank = {tid: i for i, tid in enumerate(order)}
    rows.sort(key=lambda r: (rank.get(r.trial_id, len(rank)), sign * r.val_mean, r.trial_id))
    lead = noise = t = df = None
    verdict = "no configuration has been trained again yet"
    if len(rows) == 1:
        verdict = "only one configuration so far: nothing to compare"
    elif len(rows) > 1:
        first, second = rows[0], rows[1]
        lead = -sign * (first.val_mean - second.val_mean)
        if min(first.n, second.n) < 2:
            verdict = "a lead needs two seeds or more of each configuration to be judged"
        elif lead == 0:
            verdict = f"trials {first.trial_id} and {second.trial_id} tie on {metric}"
        else:
            se, df = welch(first, second)
            critical = t_critical(df)
            noise = critical * se
            t = lead / se if se else math.copysign(math.inf, lead)
            says = "leads" if lead > 0 else "trails"
            real = abs(t) > critical
            outcome = (
                ("the lead is real" if lead > 0 else "the runner-up is really better")
                if real
                else "the difference is within the seed noise"
            )
            verdict = (
                f"trial {first.trial_id} {says} trial {second.trial_id} by {abs(lead):.4f} "
                f"{metric}; Welch's t = {abs(t):.2f} with {df:.1f} degrees of freedom against "
                f"{critical:.2f} (two-sided, {LEVEL:.0%} level): {outcome}"
            )
        if search_winner is not None and search_winner != first.trial_id:
            verdict += f" (the search picked trial {search_winner})"
    return SeedReport(metric, direction, tuple(rows), search_winner, lead, noise, verdict, t, df)


def _stats(trial_id: str, records: list[dict[str, Any]]) -> SeedStats:
    vals = [float(r["val"]) for r in records]
    tests = [float(r["test"]) for r in records if isinstance(r.get("test"), int | float)]
    bests = [float(r["best"]) for r in records if isinstance(r.get("best"), int | float)]
    spread = lambda xs: statistics.stdev(xs) if len(xs) > 1 else 0.0  # noqa: E731
    return SeedStats(
        trial_id,
        len(vals),
        statistics.fmean(vals),
        spread(vals),
        statistics.fmean(tests) if tests else None,
        spread(tests) if tests else None,
        statistics.fmean(bests) if bests else None,
    )


def seed_lines(report: SeedReport) -> list[str]:
    """The report as the command line prints it."""
    test_name = report.metric.removeprefix("val_")
    head = (
        f"{'TRIAL':<8}{'SEEDS':>6}  {report.metric + ' mean ± std':<26}{'best epoch':<12}"
        f"{test_name + ' (test)'}"
    )
    lines = [head]
    for r in report.rows:
        test = "-" if r.test_mean is None else f"{r.test_mean:.4f} ± {r.test_std or 0:.4f}"
        val = f"{r.val_mean:.4f} ± {r.val_std:.4f}"
        best = "-" if r.best_mean is None else f"{r.best_mean:.4f}"
        lines.append(f"{r.trial_id:<8}{r.n:>6}  {val:<26}{best:<12}{test}")
    return [*lines, report.verdict]

"""Is the winner really better? The report of `tunedeck rerun`: each of the top configurations
trained again with several seeds, its validation and test scores as mean ± standard deviation,
and whether the winner's lead over the runner-up is larger than the seed noise.

Light (no numpy): it reads `seeds.jsonl`, which `engine.seeds` writes, one line per
configuration × seed: {"trial_id", "seed", "val", "test"}.
"""

from __future__ import annotations

import json
import math
import statistics
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

SEEDS = "seeds.jsonl"
NOISE_ERRORS = 2.0  # a lead counts when it exceeds two standard errors of the difference


@dataclass(frozen=True)
class SeedStats:
    trial_id: str
    n: int
    val_mean: float
    val_std: float
    test_mean: float | None
    test_std: float | None


@dataclass(frozen=True)
class SeedReport:
    metric: str
    direction: str
    rows: tuple[SeedStats, ...]  # best validation mean first
    search_winner: str | None
    lead: float | None  # winner's mean over the runner-up's, in the metric's units
    noise: float | None  # NOISE_ERRORS standard errors of that difference
    verdict: str

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "rows": [asdict(r) for r in self.rows]}


def read_seeds(run_dir: str | Path) -> list[dict[str, Any]]:
    """The lines of `seeds.jsonl` (a torn last line, from a killed rerun, is skipped)."""
    path = Path(run_dir) / SEEDS
    out = []
    try:
        text = path.read_text(errors="replace")
    except FileNotFoundError:
        return []
    for line in text.splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict) and isinstance(record.get("val"), int | float):
            out.append(record)
    return out


def seed_report(
    records: list[dict[str, Any]], metric: str, direction: str, search_winner: str | None
) -> SeedReport:
    by_trial: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        by_trial.setdefault(str(record["trial_id"]), []).append(record)
    rows = [_stats(tid, recs) for tid, recs in by_trial.items()]
    sign = -1.0 if direction == "max" else 1.0
    rows.sort(key=lambda r: (sign * r.val_mean, r.trial_id))
    lead = noise = None
    verdict = "no configuration has been trained again yet"
    if len(rows) == 1:
        verdict = "only one configuration so far: nothing to compare"
    elif len(rows) > 1:
        first, second = rows[0], rows[1]
        lead = abs(first.val_mean - second.val_mean)
        if min(first.n, second.n) < 2:
            verdict = "a lead needs two seeds or more of each configuration to be judged"
        elif lead == 0:
            verdict = f"trials {first.trial_id} and {second.trial_id} tie on {metric}"
        else:
            noise = NOISE_ERRORS * math.sqrt(
                first.val_std**2 / first.n + second.val_std**2 / second.n
            )
            beyond = lead > noise
            verdict = (
                f"trial {first.trial_id} leads trial {second.trial_id} by {lead:.4f} {metric}; "
                f"the seed noise ({NOISE_ERRORS:g} standard errors) is {noise:.4f}: "
                + ("the lead is real" if beyond else "the lead is within the noise")
            )
        if search_winner is not None and search_winner != first.trial_id:
            verdict += f" (the search picked trial {search_winner})"
    return SeedReport(metric, direction, tuple(rows), search_winner, lead, noise, verdict)


def _stats(trial_id: str, records: list[dict[str, Any]]) -> SeedStats:
    vals = [float(r["val"]) for r in records]
    tests = [float(r["test"]) for r in records if isinstance(r.get("test"), int | float)]
    spread = lambda xs: statistics.stdev(xs) if len(xs) > 1 else 0.0  # noqa: E731
    return SeedStats(
        trial_id,
        len(vals),
        statistics.fmean(vals),
        spread(vals),
        statistics.fmean(tests) if tests else None,
        spread(tests) if tests else None,
    )


def seed_lines(report: SeedReport) -> list[str]:
    """The report as the command line prints it."""
    test_name = report.metric.removeprefix("val_")
    head = f"{'TRIAL':<8}{'SEEDS':>6}  {report.metric + ' mean ± std':<26}{test_name + ' (test)'}"
    lines = [head]
    for r in report.rows:
        test = "-" if r.test_mean is None else f"{r.test_mean:.4f} ± {r.test_std or 0:.4f}"
        val = f"{r.val_mean:.4f} ± {r.val_std:.4f}"
        lines.append(f"{r.trial_id:<8}{r.n:>6}  {val:<26}{test}")
    return [*lines, report.verdict]

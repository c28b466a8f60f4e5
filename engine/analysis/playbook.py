"""What a careful practitioner would point out about a search (the tuning playbook's checks):

- `edge`: most of the best trials (two thirds, three at least) sit at one end of a numeric range: the optimum may lie
  beyond it, widen the range that way.
- `spread`: the best trials' values span the whole range: the parameter hardly matters here
  (fix it, and spend the trials elsewhere).
- `few`: too few completed trials for the importance shown (fewer than `PER_PARAMETER` per
  tuned parameter, or `MIN_TRIALS`): it is a guess.
- `noise`: the winner's lead over the runner-up is within the seed noise: the seed check
  (rerun) says so when it ran; otherwise the spread of its cross-validation folds, or a lead
  under `SMALL_LEAD` of the score, points to it.

Pure functions of the replayed results (no numpy); each warning is one line with its advice.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from engine.analysis.runs import tuned_names
from engine.analysis.seeds import read_seeds, seed_report
from engine.run.results import RunResults
from engine.space import Space
from engine.space.hyperparameters import Choice, Float, Int

TOP_SHARE, TOP_MIN = 0.2, 3  # "the best trials": the top fifth, at least three
EDGE = 0.1  # within a tenth of the range (on its own scale, log or linear) of one end
EDGE_SHARE = 0.66  # two thirds of the best trials at one end
SPREAD = 0.8  # the best trials cover four fifths of the range
MIN_TRIALS, PER_PARAMETER = 10, 5
SMALL_LEAD = 0.002  # a relative lead this small is typical of a seed's difference


@dataclass(frozen=True)
class Caution:
    kind: str  # edge, spread, few, noise
    parameter: str | None
    text: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def playbook(results: RunResults, run_dir: str | Path | None = None) -> list[Caution]:
    """Every warning that applies to the run (empty: nothing to point out)."""
    ranked = [
        t
        for t in results.leaderboard()
        if t.status == "completed" and t.score is not None and not t.infeasible and not t.outside
    ]
    out: list[Caution] = []
    tuned = tuned_names(results)
    if not ranked:
        return out
    top = ranked[: max(TOP_MIN, math.ceil(len(ranked) * TOP_SHARE))]
    space = _space(results)
    if space is not None and len(ranked) > len(top):  # the best stand out from the rest
        for name in tuned:
            out.extend(_range_warnings(space, name, [t.hyperparameters.get(name) for t in top]))
    want = max(MIN_TRIALS, PER_PARAMETER * len(tuned))
    if tuned and len(ranked) < want:
        out.append(
            Caution(
                "few",
                None,
                f"importance from {len(ranked)} completed trials over "
                f"{len(tuned)} tuned parameters is a guess: run {want - len(ranked)} "
                f"more (at least {want})",
            )
        )
    if (noise := _noise(results, ranked, run_dir)) is not None:
        out.append(noise)
    return out


def _space(results: RunResults) -> Space | None:
    try:
        return Space.from_dict(results.space) if results.space else None
    except Exception:  # noqa: BLE001 - a space this version cannot read: no range checks
        return None


def _position(hp: Any, value: Any) -> float | None:
    """Where `value` lies in the range, 0 (its low end) to 1 (its high end); None when the
    parameter has no numeric range."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(hp, Int | Float):
        low, high, log = float(hp.min), float(hp.max), hp.sampling == "log"
    elif isinstance(hp, Choice):
        numbers = [v for v in hp.options if isinstance(v, int | float) and not isinstance(v, bool)]
        if len(numbers) != len(hp.options) or len(numbers) < 3:
            return None  # a category, or two values: no edge to widen beyond
        low, high, log = float(min(numbers)), float(max(numbers)), False
        ordered = sorted(numbers)  # a choice's values as ranks: 8, 16, 32, 64 evenly spaced
        return ordered.index(value) / (len(ordered) - 1) if value in ordered else None
    else:
        return None
    if high <= low:
        return None
    if log and low > 0 and value > 0:
        return (math.log(value) - math.log(low)) / (math.log(high) - math.log(low))
    return (float(value) - low) / (high - low)


def _range_warnings(space: Space, name: str, values: list[Any]) -> list[Caution]:
    hp = space.params.get(name)
    spots = [p for v in values if (p := _position(hp, v)) is not None]
    if len(spots) < TOP_MIN:
        return []
    n = len(spots)
    low = sum(p <= EDGE for p in spots)
    high = sum(p >= 1 - EDGE for p in spots)
    if high >= max(EDGE_SHARE * n, TOP_MIN) and high > low:
        return [
            Caution(
                "edge",
                name,
                f"{name}: {high} of the best {n} trials sit at the top "
                f"of its range: widen it upwards",
            )
        ]
    if low >= max(EDGE_SHARE * n, TOP_MIN):
        return [
            Caution(
                "edge",
                name,
                f"{name}: {low} of the best {n} trials sit at the bottom "
                f"of its range: widen it downwards",
            )
        ]
    if max(spots) - min(spots) >= SPREAD:
        return [
            Caution(
                "spread",
                name,
                f"{name}: the best {n} trials span its whole range: it "
                "hardly matters here (fix it and tune something else)",
            )
        ]
    return []


def _noise(results: RunResults, ranked: list[Any], run_dir: str | Path | None) -> Caution | None:
    """The winner's lead against the seed check, the folds' spread or a small relative lead."""
    if len(ranked) < 2 or results.goals.multi:  # a front has no single winner to doubt
        return None
    first, second = ranked[0], ranked[1]
    lead = abs((first.score or 0.0) - (second.score or 0.0))
    advice = "check it with several seeds (N on the results screen, tunedeck rerun RUN)"
    records = read_seeds(run_dir) if run_dir is not None else []
    if records:
        report = seed_report(
            records,
            results.objective,
            results.direction,
            results.best_trial_id,
            [t.trial_id for t in ranked],
        )
        if "within the seed noise" in report.verdict:
            return Caution("noise", None, f"the seed check: {report.verdict}")
        return None
    folds = first.fold_scores or []
    if len(folds) >= 2:
        error = statistics.stdev(folds) / math.sqrt(len(folds))
        if lead < 2 * error:
            return Caution(
                "noise",
                None,
                f"trial {first.trial_id} leads by {lead:.4f}, less than "
                f"twice its folds' standard error ({error:.4f}): {advice}",
            )
        return None
    if lead <= SMALL_LEAD * max(abs(first.score or 0.0), 1e-12):
        return Caution(
            "noise",
            None,
            f"trial {first.trial_id} leads trial {second.trial_id} by "
            f"only {lead:.4f}, what a different seed often changes: {advice}",
        )
    return None

"""Hyperparameter importance: how much of the objective's variation each parameter explains.

With Optuna installed (`tunedeck[optuna]`), PED-ANOVA (Watanabe et al., 2023; Optuna's
`PedAnovaImportanceEvaluator`): an in-memory study is built from the completed trials and each
parameter is scored by how differently it is distributed among the best trials than among all,
which needs no model, treats a conditional parameter as absent where it was inactive, and is not
biased toward many-valued parameters the way a forest's impurity importance is. Without Optuna,
permutation importance on a random forest (scikit-learn): how much a forest fitted on part of
the trials loses on the rest when one parameter's values are shuffled (all its columns
together). Either way the shares sum to 1, a parameter that never changed ranks last with 0,
and the result says which method produced it and when it is too early to trust it. numpy,
scikit-learn and Optuna are imported only when an estimate is computed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from engine.analysis.progress import completed
from engine.analysis.runs import tuned_names
from engine.analysis.slices import is_number
from engine.analysis.thin import spread
from engine.run.results import RunResults
from engine.space.schema import is_active

MIN_TRIALS = 10  # fewer completed trials than this: the ranking is shown with a warning
TREES = 32
SEED = 0
SAMPLE = 2000  # the most trials either method looks at: an even spread of them, in the order
# they ended (Optuna copies each trial it is given, and a forest's cost grows with the trials;
# two hundred best trials against two thousand still tell the parameters apart)
TOP = 20  # the fewest best trials PED-ANOVA compares with all (up to half of them)
PED_ANOVA = "PED-ANOVA (Optuna)"
PERMUTATION = "permutation importance on a random forest (scikit-learn)"


@dataclass(frozen=True)
class Importance:
    """Parameters most important first, each with its share of the explained variation."""

    rows: list[tuple[str, float]] = field(default_factory=list)
    trials: int = 0
    objective: str = ""
    note: str = ""  # why not to trust it yet; empty when there is nothing to warn about
    method: str = ""  # what estimated it (empty: nothing to estimate)

    @property
    def trusted(self) -> bool:
        return not self.note

    def to_dict(self) -> dict[str, Any]:
        return {
            "objective": self.objective,
            "trials": self.trials,
            "trusted": self.trusted,
            "note": self.note,
            "method": self.method,
            "importance": [{"parameter": n, "importance": v} for n, v in self.rows],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Importance:
        rows = [(str(r["parameter"]), float(r["importance"])) for r in data["importance"]]
        return cls(
            rows,
            int(data["trials"]),
            str(data["objective"]),
            str(data["note"]),
            str(data.get("method", "")),
        )


def importance(
    results: RunResults, names: tuple[str, ...] | None = None, method: str | None = None
) -> Importance:
    """The importance of each tuned parameter for the run's objective; `method` (PED_ANOVA or
    PERMUTATION) forces one, else PED-ANOVA when Optuna is installed."""
    names = tuned_names(results) if names is None else names
    trials = completed(results)
    scores = [float(t.score or 0.0) for t in trials]
    configs = [t.hyperparameters for t in trials]
    note = _note(len(trials), scores)
    varied = [n for n in names if len({repr(c.get(n)) for c in configs}) > 1]
    shares = dict.fromkeys(names, 0.0)
    used = ""
    if varied and len(trials) >= 2 and len(set(scores)) > 1:
        used = method or (PED_ANOVA if _has_optuna() else PERMUTATION)
        estimate = _ped_anova if used == PED_ANOVA else _permutation
        picked = spread(range(len(trials)), SAMPLE)
        shares.update(
            _normalised(
                estimate(
                    [configs[i] for i in picked],
                    [scores[i] for i in picked],
                    varied,
                    results.direction,
                    _ranges(results),
                )
            )
        )
    rows = sorted(shares.items(), key=lambda item: (-item[1], item[0]))
    return Importance(rows, len(trials), results.objective, note, used)


def _ranges(results: RunResults) -> set[str]:
    """The parameters the space tunes over a range (Int, Float): the others, even when their
    values are numbers, are a few choices, and a density over a continuum would read their
    gaps as structure."""
    from engine.space import Space
    from engine.space.hyperparameters import Float, Int

    try:
        params = Space.from_dict(results.space).params if results.space else {}
    except Exception:  # a space this version cannot read: every parameter a choice
        return set()
    return {name for name, hp in params.items() if isinstance(hp, Int | Float)}


def _has_optuna() -> bool:
    import importlib.util

    return importlib.util.find_spec("optuna") is not None


def _normalised(shares: dict[str, float]) -> dict[str, float]:
    clipped = {n: max(v, 0.0) for n, v in shares.items()}  # a permutation can help by chance
    total = sum(clipped.values())
    return {n: (v / total if total > 0 else 0.0) for n, v in clipped.items()}


def _note(count: int, scores: list[float]) -> str:
    if count == 0:
        return "no completed trial yet"
    if len(set(scores)) <= 1:
        return f"all {count} completed trials scored the same: nothing to explain"
    if count < MIN_TRIALS:
        return f"only {count} completed trials: too few to trust (at least {MIN_TRIALS})"
    return ""


def encode(configs: list[dict[str, Any]], names: list[str]) -> tuple[list[list[float]], list[str]]:
    """A numeric design matrix: a column per number parameter, a one-hot column per choice value
    (an inactive parameter: one below the smallest number, or no category); each column's owner."""
    columns: list[list[float]] = []
    owners: list[str] = []
    for name in names:
        values = [c.get(name) if is_active(name, c) else None for c in configs]
        present = [v for v in values if v is not None]
        if present and all(is_number(v) for v in present):
            floor = min(float(v) for v in present) - 1.0
            columns.append([floor if v is None else float(v) for v in values])
            owners.append(name)
            continue
        for category in dict.fromkeys(repr(v) for v in present):
            columns.append([1.0 if v is not None and repr(v) == category else 0.0 for v in values])
            owners.append(name)
    rows = [list(row) for row in zip(*columns, strict=True)] if columns else []
    return rows, owners


def _ped_anova(
    configs: list[dict[str, Any]],
    scores: list[float],
    names: list[str],
    direction: str,
    ranges: set[str],
) -> dict[str, float]:
    """PED-ANOVA over an in-memory study of the trials (inactive parameters left out of a
    trial, as Optuna records a conditional one)."""
    import optuna
    from optuna.distributions import (
        BaseDistribution,
        CategoricalDistribution,
        FloatDistribution,
        IntDistribution,
    )
    from optuna.trial import create_trial

    optuna.logging.set_verbosity(optuna.logging.ERROR)
    values = {n: [c.get(n) if is_active(n, c) else None for c in configs] for n in names}
    spaces: dict[str, BaseDistribution] = {}
    for name, column in values.items():
        present = [v for v in column if v is not None]
        if name in ranges and present and all(is_number(v) for v in present):
            low, high = min(present), max(present)
            if all(isinstance(v, int) for v in present):
                spaces[name] = IntDistribution(int(low), int(high))
            else:
                log = low > 0 and high / low >= 100  # a rate tuned over decades
                spaces[name] = FloatDistribution(float(low), float(high), log=log)
        else:
            values[name] = [None if v is None else repr(v) for v in column]
            spaces[name] = CategoricalDistribution(sorted({v for v in values[name] if v}))
    study = optuna.create_study(direction="maximize" if direction == "max" else "minimize")
    study.add_trials(
        [
            create_trial(
                value=score,
                params={n: values[n][i] for n in names if values[n][i] is not None},
                distributions={n: spaces[n] for n in names if values[n][i] is not None},
            )
            for i, score in enumerate(scores)
        ]
    )
    top = min(0.5, max(0.1, TOP / len(scores)))  # the best tenth, or TOP trials if more
    found = _ped_anova_evaluator()(target_quantile=top).evaluate(study, params=names)
    return {n: float(found.get(n, 0.0)) for n in names}


def _ped_anova_evaluator() -> Any:
    """Optuna's PED-ANOVA evaluator. Optuna's importance package imports scikit-learn for its
    other evaluators, where it is an optional dependency (they fail when used without it):
    1.7 s of a 2 s budget here, for nothing PED-ANOVA uses. So unless scikit-learn is loaded
    already, the package is imported as Optuna would be without it installed."""
    import sys

    if "optuna.importance" not in sys.modules and "sklearn" not in sys.modules:
        sys.modules["sklearn"] = None  # type: ignore[assignment]  # `import sklearn` fails
        try:
            import optuna.importance  # noqa: F401
        finally:
            del sys.modules["sklearn"]
    from optuna.importance import PedAnovaImportanceEvaluator

    return PedAnovaImportanceEvaluator


def _permutation(
    configs: list[dict[str, Any]],
    scores: list[float],
    names: list[str],
    direction: str,
    ranges: set[str],
) -> dict[str, float]:
    """How much a forest's R² on held-out trials drops when one parameter's columns are
    shuffled together (the mean over a few shuffles)."""
    import numpy as np
    from sklearn.ensemble import RandomForestRegressor

    rng = np.random.default_rng(SEED)
    rows, owners = encode(configs, names)
    x, y = np.asarray(rows, dtype=float), np.asarray(scores, dtype=float)
    order = rng.permutation(len(y))
    cut = max(len(order) * 2 // 3, 1)
    fit, held = order[:cut], order[cut:] if len(order) - cut >= 2 else order[:cut]
    forest = RandomForestRegressor(n_estimators=TREES, random_state=SEED, n_jobs=1)
    forest.fit(x[fit], y[fit])
    base = forest.score(x[held], y[held])
    shares = dict.fromkeys(names, 0.0)
    for name in names:
        columns = [i for i, owner in enumerate(owners) if owner == name]
        drops = []
        for _ in range(3):
            shuffled = x[held].copy()
            shuffled[:, columns] = shuffled[rng.permutation(len(held))][:, columns]
            drops.append(base - forest.score(shuffled, y[held]))
        shares[name] = float(np.mean(drops))
    return shares

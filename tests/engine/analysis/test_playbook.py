"""The tuning playbook's warnings on journals whose answer is known by construction."""

from __future__ import annotations

from engine.analysis.playbook import playbook
from engine.run import events as ev
from engine.run.results import RunResults, replay
from engine.space import Space

SPACE = Space.from_dict(
    {
        "optimizer": {"learning_rate": {"min": 0.0001, "max": 0.1, "sampling": "log"}},
        "regularization": {"dropout": {"min": 0.0, "max": 0.5}},
    }
).to_dict()


def run(trials: list[tuple[float, float, float]], folds: bool = False) -> RunResults:
    """(learning_rate, dropout, score) per trial, accuracy maximised."""
    events: list[ev.Event] = [
        ev.SearchStarted(
            space=SPACE, backend="fake", algorithm="random", planned_trials=len(trials)
        )
    ]
    for i, (lr, dropout, score) in enumerate(trials):
        tid = f"{i:03d}"
        events.append(
            ev.TrialStarted(
                trial_id=tid,
                number=i + 1,
                hyperparameters={"learning_rate": lr, "dropout": dropout},
            )
        )
        spread = [score - 0.05, score + 0.05] if folds else None
        events.append(
            ev.TrialEnded(trial_id=tid, status="completed", score=score, fold_scores=spread)
        )
    return replay(events)


# the best five sit at the top of learning_rate's range and span dropout's whole range
EDGY = [
    (0.1, 0.0, 0.95),
    (0.09, 0.5, 0.94),
    (0.08, 0.25, 0.93),
    (0.095, 0.45, 0.92),
    (0.085, 0.05, 0.91),
] + [(0.001 * (i + 1), 0.2, 0.5 + i / 100) for i in range(15)]


def kinds(results: RunResults) -> dict[tuple[str, str | None], str]:
    return {(c.kind, c.parameter): c.text for c in playbook(results)}


def test_best_trials_at_the_top_edge_ask_to_widen_it() -> None:
    found = kinds(run(EDGY))
    assert "widen it upwards" in found[("edge", "learning_rate")]


def test_best_trials_across_the_whole_range_say_it_hardly_matters() -> None:
    found = kinds(run(EDGY))
    assert "hardly matters" in found[("spread", "dropout")]
    assert ("edge", "dropout") not in found


def test_a_middle_optimum_draws_no_range_warning() -> None:
    middle = [(0.003, 0.2 + i / 100, 0.9 - i / 100) for i in range(5)]
    rest = [(0.0002 * (i + 1), 0.1, 0.5) for i in range(15)]
    found = kinds(run(middle + rest))
    assert not [k for k in found if k[0] in ("edge", "spread")]


def test_too_few_trials_for_the_importance() -> None:
    assert ("few", None) in kinds(run(EDGY[:6]))
    assert ("few", None) not in kinds(run(EDGY))  # 20 trials over 2 parameters


def test_a_lead_within_the_folds_noise_points_to_the_seed_check() -> None:
    close = [(0.01, 0.1, 0.90), (0.02, 0.2, 0.89)] + [(0.001, 0.3, 0.5)] * 18
    found = kinds(run(close, folds=True))
    assert "tunedeck rerun" in found[("noise", None)]
    clear = [(0.01, 0.1, 0.99), (0.02, 0.2, 0.80)] + [(0.001, 0.3, 0.5)] * 18
    assert ("noise", None) not in kinds(run(clear, folds=True))

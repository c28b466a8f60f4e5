"""A finished run with two objectives and a constraint, journaled by hand: six trials whose
front is known (003, 001 and 000 on it; 002 and 005 dominated; 004 infeasible)."""

from __future__ import annotations

from pathlib import Path

from engine.run import events as ev
from engine.run.rundir import JOURNAL, RunDir
from engine.space import Space
from tests.tui.runs import T0, settings

SPACE = {
    "objective": ["val_accuracy", "params:min"],
    "constraints": ["params <= 5000"],
    "architecture": {"nodes": [8, 16, 32, 64, 128]},
}
TRIALS = [
    (8, 0.71, 610),
    (16, 0.80, 1210),
    (32, 0.78, 2410),
    (64, 0.90, 4810),
    (128, 0.93, 9610),
    (16, 0.75, 1210),
]  # (nodes, val_accuracy, params)


def write_multi_run(path: Path) -> Path:
    sp, st = Space.from_dict(SPACE), settings()
    RunDir.create(path, sp, st)
    out: list[ev.Event] = [
        ev.SearchStarted(
            time=T0,
            space=sp.to_dict(),
            backend="fake",
            algorithm="random",
            planned_trials=6,
            settings=st.to_dict(),
            objectives=[
                {"metric": "val_accuracy", "direction": "max"},
                {"metric": "params", "direction": "min"},
            ],
            constraints=["params <= 5000"],
        )
    ]
    for i, (nodes, score, params) in enumerate(TRIALS):
        tid, t = f"{i:03d}", T0 + 10 * (i + 1)
        config = sp.canonical({**sp.defaults(), "nodes": nodes})
        out.append(ev.TrialStarted(time=t, trial_id=tid, number=i + 1, hyperparameters=config))
        out.append(
            ev.TrialEnded(
                time=t + 5,
                trial_id=tid,
                status="completed",
                score=score,
                duration=5.0,
                values={"params": float(params)},
                infeasible="params <= 5,000 (params = 9,610)" if params > 5000 else None,
            )
        )
    out.append(ev.SearchFinished(time=T0 + 100, best_trial_id="003", best_score=0.90))
    (path / JOURNAL).write_text("".join(e.to_json() + "\n" for e in out))
    return path

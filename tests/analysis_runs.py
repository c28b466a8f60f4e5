"""Run directories with hand-written journals whose analysis has known answers.

`optimizer` decides the score (adam 0.9, sgd 0.5), `batch_size` nudges it by a thousandth,
`dropout` is tuned in the space but every trial used 0.0: importance must rank optimizer first
and dropout last. Times are fixed, so screens and reports are deterministic.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from engine.run import events as ev
from engine.run.rundir import JOURNAL, RunDir
from engine.run.settings import RunSettings
from engine.run.tracebacks import traceback_path
from engine.space import Space

T0 = 1_700_000_000.0
SPACE = {
    "training": {"batch_size": [16, 32, 64], "epochs": 3},
    "optimizer": {"name": ["adam", "sgd"], "learning_rate": 0.01},
    "regularization": {"dropout": [0.0, 0.5]},
}
EPOCHS = 3
TRACEBACK = 'Traceback (most recent call last):\n  File "net.py", line 3\nValueError: boom\n'


def score_of(optimizer: str, batch_size: int) -> float:
    return round((0.9 if optimizer == "adam" else 0.5) + batch_size / 64_000, 4)


def plan(count: int) -> list[tuple[str, int]]:
    """(optimizer, batch_size) per trial: sgd and adam alternate, batch sizes cycle."""
    return [("sgd" if i % 2 == 0 else "adam", (16, 32, 64)[i % 3]) for i in range(count)]


def write_analysis_run(
    path: Path,
    *,
    trials: int = 12,
    failed: tuple[int, ...] = (),
    objective: str = "val_accuracy",
    direction: str = "max",
    shift: float = 0.0,
) -> Path:
    """A finished fake search; trial numbers in `failed` fail (with a kept traceback); every
    score is raised by `shift` (a second run to compare with)."""
    sp = Space.from_dict(SPACE)
    st = RunSettings(backend="fake", algorithm="random", max_trials=trials, epochs=EPOCHS)
    RunDir.create(path, sp, st)
    t = T0
    out: list[ev.Event] = [
        ev.SearchStarted(
            time=t,
            space=sp.to_dict(),
            backend="fake",
            algorithm="random",
            planned_trials=trials,
            objective=objective,
            direction=direction,
            settings=st.to_dict(),
        ),
    ]
    best: tuple[float, str] | None = None
    for number, (opt, batch) in enumerate(plan(trials), start=1):
        trial_id = f"{number - 1:03d}"
        config: dict[str, Any] = {
            **sp.defaults(),
            "optimizer": opt,
            "batch_size": batch,
            "dropout": 0.0,
            "epochs": EPOCHS,
        }
        t += 1
        started = t
        out.append(
            ev.TrialStarted(
                time=t,
                trial_id=trial_id,
                number=number,
                hyperparameters=sp.canonical(config),
                epochs=EPOCHS,
            )
        )
        score = round(score_of(opt, batch) + shift, 4)
        for epoch in range(1, (1 if number in failed else EPOCHS) + 1):
            t += 2
            acc = round(score * (1 - 0.5**epoch), 4)
            loss = round(2.0 / (epoch + 1) + (0.5 if opt == "sgd" else 0.0), 4)
            out.append(
                ev.EpochEnded(
                    time=t,
                    trial_id=trial_id,
                    epoch=epoch,
                    epochs=EPOCHS,
                    logs={
                        "loss": loss,
                        "accuracy": acc,
                        "val_loss": loss + 0.1,
                        "val_accuracy": acc,
                    },
                )
            )
        if number in failed:
            out.append(ev.LogMessage(time=t, level="warning", message=f"trial {trial_id} broke"))
            out.append(
                ev.TrialEnded(
                    time=t + 1,
                    trial_id=trial_id,
                    status="failed",
                    duration=t + 1 - started,
                    reason="ValueError: boom",
                )
            )
            tb = traceback_path(path, trial_id)
            tb.parent.mkdir(exist_ok=True)
            tb.write_text(TRACEBACK)
        else:
            out.append(
                ev.TrialEnded(
                    time=t + 1,
                    trial_id=trial_id,
                    status="completed",
                    score=score,
                    duration=t + 1 - started,
                )
            )
            if best is None or score > best[0]:
                best = (score, trial_id)
        t += 1
    out.append(
        ev.SearchFinished(
            time=t + 1,
            best_trial_id=best[1] if best else None,
            best_score=best[0] if best else None,
        )
    )
    (path / JOURNAL).write_text("".join(e.to_json() + "\n" for e in out))
    return path

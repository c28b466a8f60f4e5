"""Run directories with hand-written journals at fixed times, for deterministic screens."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from engine.run import events as ev
from engine.run.rundir import JOURNAL, RunDir
from engine.run.settings import RunSettings
from engine.space import Space

T0 = 1_700_000_000.0
SPACE = {
    "training": {"batch_size": [16, 32], "epochs": 3},
    "optimizer": {"name": ["adam", "sgd"], "learning_rate": [0.01, 0.1]},
}
TRIALS = [  # (batch_size, optimizer, learning_rate, outcome, score)
    (16, "adam", 0.01, "completed", 0.9125),
    (32, "sgd", 0.1, "failed", None),
    (32, "adam", 0.1, "completed", 0.9531),
    (16, "sgd", 0.01, "running", None),
]
EPOCHS = 3


def space() -> Space:
    return Space.from_dict(SPACE)


def settings() -> RunSettings:
    return RunSettings(backend="fake", algorithm="random", max_trials=4, epochs=EPOCHS)


def _config(sp: Space, batch: int, opt: str, lr: float) -> dict[str, Any]:
    config = {**sp.defaults(), "batch_size": batch, "optimizer": opt, "learning_rate": lr}
    config["epochs"] = EPOCHS
    return sp.canonical(config)


def write_run(path: Path, *, finished: bool) -> Path:
    """A fake search of four trials: two completed, one failed, the last running or done."""
    sp, st = space(), settings()
    RunDir.create(path, sp, st)
    t = T0
    out: list[ev.Event] = [
        ev.SearchStarted(
            time=t,
            space=sp.to_dict(),
            backend="fake",
            algorithm="random",
            planned_trials=4,
            reason="random search on fake, as requested",
            settings=st.to_dict(),
        ),
    ]
    for number, (batch, opt, lr, outcome, score) in enumerate(TRIALS, start=1):
        trial_id = f"{number - 1:03d}"
        if outcome == "running" and finished:
            outcome, score = "completed", 0.8812
        t += 1
        out.append(
            ev.TrialStarted(
                time=t,
                trial_id=trial_id,
                number=number,
                hyperparameters=_config(sp, batch, opt, lr),
                epochs=EPOCHS,
            )
        )
        epochs = 2 if outcome == "running" else 1 if outcome == "failed" else EPOCHS
        for epoch in range(1, epochs + 1):
            t += 2
            acc = round((score or 0.5) * (1 - 0.5**epoch), 4)
            loss = round(2.0 / (epoch + 1), 4)
            logs = {"loss": loss, "accuracy": acc, "val_loss": loss + 0.1, "val_accuracy": acc}
            out.append(
                ev.EpochEnded(time=t, trial_id=trial_id, epoch=epoch, logs=logs, epochs=EPOCHS)
            )
        if outcome == "failed":
            out.append(ev.LogMessage(time=t, level="warning", message="loss is NaN at epoch 1"))
            out.append(
                ev.TrialEnded(
                    time=t + 1,
                    trial_id=trial_id,
                    status="failed",
                    duration=3.0,
                    reason="ValueError: simulated failure",
                )
            )
        elif outcome == "completed":
            out.append(
                ev.TrialEnded(
                    time=t + 1, trial_id=trial_id, status="completed", score=score, duration=7.0
                )
            )
        t += 1
    if finished:
        out.append(ev.SearchFinished(time=t + 1, best_trial_id="002", best_score=0.9531))
    else:  # the running trial's process, as the search last sampled it
        out.append(
            ev.ResourcesSampled(
                time=t,
                cpu=187.4,
                rss=1_288_490_189,
                gpu_util=87.0,
                gpu_memory=10 * 2**30,
                gpu_memory_total=80 * 2**30,
            )
        )
    (path / JOURNAL).write_text("".join(e.to_json() + "\n" for e in out))
    return path

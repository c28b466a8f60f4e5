"""A large finished fake run, journaled in one go: what the fake backend would journal for N
trials × 20 epochs (seeded configurations of a space with a continuous learning rate and
parameters conditional on the optimizer and the model family; a trial in fifty fails), in
seconds instead of minutes. `multi`: the trials are ranked by accuracy against a parameter
count drawn from their configuration."""

from __future__ import annotations

import hashlib
import json
import math
import random
import sys
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine.run.rundir import JOURNAL, RunDir  # noqa: E402
from engine.run.settings import RunSettings  # noqa: E402
from engine.run.tracebacks import traceback_path  # noqa: E402
from engine.space import Space, default_space  # noqa: E402

EPOCHS = 20
FAIL_EVERY = 50
T0 = 1_700_000_000.0


MULTI = [{"metric": "val_accuracy", "direction": "max"}, {"metric": "params", "direction": "min"}]


def bench_space(multi: bool = False) -> Space:
    """The default space with a continuous learning rate and two model families (the CNN's
    filters are conditional on it, beta_1 on adam); `multi`: accuracy against size."""
    spec = default_space().to_dict()
    if multi:
        spec["objective"] = ["val_accuracy", "params:min"]
    spec["optimizer"]["learning_rate"] = {"min": 1e-4, "max": 0.3, "sampling": "log"}
    spec["architecture"]["family"] = ["mlp", "cnn"]
    spec["architecture"]["filters"] = [16, 32]
    return Space.from_dict(spec)


def _plain_settings(settings: RunSettings) -> dict:
    """The settings that differ from the defaults (what every version reads)."""
    default = RunSettings().to_dict()
    return {k: v for k, v in settings.to_dict().items() if default.get(k) != v}


def _line(record: dict) -> str:
    return json.dumps(record, separators=(",", ":"))


def params_of(config: dict) -> float:
    """An MLP's parameter count on 64 inputs and 10 classes: the second objective of `multi`."""
    nodes, layers = int(config.get("nodes", 32)), int(config.get("layers", 1))
    return float(65 * nodes + (layers - 1) * (nodes + 1) * nodes + 10 * nodes + 10)


def make_run(
    path: Path, trials: int, epochs: int = EPOCHS, seed: int = 0, multi: bool = False
) -> Path:
    """A finished fake search of `trials` trials × `epochs` epochs, journaled as the fake
    backend journals it (same event types and fields), written in one go; `multi`: with a
    second objective, the parameter count."""
    space = bench_space(multi)
    settings = RunSettings(
        backend="fake", algorithm="random", max_trials=trials, epochs=epochs, seed=seed
    )
    RunDir.create(path, space, settings)
    plain = _plain_settings(settings)  # readable by an older checkout too (`--against`)
    (path / "settings.yaml").write_text(yaml.safe_dump(plain, sort_keys=False))
    rng = random.Random(seed)
    t = T0
    lines = [
        _line(
            {
                "type": "search_started",
                "v": 1,
                "time": t,
                "worker": "main",
                "space": space.to_dict(),
                "backend": "fake",
                "algorithm": "random",
                "planned_trials": trials,
                "reason": "",
                "objective": "val_accuracy",
                "direction": "max",
                "settings": plain,
                "resumed": False,
                "planned_epochs": trials * epochs,
                "folds": 1,
                "estimated_seconds": None,
                "params": 0,
                **({"objectives": MULTI} if multi else {}),
            }
        )
    ]
    best: tuple[float, str] | None = None
    for number in range(1, trials + 1):
        trial_id = f"{number - 1:05d}"
        config = space.canonical(space.sample(rng))
        t += 0.5
        started = t
        lines.append(
            _line(
                {
                    "type": "trial_started",
                    "v": 1,
                    "time": t,
                    "worker": "main",
                    "trial_id": trial_id,
                    "number": number,
                    "hyperparameters": config,
                    "epochs": epochs,
                    "continues": None,
                    "initial_epoch": 0,
                    "gpu": None,
                }
            )
        )
        digest = hashlib.sha256(repr(sorted(config.items())).encode()).digest()
        ceiling = 0.6 + 0.3 * digest[0] / 255 + 0.05 * (config["optimizer"] == "adam")
        failed = number % FAIL_EVERY == 0
        score = 0.0
        for epoch in range(1, (3 if failed else epochs) + 1):
            t += 0.25
            progress = 1 - math.exp(-epoch / 3)
            score = round(ceiling * progress, 4)
            loss = round(2.3 * (1 - progress) + 0.05, 4)
            lines.append(
                _line(
                    {
                        "type": "epoch_ended",
                        "v": 1,
                        "time": t,
                        "worker": "main",
                        "trial_id": trial_id,
                        "epoch": epoch,
                        "logs": {
                            "loss": loss,
                            "accuracy": score,
                            "val_loss": round(loss + 0.05, 4),
                            "val_accuracy": score,
                        },
                        "fold": None,
                        "epochs": epochs,
                    }
                )
            )
        t += 0.1
        if failed:
            reason = "TrialFailed: loss became nan at epoch 3"
            lines.append(
                _line(
                    {
                        "type": "log",
                        "v": 1,
                        "time": t,
                        "worker": "main",
                        "level": "warning",
                        "message": f"trial {trial_id}: {reason}",
                    }
                )
            )
            tb = traceback_path(path, trial_id)
            tb.parent.mkdir(exist_ok=True)
            tb.write_text(f"Traceback (most recent call last):\n  ...\n{reason}\n")
        lines.append(
            _line(
                {
                    "type": "trial_ended",
                    "v": 1,
                    "time": t,
                    "worker": "main",
                    "trial_id": trial_id,
                    "status": "failed" if failed else "completed",
                    "score": None if failed else score,
                    "duration": t - started,
                    "reason": reason if failed else None,
                    "fold_scores": None,
                    "epoch_score": None,
                    **({"values": {"params": params_of(config)}} if multi and not failed else {}),
                }
            )
        )
        if not failed and (best is None or score > best[0]):
            best = (score, trial_id)
    lines.append(
        _line(
            {
                "type": "search_finished",
                "v": 1,
                "time": t + 1,
                "worker": "main",
                "best_trial_id": best[1] if best else None,
                "best_score": best[0] if best else None,
                "test_score": None,
                "test_metrics": {},
            }
        )
    )
    (path / JOURNAL).write_text("\n".join(lines) + "\n")
    return path

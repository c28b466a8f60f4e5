"""After the search: retrain the winner on train+validation and score it once on the test part."""

from __future__ import annotations

import statistics
from typing import Any

from engine.atomic import replacing
from engine.run.results import TrialRecord
from engine.run.rundir import MODEL, RunDir
from engine.run.settings import RunSettings


def retrain_epochs(best: TrialRecord) -> int:
    """Epochs the winner actually needed: its best epoch when early stopping restored weights."""
    config = best.hyperparameters
    by_fold: dict[Any, list[dict[str, Any]]] = {}
    for row in best.curve:
        by_fold.setdefault(row.get("fold"), []).append(row)
    if not by_fold:
        return int(config["epochs"])
    counts = []
    for rows in by_fold.values():
        monitor = config.get("monitor", "val_loss")
        scored = [r for r in rows if r.get(monitor) is not None]
        if config.get("early_stopping") and config.get("restore_best_weights") and scored:
            pick = min if "loss" in monitor else max
            counts.append(int(pick(scored, key=lambda r: r[monitor])["epoch"]))
        else:
            counts.append(int(max(r["epoch"] for r in rows)))
    return max(1, int(statistics.median(counts)))


def retrain_and_test(
    run: RunDir, best: TrialRecord, dataset: Any, settings: RunSettings
) -> tuple[float, dict[str, float]]:
    """Fit the best configuration on train+val, save it as best_model.keras, return test accuracy."""
    import keras
    import numpy as np

    from engine.model.builder import build

    keras.utils.set_random_seed(settings.seed)
    config = best.hyperparameters
    model = build(config, dataset.input_shape, dataset.n_classes)
    x = np.concatenate([dataset.x_train, dataset.x_val])
    y = np.concatenate([dataset.y_train, dataset.y_val])
    model.fit(x, y, batch_size=int(config["batch_size"]), epochs=retrain_epochs(best), verbose=0)
    values = model.evaluate(dataset.x_test, dataset.y_test, verbose=0, return_dict=True)
    metrics = {k: float(v) for k, v in values.items()}
    with replacing(run / MODEL) as tmp:
        model.save(tmp)
    keras.backend.clear_session()
    return metrics.get("accuracy", float("nan")), metrics

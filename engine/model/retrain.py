"""After the search: retrain the winner on train+validation and score it once on the test part."""

from __future__ import annotations

import statistics
from typing import Any

from engine.errors import InputError
from engine.run.results import TrialRecord
from engine.run.rundir import MODEL, RunDir
from engine.system.atomic import replacing, write_text
from engine.user.code import one_line

MODEL_PROBLEM = "best_model.error"  # why best_model.keras could not be written


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


def retrain_and_test(run: RunDir, best: TrialRecord, ctx: Any) -> tuple[float, dict[str, float]]:
    """Fit the best configuration on train+val, save it as best_model.keras, and return the
    objective's metric on the test part (e.g. `accuracy` for `val_accuracy`) with all metrics.
    `ctx` is the search's `SearchContext` (its dataset and model factory)."""
    import keras
    import numpy as np

    from engine.model.user_fit import train

    dataset = ctx.dataset
    keras.utils.set_random_seed(ctx.settings.seed)
    config = best.hyperparameters
    model = ctx.models().build(config)
    x = np.concatenate([dataset.x_train, dataset.x_val])
    y = np.concatenate([dataset.y_train, dataset.y_val])
    own = ctx.callbacks().for_trial(config, "retrain")  # the space's callbacks, as the script's
    by_fit = ctx.models().scores_itself  # its fit returns the objective: given the test part
    fitted = train(
        ctx.models(),
        config,
        model,
        x,
        y,
        epochs=retrain_epochs(best),
        callbacks=own,
        validation_data=(dataset.x_test, dataset.y_test)
        if by_fit
        else (dataset.x_val, dataset.y_val),
    )  # a HyperModel's fit may require it
    metric = ctx.objective.metric
    if by_fit and fitted.score is not None:  # what the fit measured on the test part
        metrics = {metric: float(fitted.score)}
    else:
        values = model.evaluate(dataset.x_test, dataset.y_test, verbose=0, return_dict=True)
        metrics = {k: float(v) for k, v in values.items()}
    try:
        save_model(model, run)
    except InputError as exc:  # the search still finished: say why there is no .keras file
        from engine.run import events as ev

        ctx.emit(ev.LogMessage(level="warning", message=str(exc)))
        write_text(run / MODEL_PROBLEM, str(exc) + "\n")
    keras.backend.clear_session()
    if by_fit:
        return metrics.get(metric, float("nan")), metrics
    return metrics.get(metric.removeprefix("val_"), float("nan")), metrics


def save_model(model: Any, run: RunDir) -> None:
    """best_model.keras, replaced atomically; a model Keras cannot serialise (a custom layer
    without `get_config`) is an InputError naming the layer."""
    try:
        with replacing(run / MODEL) as tmp:
            model.save(tmp)
    except (TypeError, NotImplementedError, ValueError) as exc:
        layer = _unserialisable_layer(model)
        what = f"layer {layer}" if layer else f"the model ({one_line(exc)})"
        raise InputError(
            f"model: Keras cannot save {what} as .keras: give custom layers get_config() and "
            "register them with keras.saving.register_keras_serializable"
        ) from None


def _unserialisable_layer(model: Any) -> str | None:
    for layer in getattr(model, "layers", []):
        try:
            layer.get_config()
        except Exception:
            return f"{layer.name!r} ({type(layer).__name__})"
    return None

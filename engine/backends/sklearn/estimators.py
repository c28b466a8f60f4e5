"""scikeras' wrappers whose X is row numbers: the search's tracker trains, scores and reports
each fit, and the model is built by the search's model factory (the built-in model or the
user's own function) from the routed `model__*` parameters.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from typing import Any

import numpy as np
from scikeras.utils.transformers import ClassifierLabelEncoder
from scikeras.wrappers import KerasClassifier, KerasRegressor
from sklearn.utils import ClassifierTags, RegressorTags

from engine.backends.reporter import journal_restored
from engine.model.reuse import one_batch_per_call


def model_function(factory: Any) -> functools.partial:
    """scikeras' `model` (it accepts only a function or a partial): clones deep-copy it, and
    joblib workers receive the factory as its reference and import the user's code themselves."""
    return functools.partial(_build, factory)


def _build(factory: Any, meta: dict[str, Any] | None = None, **params: Any) -> Any:
    config = {k: v for k, v in params.items() if k not in ("compile_kwargs", "params")}
    rows = int((meta or {}).get("X_shape_", (0,))[0])  # the fit's samples
    batch = (params.get("params") or {}).get("batch_size") or 32  # the wrapper's own
    return factory.trial_model(config, rows, int(batch))


class _Tracked:
    """The shared part of both wrappers: fit and score go through the tracker."""

    tracker: Any
    model: Any  # scikeras' own attributes, set by the wrapper
    model_: Any
    batch_size: Any
    validation_split: float
    callbacks: Any
    _trial: Any  # the tracker's, for the fit under way
    _fold: int

    def __init__(self, model: Any = None, *, tracker: Any = None, **kwargs: Any):
        super().__init__(model=model, **kwargs)  # type: ignore[call-arg]
        self.tracker = tracker

    def fit(self, X: Any, y: Any, sample_weight: Any = None, **kwargs: Any) -> Any:
        self.tracker.fit(self, np.asarray(X)[:, 0])
        return self

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        return float(self.tracker.score(self, np.asarray(X)[:, 0]))

    def train(self, x: np.ndarray, y: np.ndarray, epochs: int) -> None:
        """The wrapper's own fit on real arrays."""
        super().fit(x, y, epochs=epochs)  # type: ignore[misc]

    def _fit_keras_model(
        self,
        X: Any,
        y: Any,
        sample_weight: Any,
        warm_start: bool,
        epochs: int,
        initial_epoch: int,
        **kwargs: Any,
    ) -> None:
        """scikeras' last step, the Keras fit, on the search's kept pipelines (the folds recur
        for every candidate) instead of a pipeline built anew for each fit; or through the
        user's HyperModel's own `fit`."""
        factory = self.model.args[0]  # `model_function`'s partial
        if factory.user_fit is not None:
            fitted = _user_fit(self, factory, X, y, epochs)
            self.history_ = defaultdict(list, fitted.history)
            self._fitted_score = fitted.score  # the fold's score, when fit returns it
            return
        callbacks, start = list(self.callbacks or ()), 0
        resume = getattr(self, "_resume", None)  # the fold's checkpoint (`_Tracker.fit`)
        if resume is not None:
            if resume.restore_model(self.model_):  # its restored epochs journaled again
                start, trial = resume.start, self._trial
                journal_restored(
                    self.tracker.ctx,
                    trial.trial_id,
                    resume,
                    int(trial.config["epochs"]),
                    fold=self._fold + 1,
                )
            callbacks = resume.watch(callbacks)
        history = self.tracker.feed.fit(
            self.model_,
            X,
            y,
            batch_size=int(self.batch_size),
            epochs=initial_epoch + epochs,
            initial_epoch=initial_epoch + start,
            first_pass=start,
            callbacks=callbacks,
            validation_split=float(self.validation_split or 0.0),
        )
        logs = resume.history(history.history) if resume is not None else history.history
        self.history_ = defaultdict(list, {k: list(v) for k, v in logs.items()})


def _user_fit(est: Any, factory: Any, x: Any, y: Any, epochs: int) -> Any:
    """A HyperModel's `fit` on one fold, its last `validation_split` held out for validation
    as Keras's own split does; a `fit` that returns its score trains on the whole fold and is
    given the fold's held-out rows as `validation_data`, so what it returns is the fold's
    score, as cross-validation measures it."""
    from engine.model.user_fit import fit_user

    held_out = getattr(est, "_held_out", None)
    if factory.scores_itself and held_out is not None:
        cut, validation = len(x), held_out
    else:
        held = int(len(x) * float(est.validation_split or 0.0))
        cut = len(x) - held
        validation = (x[cut:], y[cut:]) if held else (x, y)
    return fit_user(
        factory.user_fit,
        est._trial.config,
        est.model_,
        x[:cut],
        y[:cut],
        label=factory.label,
        metric=factory.objective.metric,
        validation_data=validation,
        epochs=epochs,
        batch_size=int(est.batch_size),
        callbacks=list(est.callbacks or ()),
    )


class TrackedClassifier(_Tracked, KerasClassifier):
    def __sklearn_tags__(self) -> Any:
        """scikeras' tags carry no estimator type on scikit-learn >= 1.7: no stratified CV."""
        tags = super().__sklearn_tags__()
        tags.estimator_type = "classifier"
        tags.classifier_tags = tags.classifier_tags or ClassifierTags()
        return tags

    def score_rows(self, x: np.ndarray, y: np.ndarray) -> float:
        """scikeras' accuracy on real arrays (predict and compare)."""
        with one_batch_per_call(self.model_):
            return float(KerasClassifier.score(self, x, y))

    @property
    def target_encoder(self) -> ClassifierLabelEncoder:
        """Every class keeps its output unit, even one that a halving subsample lacks."""
        categories = [np.arange(self.tracker.n_classes)]
        return ClassifierLabelEncoder(loss=self.loss, categories=categories)


class TrackedRegressor(_Tracked, KerasRegressor):
    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.estimator_type = "regressor"
        tags.regressor_tags = tags.regressor_tags or RegressorTags()
        return tags

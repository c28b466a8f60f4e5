"""README: "the weights early stopping restored, or the last epoch's" are what a Keras Tuner
trial's score measures. A trial whose weights no callback restored is scored from its last
epoch's validation row instead of a second pass over the validation part
(`engine.backends.keras_tuner.tuner.handed_over_score` with the fit's history): that row must
be the handed-over model's own score. Checked against Keras's `evaluate()` of the weights the
fit ended with, saved by a callback of the space's and loaded into a model built apart."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.commands.runner import run_search
from engine.data.datasets import dataset_for
from engine.model.factory import make_factory
from engine.prepare import prepare
from engine.run.results import RunResults
from engine.run.settings import RunSettings
from engine.space import Space

pytestmark = pytest.mark.slow

HOOKS = '''
import os

import keras


class SaveAtEnd(keras.callbacks.Callback):
    """The weights the fit hands over: those it ended with (nothing restores others)."""

    def __init__(self, folder):
        super().__init__()
        self.folder = folder

    def on_train_end(self, logs=None):
        self.model.save_weights(os.path.join(self.folder, "end.weights.h5"))


def make(trial_dir):
    return [SaveAtEnd(trial_dir)]
'''
SPACE = """callbacks: hooks.py:make
training: {batch_size: 16, epochs: 5}
optimizer: {name: adam, learning_rate: [0.1, 0.03]}
early_stopping: {enabled: false}
"""


@pytest.fixture(scope="module")
def searched(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, Space, RunSettings, RunResults]:
    folder = tmp_path_factory.mktemp("last_epoch")
    (folder / "hooks.py").write_text(HOOKS)
    (folder / "space.yaml").write_text(SPACE)
    space = Space.load(folder / "space.yaml")
    settings = RunSettings(
        dataset="digits",
        subsample=300,
        backend="keras-tuner",
        algorithm="grid",
        max_trials=2,
        seed=5,
    )
    run = prepare(folder / "run", space, settings)
    return run.path, space, settings, run_search(run)


def test_a_trial_without_restored_weights_is_scored_as_its_handed_over_model(searched) -> None:
    """Guards the last-epoch scoring path: the score is the last validation row, which equals
    an independent evaluate() of the model the fit ended with; a rate too high for the
    data makes a trial's last epoch trail its best, so scoring the best epoch fails."""
    path, space, settings, results = searched
    trials = [t for t in results.trials.values() if t.status == "completed"]
    assert len(trials) == 2, [(t.status, t.reason) for t in results.trials.values()]
    dataset = dataset_for(space, settings)
    factory = make_factory(space, dataset)
    differs = 0
    for trial in trials:
        model = factory.build(trial.hyperparameters)
        model.load_weights(path / "trials" / trial.trial_id / "end.weights.h5")
        values = model.evaluate(
            dataset.x_val, dataset.y_val, batch_size=16, verbose=0, return_dict=True
        )
        assert trial.score == pytest.approx(values["accuracy"], abs=1e-6), trial.trial_id
        curve = [row["val_accuracy"] for row in trial.curve]
        assert trial.score == pytest.approx(curve[-1], abs=1e-6)
        differs += curve[-1] < max(curve)
    assert differs, "no trial's last epoch trails its best: the test would prove nothing"

"""A space's own callbacks (`callbacks: FILE.py:FUNCTION`) and `checkpoint: true`: made afresh
for every trial and fit on both backends, run by the exported script, and a broken factory
refused in one line before a run directory exists."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from engine.model import keras_build
from engine.model.callbacks import BEST_WEIGHTS, TRIALS
from engine.run.kept import load_results
from engine.run.results import RunResults
from engine.space import Space
from engine.user.code import CodeRef
from tests.engine.cli_helpers import isolated_cli, python, tunedeck  # noqa: F401 - fixture

pytestmark = pytest.mark.usefixtures("isolated_cli")
HOOKS = '''
import os

import keras


class Epochs(keras.callbacks.Callback):
    """Appends `<nodes> <epoch>` to a file at the end of every epoch."""

    def __init__(self, path, nodes):
        super().__init__()
        self.path, self.nodes = path, nodes

    def on_epoch_end(self, epoch, logs=None):
        with open(self.path, "a") as out:
            out.write(f"{self.nodes} {epoch}\\n")


def make(config, trial_dir):
    return [Epochs(os.path.join(trial_dir, "epochs.txt"), config["nodes"])]


def broken(config):
    raise ValueError("no callbacks today")


def single():
    return keras.callbacks.History()


def words(trial_dir):
    return ["checkpoint"]


def picky(config):
    if config["nodes"] == 6:
        raise ValueError("not for six")
    return []
'''


def write_space(folder: Path, **top: object) -> Path:
    (folder / "hooks.py").write_text(textwrap.dedent(HOOKS))
    space = {
        "architecture": {"nodes": [4, 6]},
        "training": {"batch_size": 64, "epochs": 2},
        "early_stopping": {"enabled": False},
        **top,
    }
    path = folder / "space.yaml"
    path.write_text(yaml.safe_dump(space))
    return path


def epochs_written(path: Path) -> list[tuple[int, int]]:
    return [(int(a), int(b)) for a, b in (line.split() for line in path.read_text().splitlines())]


def assert_loads(weights: Path, config: dict) -> None:
    model = keras_build.build_model(config, (8, 8), 10)
    model.load_weights(weights)  # raises if the file is not this model's weights
    assert model.get_layer("hidden_1").units == config["nodes"]


def search(capsys: pytest.CaptureFixture[str], folder: Path, *flags: str) -> RunResults:
    """A grid over two widths with the callbacks factory and the checkpoint, in `folder`/r."""
    space = write_space(folder, callbacks="hooks.py:make", checkpoint=True)
    argv = ["run", str(space), "--algorithm", "grid", "--subsample", "200", "--run-dir", "r"]
    code, _, err = tunedeck(capsys, *argv, *flags)
    assert code == 0, err
    results = load_results(folder / "r")
    assert len(results.trials) == 2
    return results


@pytest.mark.slow
def test_keras_tuner_trials_run_the_callbacks_keep_best_weights_and_the_script_too(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    results = search(capsys, tmp_path, "--backend", "keras-tuner")
    for trial in results.trials.values():
        folder = tmp_path / "r" / TRIALS / trial.trial_id
        nodes = trial.hyperparameters["nodes"]
        assert epochs_written(folder / "epochs.txt") == [(nodes, 0), (nodes, 1)]
        assert_loads(folder / BEST_WEIGHTS, {**Space().defaults(), **trial.hyperparameters})
    best = results.best.hyperparameters["nodes"]  # the retraining of the winner runs them too
    assert {n for n, _ in epochs_written(tmp_path / "r" / TRIALS / "retrain" / "epochs.txt")} == {
        best
    }
    assert Space.load(tmp_path / "r" / "space.yaml").source.checkpoint
    again = Space.load(tmp_path / "r" / "best.yaml").source  # `tunedeck run best.yaml`: the same
    assert again.checkpoint and again.callbacks == CodeRef(str(tmp_path / "hooks.py"), "make")

    code, _, err = tunedeck(capsys, "export", "r", "--format", "python", "-o", "train.py")
    assert code == 0, err
    run = python(tmp_path, "train.py")
    assert run.returncode == 0, run.stderr
    written = epochs_written(tmp_path / "train_trial" / "epochs.txt")
    assert written and {n for n, _ in written} == {best}

    code, _, err = tunedeck(capsys, "rerun", "r", "--top", "1", "--seeds", "2")
    assert code == 0, err
    seeds = sorted((tmp_path / "r" / TRIALS / results.best.trial_id).glob("seed_*/epochs.txt"))
    assert len(seeds) == 2
    assert all(epochs_written(path) == [(best, 0), (best, 1)] for path in seeds)


@pytest.mark.slow
def test_every_scikit_learn_fit_runs_fresh_callbacks_and_keeps_best_weights(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    results = search(capsys, tmp_path, "--backend", "sklearn", "--cv", "2")
    for trial in results.trials.values():
        nodes = trial.hyperparameters["nodes"]
        for fold in ("fold_1", "fold_2"):
            folder = tmp_path / "r" / TRIALS / trial.trial_id / fold
            assert epochs_written(folder / "epochs.txt") == [(nodes, 0), (nodes, 1)]
            assert_loads(folder / BEST_WEIGHTS, {**Space().defaults(), **trial.hyperparameters})


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["keras-tuner", "sklearn"])
def test_a_factory_that_fails_on_one_configuration_fails_that_trial_alone(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, backend: str
) -> None:
    space = write_space(tmp_path, callbacks="hooks.py:picky")
    argv = ["run", str(space), "--backend", backend, "--algorithm", "grid", "--cv", "2"]
    code, _, err = tunedeck(capsys, *argv, "--epochs", "1", "--subsample", "150", "--run-dir", "r")
    assert code == 0, err
    trials = {t.hyperparameters["nodes"]: t for t in load_results(tmp_path / "r").trials.values()}
    assert trials[4].status == "completed" and trials[6].status == "failed"
    reason = trials[6].reason or ""
    assert "callbacks: " in reason and "picky raised ValueError: not for six" in reason


@pytest.mark.parametrize(
    ("top", "words"),
    [
        ({"callbacks": "hooks.py:broken"}, "hooks.py:broken raised ValueError: no callbacks today"),
        (
            {"callbacks": "hooks.py:single"},
            "hooks.py:single returned History, not a list of Keras callbacks",
        ),
        (
            {"callbacks": "hooks.py:words"},
            "hooks.py:words returned a list holding str, not a Keras callback",
        ),
        ({"callbacks": "hooks.py:absent"}, "hooks.py has no function 'absent'"),
        ({"callbacks": "gone.py:make"}, "callbacks: no such file"),
        ({"checkpoint": "yes"}, "checkpoint: expected true or false, got 'yes'"),
    ],
)
def test_a_bad_callbacks_factory_is_one_line_and_no_run_directory(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, top: dict, words: str
) -> None:
    space = write_space(tmp_path, **top)
    code, _, err = tunedeck(capsys, "run", str(space), "--backend", "keras-tuner", "--run-dir", "r")
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and words in lines[0] and f"{next(iter(top))}: " in lines[0], err
    assert "Traceback" not in err and not (tmp_path / "r").exists()
    if "raised" in words:  # the factory's traceback, kept for its author
        log = Path(lines[0].rsplit("(traceback in ", 1)[1].rstrip(")"))
        assert 'raise ValueError("no callbacks today")' in log.read_text()
        log.unlink()


def test_the_references_round_trip_and_stay_text(tmp_path: Path) -> None:
    imported = {name for name in sys.modules if "hooks" in name}
    space = Space.load(write_space(tmp_path, callbacks="hooks.py:make", checkpoint=True))
    assert space.to_dict()["callbacks"] == "hooks.py:make" and space.to_dict()["checkpoint"]
    assert Space.from_dict(space.to_dict()) == space
    resolved = space.resolved().source.callbacks
    assert resolved is not None and resolved.target == str(tmp_path / "hooks.py")
    assert {name for name in sys.modules if "hooks" in name} == imported

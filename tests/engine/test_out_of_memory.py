"""Out of memory on both backends, with real Keras models: a layer too large for any machine
(TensorFlow's allocator refuses it) and a fit refused above a batch size (the user's code
raising TensorFlow's ResourceExhaustedError, as a GPU without room does). Such a trial ends
`oom` with its batch size and parameter count, the search goes on, a resume does not train it
again, and `--oom-retry` trains it once more at half the batch size."""

from __future__ import annotations

import shutil
import signal
import textwrap
from pathlib import Path

import pytest
import yaml

from engine.run import events as ev
from engine.run.journal import read_journal
from engine.run.kept import load_results
from engine.run.results import RunResults
from engine.run.rundir import JOURNAL
from tui.cli import main

NET = """
import keras
import keras_tuner
import tensorflow as tf


class Net(keras_tuner.HyperModel):
    def build(self, hp):
        width = hp["width"]  # 10**10 (the space's second value): no machine holds it
        model = keras.Sequential([keras.Input((8, 8)), keras.layers.Flatten(),
                                  keras.layers.Dense(width, activation="relu"),
                                  keras.layers.Dense(10, activation="softmax")])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                      metrics=["accuracy"])
        return model

    def fit(self, hp, model, x, y, **kwargs):
        if hp["batch_size"] > 16:  # what a GPU without room says
            raise tf.errors.ResourceExhaustedError(
                None, None, f"OOM when allocating tensor with shape[{hp['batch_size']},8,8]")
        return model.fit(x, y, **kwargs)
"""
HUGE = 10_000_000_000
PARAMS = 64 * 8 + 8 + 8 * 10 + 10  # 8×8 digits, both Dense layers' weights and biases
PARAMS_HUGE = 64 * HUGE + HUGE + HUGE * 10 + 10
# Keras Tuner: the absurd layer once (TensorFlow's CPU allocator takes 10 s to refuse it)
WIDTHS = {"keras-tuner": [8, HUGE], "sklearn": [8]}


def search(folder: Path, backend: str, *extra: str, widths: tuple = (8,)) -> RunResults:
    """A grid over width × batch size (16, 32), 1 epoch on 60 samples, the first 3 trials,
    through the command line."""
    (folder / "net.py").write_text(textwrap.dedent(NET))
    space = {
        "model": "net.py:Net",
        "training": {"batch_size": [16, 32], "epochs": 1},
        "params": {"width": list(widths)},
    }
    (folder / "space.yaml").write_text(yaml.safe_dump(space))
    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TUNEDECK_ESTIMATE", "0")
        code = main(
            [
                "run",
                str(folder / "space.yaml"),
                "--run-dir",
                str(folder / "r"),
                "--backend",
                backend,
                "--algorithm",
                "grid",
                "--subsample",
                "60",
                "--cv",
                "2",
                "--max-trials",
                "3",
                "--quiet",
                *extra,
            ]
        )
        for sig, handler in saved.items():
            signal.signal(sig, handler)
    assert code == 0
    return load_results(folder / "r")


def by_values(results: RunResults) -> dict[tuple[int, int], object]:
    return {
        (t.hyperparameters["width"], t.hyperparameters["batch_size"]): t
        for t in results.trials.values()
    }


BACKENDS = ["keras-tuner", "sklearn"]


@pytest.fixture(scope="module", params=BACKENDS)
def plain(request, tmp_path_factory) -> tuple[str, Path, RunResults]:
    folder = tmp_path_factory.mktemp(f"oom-{request.param}")
    return request.param, folder, search(folder, request.param, widths=WIDTHS[request.param])


def test_an_oom_trial_is_its_own_status_with_batch_size_and_parameters(plain) -> None:
    backend, folder, results = plain
    trials = by_values(results)
    assert results.state == "finished"  # the search went on past them
    assert trials[(8, 16)].status == "completed" and results.best is trials[(8, 16)]
    fit = trials[(8, 32)]  # built, then refused in its fit
    assert fit.status == "oom", fit.reason
    assert fit.reason.startswith(f"out of memory at batch size 32 with {PARAMS} parameters")
    assert "ResourceExhaustedError" in fit.reason
    if backend == "keras-tuner":
        built = trials[(HUGE, 16)]  # refused while building its layer
        assert built.status == "oom", built.reason
        assert built.reason.startswith(f"out of memory at batch size 16 with {PARAMS_HUGE:,} ")
    assert all(t.peak_memory and t.peak_memory > 50 * 2**20 for t in results.trials.values())


def test_a_resumed_search_does_not_train_an_oom_trial_again(plain, tmp_path) -> None:
    """The journal cut after the first oom trial ended (the search killed there): resume
    keeps it oom and trains none of its epochs."""
    backend, folder, results = plain
    copy = tmp_path / "r"
    shutil.copytree(folder / "r", copy)
    events = read_journal(copy / JOURNAL)
    first_oom = next(
        i for i, e in enumerate(events) if isinstance(e, ev.TrialEnded) and e.status == "oom"
    )
    oom_id = events[first_oom].trial_id
    (copy / JOURNAL).write_text("".join(e.to_json() + "\n" for e in events[: first_oom + 1]))
    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TUNEDECK_ESTIMATE", "0")
        assert main(["resume", str(copy), "--quiet"]) == 0
    for sig, handler in saved.items():
        signal.signal(sig, handler)
    resumed = read_journal(copy / JOURNAL)[first_oom + 1 :]
    assert not [e for e in resumed if getattr(e, "trial_id", None) == oom_id]
    after = load_results(copy)
    assert after.trials[oom_id].status == "oom" and after.state == "finished"
    assert {t.status for t in after.trials.values()} <= {"completed", "oom"}


@pytest.mark.parametrize("backend", BACKENDS)
def test_oom_retry_trains_once_more_at_half_the_batch_size(backend, tmp_path) -> None:
    small = list(search(tmp_path, backend, "--oom-retry").trials.values())
    assert [t.hyperparameters["batch_size"] for t in small] == [16, 16]  # 32 trained at 16
    retried = next(t for t in small if t.reason)
    assert retried.status == "completed" and retried.score is not None
    assert retried.reason.startswith(
        f"retried at batch size 16 after out of memory at batch size 32 with {PARAMS} parameters"
    )
    assert retried.curve and {row["epoch"] for row in retried.curve} == {1}

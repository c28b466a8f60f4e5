"""Search overhead: the same configurations run as a bare Keras loop, bare Keras Tuner, bare
GridSearchCV + scikeras, and through `tunedeck run` on each backend. Prints ratios last.

Two bare loops: the one a user writes (build, fit, keep going; its clock starts after one
warm-up fit, as tunedeck's starts after its preflight) and the older one that clears the Keras
session after every model (about 0.5 s a trial of its own). The floor is a bare loop's least:
every configuration's arithmetic (a second `fit` of an already traced model, from arrays) plus
one trace; tunedeck can go under it, as it keeps its data pipelines and one traced model per set
of layers, which `fit` from arrays rebuilds every time.

The configurations are the full grid of a small slice of the default space (8 configurations,
fixed epochs, one seed) on `digits`, so that every contender visits exactly the same ones.
Times are the search phase only (after imports and data loading; tunedeck's from the journal's
search_started to its last trial_ended, so its final retrain of the winner is not counted).
tunedeck runs twice per backend: as it ships (trials that share layers train one traced model,
`engine.model.reuse`) and with `TUNEDECK_REUSE=0` (a fresh model per trial, as before).
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ENV, PYTHON, ROOT, run_json, stamp, table  # noqa: E402

EPOCHS = 4
FOLDS = 3
SPACE = {
    "training": {"batch_size": 32, "epochs": EPOCHS},
    "optimizer": {"name": ["adam", "sgd"], "learning_rate": 0.05},
    "architecture": {"nodes": [16, 32], "activation": ["relu", "tanh"]},
    "early_stopping": {"enabled": False},
}

SETUP = f"""
import json, sys, time
from engine.model.builder import quiet_tensorflow
quiet_tensorflow()
import keras, numpy as np
from engine.space import Space
from engine.data.datasets import dataset_for
from engine.run.settings import RunSettings
from engine.model.keras_build import build_model
space = Space.from_dict({SPACE!r})
data = dataset_for(space, RunSettings(dataset="digits", seed=0))
configs = list(space.grid())
"""

BARE_LOOP = (
    SETUP
    + """
start = time.perf_counter()
scores = []
for i, config in enumerate(configs):
    keras.utils.set_random_seed(i)
    model = build_model(config, data.input_shape, data.n_classes)
    history = model.fit(data.x_train, data.y_train, validation_data=(data.x_val, data.y_val),
                        batch_size=config["batch_size"], epochs=config["epochs"], verbose=0)
    scores.append(max(history.history["val_accuracy"]))
    keras.backend.clear_session()
print(json.dumps({"seconds": time.perf_counter() - start, "trials": len(scores)}))
"""
)

USER_LOOP = (
    SETUP
    + """
def fit(model, config, epochs):
    return model.fit(data.x_train, data.y_train, validation_data=(data.x_val, data.y_val),
                     batch_size=config["batch_size"], epochs=epochs, verbose=0)
fit(build_model(configs[0], data.input_shape, data.n_classes), configs[0], 1)  # warm-up
start = time.perf_counter()
scores = []
for i, config in enumerate(configs):
    keras.utils.set_random_seed(i)
    model = build_model(config, data.input_shape, data.n_classes)
    scores.append(max(fit(model, config, config["epochs"]).history["val_accuracy"]))
print(json.dumps({"seconds": time.perf_counter() - start, "trials": len(scores)}))
"""
)

FLOOR = (
    SETUP
    + """
def fit(model, config):
    start = time.perf_counter()
    model.fit(data.x_train, data.y_train, validation_data=(data.x_val, data.y_val),
              batch_size=config["batch_size"], epochs=config["epochs"], verbose=0)
    return time.perf_counter() - start
first = second = 0.0
for i, config in enumerate(configs):
    model = build_model(config, data.input_shape, data.n_classes)
    traced = fit(model, config)
    arithmetic = fit(model, config)  # the same model again: no tracing, only the work
    first = first or traced - arithmetic
    second += arithmetic
print(json.dumps({"seconds": second + first, "trials": len(configs)}))
"""
)

BARE_TUNER = (
    SETUP
    + """
import keras_tuner, tempfile
def build(hp):
    config = configs[hp.Choice("index", list(range(len(configs))))]
    return build_model(config, data.input_shape, data.n_classes)
tuner = keras_tuner.GridSearch(build, objective="val_accuracy", max_trials=len(configs),
                               directory=tempfile.mkdtemp(), project_name="bare", seed=0)
start = time.perf_counter()
tuner.search(data.x_train, data.y_train, validation_data=(data.x_val, data.y_val),
             batch_size=32, epochs=configs[0]["epochs"], verbose=0)
print(json.dumps({"seconds": time.perf_counter() - start, "trials": len(tuner.oracle.trials)}))
"""
)

BARE_GRIDSEARCH = (
    SETUP
    + f"""
from scikeras.wrappers import KerasClassifier
from sklearn.model_selection import GridSearchCV, StratifiedKFold
x = np.concatenate([data.x_train, data.x_val]); y = np.concatenate([data.y_train, data.y_val])
def model(meta, **params):
    return build_model({{**configs[0], **params}}, data.input_shape, data.n_classes)
grid = [{{f"model__{{k}}": [v] for k, v in c.items() if k not in ("batch_size", "epochs")}}
        for c in configs]
clf = KerasClassifier(model=model, batch_size=32, epochs=configs[0]["epochs"], verbose=0,
                      **{{f"model__{{k}}": v for k, v in configs[0].items()
                          if k not in ("batch_size", "epochs")}})
search = GridSearchCV(clf, grid, cv=StratifiedKFold({FOLDS}, shuffle=True, random_state=0),
                      refit=False, error_score="raise")
start = time.perf_counter()
search.fit(x, y)
print(json.dumps({{"seconds": time.perf_counter() - start,
                  "trials": len(search.cv_results_["params"])}}))
"""
)


def tunedeck(backend: str, pooled: bool = True) -> dict:
    """`tunedeck run`; `pooled=False` trains a fresh model per trial (`TUNEDECK_REUSE=0`)."""
    with tempfile.TemporaryDirectory() as tmp:
        space_file = Path(tmp) / "space.yaml"
        from engine.space import Space

        Space.from_dict(SPACE).save(space_file)
        run_dir = Path(tmp) / "run"
        import subprocess

        subprocess.run(
            [
                PYTHON,
                "-m",
                "engine",
                "run",
                str(space_file),
                "--dataset",
                "digits",
                "--backend",
                backend,
                "--algorithm",
                "grid",
                "--cv",
                str(FOLDS),
                "--seed",
                "0",
                "--max-trials",
                "100",
                "--run-dir",
                str(run_dir),
                "--quiet",
            ],
            env={**ENV, "TUNEDECK_REUSE": "1" if pooled else "0"},
            cwd=ROOT,
            check=True,
            capture_output=True,
            timeout=1800,
        )
        events = [json.loads(line) for line in (run_dir / "events.jsonl").read_text().splitlines()]
        start = next(e["time"] for e in events if e["type"] == "search_started")
        end = max(e["time"] for e in events if e["type"] == "trial_ended")
        trials = sum(e["type"] == "trial_ended" for e in events)
        return {"seconds": end - start, "trials": trials}


USER = "bare Keras loop, as a user writes it"
CLEARING = "bare Keras loop, clear_session per model"


def main() -> None:
    sys.path.insert(0, str(ROOT))
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    contenders = {
        "bare Keras loop, as a user writes it": lambda: run_json(USER_LOOP),
        "bare Keras loop, clear_session per model": lambda: run_json(BARE_LOOP),
        "floor: arithmetic + one trace": lambda: run_json(FLOOR),
        "bare keras-tuner": lambda: run_json(BARE_TUNER),
        "bare GridSearchCV": lambda: run_json(BARE_GRIDSEARCH),
        "tunedeck keras-tuner": lambda: tunedeck("keras-tuner"),
        "tunedeck sklearn": lambda: tunedeck("sklearn"),
        "tunedeck keras-tuner, fresh models": lambda: tunedeck("keras-tuner", pooled=False),
        "tunedeck sklearn, fresh models": lambda: tunedeck("sklearn", pooled=False),
    }
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(repeats):  # interleaved, so machine noise hits every contender alike
        for name, measure in contenders.items():
            result = measure()
            times[name].append(result["seconds"])
            print(f"{name}: {result['seconds']:.2f} s for {result['trials']} trials", flush=True)
    med = {name: sorted(v)[len(v) // 2] for name, v in times.items()}
    rows = [("contender", "median s", "runs")]
    rows += [(n, f"{med[n]:.2f}", " ".join(f"{t:.2f}" for t in v)) for n, v in times.items()]
    print(f"\nsearch overhead, {stamp()}, 8 configurations × {EPOCHS} epochs on digits")
    print(table(rows))
    print("\nratios")
    ratios = [
        ("bare keras-tuner / user's loop", "bare keras-tuner", USER, ""),
        ("tunedeck keras-tuner / user's loop", "tunedeck keras-tuner", USER, "(target <= 0.80)"),
        (
            "tunedeck keras-tuner / clearing loop",
            "tunedeck keras-tuner",
            CLEARING,
            "(old target <= 0.70)",
        ),
        ("floor / user's loop", "floor: arithmetic + one trace", USER, "(a bare loop's least)"),
        (
            "tunedeck keras-tuner / floor",
            "tunedeck keras-tuner",
            "floor: arithmetic + one trace",
            "(under 1: pipelines and traces kept)",
        ),
        (
            "tunedeck sklearn / bare GridSearchCV",
            "tunedeck sklearn",
            "bare GridSearchCV",
            "(target <= 0.60)",
        ),
        (
            "keras-tuner pooled / fresh models",
            "tunedeck keras-tuner",
            "tunedeck keras-tuner, fresh models",
            "",
        ),
        ("sklearn pooled / fresh models", "tunedeck sklearn", "tunedeck sklearn, fresh models", ""),
    ]
    for label, top, bottom, target in ratios:
        print(f"{label:<40} {med[top] / med[bottom]:.2f}  {target}".rstrip())


if __name__ == "__main__":
    main()

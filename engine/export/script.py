"""The standalone training script export: Keras, numpy and scikit-learn only, never tunedeck.

The script reproduces the run's reported test score: it embeds `engine/model/keras_build.py`
(the built-in model, the compilation of a user's uncompiled one) and `engine/data/splits.py`
(the seeded split and train-fitted scaling) verbatim, so the script and the search can never
disagree on what a configuration or a split means; it loads the data as the engine does and
retrains as `engine.model.retrain.retrain_and_test` does. Every value from the run (the
configuration, the dataset name or path, the seed) is a Python literal (`repr`/`pprint`):
nothing a user typed can become code. A user's model or loader file is imported by a path
relative to the script, so the script keeps working when its folder and the user's project
move together.
"""

from __future__ import annotations

import importlib.util
import os
import pprint
import re
from pathlib import Path
from typing import Any

from engine.data.catalog import TEST_SPLIT, source_kind
from engine.data.recipe import TRANSFORM
from engine.export.script_loaders import LOADERS
from engine.model.user_model import OPTIMIZER_PARAMS
from engine.objective.metric import base_metric
from engine.run.settings import RunSettings
from engine.space import Space

HEADER = '''#!/usr/bin/env python3
"""Train the best configuration tunedeck found: {title}.

Standalone: needs keras (TensorFlow), numpy and scikit-learn; not tunedeck. Rebuilds the data
exactly as the search did (same seed, subsample and split), retrains on its training and
validation parts and prints the test {metric} the search reported.
"""

import importlib
import importlib.util
import os
import sys
import types

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

'''

SETTINGS = """

CONFIG = {config}
# a builtin dataset, a data file, or a loader FILE.py:FUNCTION (FILE relative to this script)
DATASET = {dataset!r}
# the user's build function or HyperModel, as DATASET's loader; None: the built-in model
MODEL = {model!r}
# the optimizer settings the search tuned: a model compiled by its own code that does not
# read them is recompiled with them, as the search did
TUNED_OPTIMIZER = {tuned_optimizer!r}
TARGET = {target!r}
TASK = {task!r}  # None: inferred from the labels, as the search did
SEED = {seed!r}
SUBSAMPLE = {subsample!r}
EPOCHS = {epochs!r}
VALIDATION_SPLIT = {validation_split!r}
TEST_SPLIT = {test_split!r}
# the sha256 of the run's train/val/test arrays (data_recipe.yaml): checked before training
DATA_SHA256 = {data_sha256!r}
# a table's feature columns (numeric or text) and each text column's categories, as recorded
COLUMNS = {columns}
CATEGORIES = {categories}
# the run's fitted ColumnTransformer (None, or a file that is gone: fitted again on train)
PREPROCESS = {preprocess!r}
DATA_HOME = {data_home!r}  # scikit-learn's data folder (OpenML's cache); None: its default
METRICS = {metrics!r}  # what the model reports besides the task's own metrics
METRIC = {metric!r}  # the test score printed: the search's objective without "val_"
# the objective a HyperModel's own fit returns (given the test part to validate on): the test
# score is its value; None: Keras's evaluate on the test part
FIT_SCORE = {fit_score!r}
# the space's factory of Keras callbacks, FILE.py:FUNCTION (FILE relative to this script)
CALLBACKS = {callbacks!r}
"""

COMMON = '''

def fail(message):
    """One line on stderr naming what is missing, and exit status 2."""
    print(f"{{os.path.basename(__file__)}}: {{message}}", file=sys.stderr)
    sys.exit(2)


def load_function(ref):
    """The function a `FILE.py:FUNCTION` (FILE relative to this script) or `MODULE:FUNCTION`
    reference names; a file is imported once, with its folder on sys.path for its siblings."""
    target, _, name = ref.rpartition(":")
    if not target.endswith(".py"):
        try:
            module = importlib.import_module(target)
        except ModuleNotFoundError as missing:  # it, or a module it imports
            fail(f"{{missing.name}}: no such module (needed for {{ref}})")
        return _function(module, name, target)
    path = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), target))
    if not os.path.isfile(path):
        fail(f"{{path}}: no such file; this script imports {{target}} relative to its own folder, "
             "so keep the two as they were when it was exported")
    key = "user_" + os.path.splitext(os.path.basename(path))[0] + "_" + str(abs(hash(path)))
    if key not in sys.modules:
        spec = importlib.util.spec_from_file_location(key, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[key] = module
        sys.path.insert(0, os.path.dirname(path))
        try:
            code, _ = definitions_code(path)  # its own training does not run, as in the search
            exec(code, module.__dict__)
        finally:
            sys.path.remove(os.path.dirname(path))
    return _function(sys.modules[key], name, target)


def _function(module, name, where):
    """`name` in `module`; `MyHyperModel.build` names the HyperModel it belongs to."""
    owner, found = None, module
    for part in name.split("."):
        owner, found = found, getattr(found, part, None)
    if name.endswith(".build") and isinstance(owner, type):
        found = owner
    if found is None:
        fail(f"{{where}}: has no function {{name}}")
    return found


def encode(values):
    """Class labels as codes 0..k-1 in sorted order (numeric order for numbers), and k names."""
    uniq, codes = np.unique(values, return_inverse=True)
    return codes.reshape(-1).astype(np.int64), tuple(str(u) for u in uniq)


def table(header, columns):
    """A table's features encoded as the search did (its recorded kinds and categories) and
    its labels."""
    target = target_index(header, TARGET)
    y = labels_of(columns[target])
    features = [j for j in range(len(header)) if j != target]
    kinds = [COLUMNS.get(header[j], "numeric") for j in features]
    x = np.stack([encode_column(columns[j], kind, CATEGORIES.get(header[j]))
                  for j, kind in zip(features, kinds, strict=True)], axis=1)
    if (TASK or infer_task(y)) == "regression":
        return dict(x=x, y=y.astype(np.float32), classes=(), scale="columns", task="regression",
                    kinds=kinds)
    y, classes = encode(y)
    return dict(x=x, y=y, classes=classes, scale="columns", task="classification", kinds=kinds)


def preprocess(kinds):
    """The run's fitted transform of a table's columns, or the same transform unfitted."""
    if PREPROCESS is not None and os.path.exists(PREPROCESS):
        import joblib

        return joblib.load(PREPROCESS)
    return column_transformer(kinds)


def load_source():
    """All samples before the split, as the search loaded them."""
{loader}
'''

MAIN = '''

class Reads(dict):
    """The configuration, noting which names the user's code reads."""

    def __init__(self, values):
        super().__init__(values)
        self.read = set()

    def __getitem__(self, name):
        self.read.add(name)
        return super().__getitem__(name)

    def get(self, name, default=None):
        self.read.add(name)
        return super().get(name, default)


def build(input_shape, n_outputs, task, rows):
    """(the compiled model, a HyperModel's own fit or None): the built-in model, or the
    user's code called as the search called it."""
    if MODEL is None:
        return build_model(CONFIG, input_shape, n_outputs, task, METRICS), None
    found = load_function(MODEL)
    data = {"input_shape": input_shape, "n_outputs": n_outputs, "task": task}
    values, fit = Reads(CONFIG), None
    if is_hypermodel(found):
        hypermodel = hypermodel_instance(found, data)
        function, fit = type(hypermodel).build.__get__(hypermodel), own_fit(hypermodel)
    else:
        function = found
    if not is_hypermodel(found) and takes_by_name(function, CONFIG):
        meta = scikeras_meta(input_shape, n_outputs, task, rows)
        data |= sample_arguments(function, input_shape, n_outputs, task, rows)
        if asks(function, COMPILE):  # scikeras' compile_kwargs: the tuned optimizer, built
            data[COMPILE] = compile_kwargs(dict(CONFIG))
            values.read.update(TUNED_OPTIMIZER)
        model = function(**named_arguments(function, CONFIG, data, meta))
        values.read.update(declared_names(function))
    else:
        model = call_with_hp(function, values, passed_arguments(function, data))
    shape_user_model(model, input_shape, task)
    if not getattr(model, "compiled", False):
        compile_model(model, dict(CONFIG), task, METRICS)
        return model, fit
    add_task_metrics(model, task, METRICS)  # compiled without metrics: the task's, as searched
    if any(name not in values.read for name in TUNED_OPTIMIZER):
        recompile(model, dict(CONFIG))  # the search trained it with the tuned optimizer
    return model, fit


def call_with_hp(function, values, kwargs):
    """A build function written for a mapping, or for Keras Tuner (hp.Int(…), hp.Choice(…))."""
    try:
        return function(types.MappingProxyType(values), **kwargs)
    except AttributeError as exc:
        if "mappingproxy" not in str(exc):
            raise
    import keras_tuner

    hp = keras_tuner.HyperParameters()
    hp.values = values  # each declaration returns the configuration's value
    return function(hp, **kwargs)


def train(model, fit, x, y, validation_data, callbacks):
    """Keras's fit, or the HyperModel's own, as the search trained the winner."""
    if fit is None:
        return model.fit(x, y, batch_size=int(CONFIG["batch_size"]), epochs=EPOCHS,
                         callbacks=callbacks, verbose=2)
    import keras_tuner

    hp = keras_tuner.HyperParameters()
    hp.values = dict(CONFIG)
    original = model.fit

    def with_batch_size(*args, **kwargs):
        kwargs.setdefault("batch_size", int(CONFIG["batch_size"]))
        return original(*args, **kwargs)

    model.fit = with_batch_size
    kwargs = dict(validation_data=validation_data, epochs=EPOCHS, callbacks=callbacks, verbose=2)
    return call_fit(fit, hp, model, x, y, kwargs)


def user_callbacks():
    """The callbacks the space's factory returns, called as the search called it; its
    `trial_dir` is a folder beside this script named after it (`train_trial/`)."""
    if CALLBACKS is None:
        return []
    folder = os.path.splitext(os.path.abspath(__file__))[0] + "_trial"
    os.makedirs(folder, exist_ok=True)
    try:
        return call_callback_factory(load_function(CALLBACKS), CONFIG, folder)
    except TypeError as exc:
        if not str(exc).startswith("returned "):
            raise
        fail(f"{CALLBACKS}: {exc}")


def load_data():
    """(task, output units, x_train, y_train, x_val, y_val, x_test, y_test): the arrays the
    search trained, validated and tested on."""
    source = load_source()
    task = source["task"]
    parts = split_arrays(
        source["x"],
        source["y"],
        source["classes"],
        task=task,
        seed=SEED,
        validation_split=VALIDATION_SPLIT,
        test_split=TEST_SPLIT,
        subsample=SUBSAMPLE,
        scale=source["scale"] if source["scale"] != "columns" else preprocess(source["kinds"]),
        val=source.get("val"),
        test=source.get("test"),
    )
    y_train = parts[1]
    if task == "regression":
        n_outputs = 1 if y_train.ndim == 1 else int(y_train.shape[1])
    else:
        n_outputs = len(source["classes"])
    return (task, n_outputs, *parts)


def main():
    task, n_outputs, x_train, y_train, x_val, y_val, x_test, y_test = load_data()
    found = digest([x_train, y_train, x_val, y_val, x_test, y_test])
    if DATA_SHA256 is not None and found != DATA_SHA256:
        print("warning: these arrays differ from the ones the search used (the data file "
              "changed?); the score will differ", file=sys.stderr)
    keras.utils.set_random_seed(SEED)
    shape = tuple(int(d) for d in x_train.shape[1:])
    model, fit = build(shape, n_outputs, task, len(x_train))
    x, y = np.concatenate([x_train, x_val]), np.concatenate([y_train, y_val])
    by_fit = fit is not None and FIT_SCORE is not None
    validation = (x_test, y_test) if by_fit else (x_val, y_val)
    returned = train(model, fit, x, y, validation, user_callbacks())
    if by_fit:  # the value the fit returned, as the search's retraining read it
        value = returned.get(FIT_SCORE) if isinstance(returned, dict) else returned
        print(f"test {METRIC}: {float(value):.4f}")
        return
    scores = model.evaluate(x_test, y_test, verbose=0, return_dict=True)
    print(f"test {METRIC}: {scores.get(METRIC, float('nan')):.4f}")


if __name__ == "__main__":
    try:
        main()
    except FileNotFoundError as missing:
        fail(f"{missing.filename}: no such file")
'''

IMPORTS = ("import ", "from ")


def _relative_ref(ref: str, script: Path) -> str:
    """`FILE.py:FUNCTION` with FILE relative to the script's folder (a module stays as it is)."""
    target, _, function = ref.strip().rpartition(":")
    if not target.endswith(".py"):
        return f"{target}:{function}"
    try:
        target = os.path.relpath(Path(target).resolve(), script.resolve().parent)
    except ValueError:  # another drive: only an absolute path reaches it
        target = str(Path(target).resolve())
    return f"{Path(target).as_posix()}:{function}"


def standalone_script(
    record: dict[str, Any],
    settings: RunSettings,
    space: Space,
    output: str | Path | None = None,
    run_path: str | Path | None = None,
) -> str:
    """The script's text for a best record (see `engine.export.exporter.best_record`) that will
    be written to `output` (None: the current folder), which user files are imported against;
    `run_path` is the run directory (a table's fitted transform is loaded from there)."""
    script = Path(output) if output is not None else Path("train.py")
    recipe = record.get("data_recipe") or _recipe_of(settings, space)
    entry = recipe.get("preprocessing")
    table: dict[str, Any] = entry if isinstance(entry, dict) else {}
    fitted = Path(run_path) / TRANSFORM if run_path is not None else None
    kind = source_kind(settings.dataset)
    files = ("csv", "parquet", "npz")
    dataset = settings.dataset.strip().lower() if kind not in (*files, "loader") else ""
    if kind in files:
        dataset = str(Path(settings.dataset).resolve())
    elif kind == "openml":  # by id: a name means its oldest active version, which may change
        found = recipe.get("source", {}).get("openml_id")
        dataset = f"openml:{found}" if found is not None else settings.dataset.strip()
    elif kind == "loader":
        dataset = _relative_ref(settings.dataset, script)
    source = space.source
    objective = record.get("objective") or "val_accuracy"
    metric = objective["metric"] if isinstance(objective, dict) else str(objective)
    title = f"trial {record['trial_id']} of a {record['backend']} {record['algorithm']} search"
    model_imports, model_code = _embedded("engine.model.keras_build")
    for embedded in ("engine.model.calling", "engine.user.definitions"):
        more_imports, more_code = _embedded(embedded)
        model_imports += more_imports
        model_code += "\n\n" + more_code
    split_imports, split_code = _embedded("engine.data.splits")
    column_imports, column_code = _embedded("engine.data.columns")
    imports = dict.fromkeys(f"{model_imports}{split_imports}{column_imports}".splitlines())
    return (
        HEADER.format(
            title=re.sub(r"[^A-Za-z0-9 _.-]", "", title),
            metric=re.sub(r"[^A-Za-z0-9_]", "", metric.removeprefix("val_")),
        )
        + "\n".join(line for line in imports if line and line not in HEADER.splitlines())
        + f"\n\n\n{model_code}\n\n{split_code}\n\n{column_code}"
        + SETTINGS.format(
            config=pprint.pformat(dict(record["hyperparameters"]), sort_dicts=False, width=88),
            dataset=dataset,
            model=_relative_ref(str(source.model), script) if source.model else None,
            tuned_optimizer=tuple(n for n in space.tuned() if n in OPTIMIZER_PARAMS),
            target=recipe["target"],
            task=source.task,
            seed=int(recipe["seed"]),
            subsample=None if recipe["subsample"] is None else int(recipe["subsample"]),
            epochs=int(record["retrain_epochs"]),
            validation_split=float(recipe["validation_split"]),
            test_split=float(recipe["test_split"]),
            data_sha256=recipe.get("sha256"),
            columns=pprint.pformat(table.get("columns", {}), sort_dicts=False, width=88),
            categories=pprint.pformat(table.get("one_hot", {}), sort_dicts=False, width=88),
            preprocess=str(fitted.resolve()) if fitted is not None and fitted.is_file() else None,
            data_home=settings.data_home,
            metrics=(base_metric(metric),),
            metric=metric.removeprefix("val_"),
            fit_score=metric if record.get("test_score_from") == "fit" else None,
            callbacks=_relative_ref(str(source.callbacks), script) if source.callbacks else None,
        )
        + COMMON.format(loader=LOADERS[kind])
        + MAIN
    )


def _recipe_of(settings: RunSettings, space: Space) -> dict[str, Any]:
    """What a run made before data recipes existed implies: its settings, the default splits."""
    return {
        "target": settings.target,
        "seed": settings.seed,
        "subsample": settings.subsample,
        "validation_split": space.defaults()["validation_split"],
        "test_split": TEST_SPLIT,
    }


def _embedded(module: str) -> tuple[str, str]:
    """(import lines, the rest) of an embeddable engine module after its docstring, read without
    importing it (`keras_build` imports Keras): its imports go to the script's top."""
    spec = importlib.util.find_spec(module)
    assert spec is not None and spec.origin is not None
    lines = Path(spec.origin).read_text(encoding="utf-8").split('"""', 2)[2].strip().splitlines()
    cut = next(i for i, line in enumerate(lines) if line and not line.startswith(IMPORTS))
    return "\n".join(lines[:cut]).strip() + "\n", "\n".join(lines[cut:]) + "\n"

"""Exports of a finished (or partial) run: YAML/JSON best record, CSV of trials, a standalone
Keras script, the retrained `.keras` model, a TensorBoard HParams folder. Files are written atomically, never over an existing
file unless forced.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

from engine.data.recipe import read_recipe
from engine.errors import InputError, not_regular
from engine.export.formats import FOLDERS, FORMATS, PICKABLE
from engine.model.retrain import MODEL_PROBLEM, retrain_epochs
from engine.run.journal_problems import nothing_recorded
from engine.run.kept import load_results
from engine.run.results import RunResults, TrialRecord
from engine.run.rundir import BEST, MODEL, RunDir
from engine.run.writable import write_problem
from engine.space import Space
from engine.space.schema import PARAMS
from engine.system.atomic import copy_file, write_bytes, write_text

LIBRARIES = ("tunedeck", "tensorflow", "keras", "keras-tuner", "scikit-learn", "scikeras")


def versions() -> dict[str, str]:
    out = {}
    for name in LIBRARIES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return out


def param_names(results: RunResults) -> list[str]:
    """The run's parameters in file order: the user model's own, then the catalogue's."""
    if not results.space:
        return [p.name for p in PARAMS]
    return [p.name for p in Space.from_dict(results.space).specs]


def clean_hyperparameters(
    values: dict[str, Any], names: list[str], space: Space | None = None
) -> dict[str, Any]:
    """Only the space's own names, in file order (drops e.g. Hyperband's `tuner/*`); with a
    `space`, only those that matter under `values` (their parent's value enables them)."""
    return {
        name: values[name]
        for name in names
        if name in values and (space is None or space.is_active(name, values))
    }


def picked(run: RunDir, results: RunResults, pick: str | None) -> TrialRecord:
    """The trial an export is of: the best, or `pick` (`--pick`: a point of a Pareto front)."""
    if pick is None:
        if results.best is None:
            raise nothing_recorded(run.path, "no completed trial yet: nothing to export")
        return results.best
    trial = results.trials.get(pick) or results.trials.get(pick.zfill(3))
    if trial is None:
        raise InputError(f"--pick: no trial {pick!r} in {run.path}")
    if trial.status != "completed" or trial.score is None:
        raise InputError(f"--pick: trial {trial.trial_id} did not complete ({trial.status})")
    return trial


def best_record(
    run: RunDir, results: RunResults, *, full: bool = False, pick: str | None = None
) -> dict[str, Any]:
    """The winner (or the `pick`ed trial): its configuration (only the parameters that apply
    to it, e.g. no momentum for Adam; `full` keeps every one, as a script that builds the model
    needs), scores, data recipe and library versions."""
    best = picked(run, results, pick)
    settings = results.settings or run.settings().to_dict()
    space = Space.from_dict(results.space) if results.space else Space.from_dict({})
    source = space.source if results.space else None
    record = {
        "hyperparameters": clean_hyperparameters(
            best.hyperparameters, param_names(results), None if full else space
        ),
        "trial_id": best.trial_id,
        "retrain_epochs": retrain_epochs(best),
        "score": best.score,
        "objective": {"metric": results.objective, "direction": results.direction},
        "test_score": results.test_score if best is results.best else None,
        "model": str(source.model) if source and source.model else "built-in",
        "task": (source.task if source else None) or _task(results),
        "backend": results.backend,
        "algorithm": results.algorithm,
        "dataset": settings.get("dataset"),
        "seed": settings.get("seed"),
        "versions": versions(),
    }
    if not results.goals.plain:  # several objectives or constraints: where this trial stands
        record.update(objective_record(results, best))
    if results.test_by_fit and best is results.best:  # the value the model's own fit returned
        record["test_score_from"] = "fit"
    if source is not None and source.callbacks is not None:  # what each trial also ran
        record["callbacks"] = str(source.callbacks)
    if source is not None and source.checkpoint:
        record["checkpoint"] = True
    if (recipe := read_recipe(run.path)) is not None:  # how the data was made (newer runs)
        record["data_recipe"] = recipe
    return record


def objective_record(results: RunResults, trial: TrialRecord) -> dict[str, Any]:
    """Every objective, the trial's value of each, its Pareto front and feasibility."""
    goals = results.goals
    out: dict[str, Any] = {"objectives": goals.to_list()} if goals.multi else {}
    if goals.constraints:
        out["constraints"] = [c.spec() for c in goals.constraints]
    out["values"] = goals.values_of(trial.score, trial.values)
    if goals.multi:
        out["front"] = results.front().get(trial.trial_id)
    out["feasible"] = not trial.infeasible
    return out


def to_yaml(record: dict[str, Any]) -> str:
    import yaml

    return yaml.safe_dump(record, sort_keys=False)


def write_best_yaml(run: RunDir) -> None:
    write_text(run / BEST, to_yaml(best_record(run, load_results(run.path))))


def _task(results: RunResults) -> str:
    """The task the run trained, read from its metrics when the space left it to inference."""
    return "regression" if results.test_metrics.keys() >= {"mae", "rmse"} else "classification"


def trials_csv(results: RunResults) -> str:
    """One row per trial: its worker (and GPU, once a trial ran on one), its score, each
    cross-validation fold's score (scikit-learn), its best epoch's score (Keras Tuner: `score`
    is the handed-over model's), the retrained winner's test score (on the best trial's row
    only), its peak memory (resident, and on its GPU, once a trial recorded one), then its
    configuration."""
    names = param_names(results)
    folds = max((len(t.fold_scores or ()) for t in results.trials.values()), default=0)
    epochs = any(t.epoch_score is not None for t in results.trials.values())
    gpus = any(t.gpu is not None for t in results.trials.values())
    peaks = any(t.peak_memory is not None for t in results.trials.values())
    gpu_peaks = any(t.peak_gpu_memory is not None for t in results.trials.values())
    best = results.best.trial_id if results.best and results.test_score is not None else None
    goals = results.goals
    extra = list(goals.extra_metrics)  # a column per objective and constrained metric
    fronts = results.front() if goals.multi else {}
    judged = [
        *extra,
        *(["front"] if goals.multi else []),
        *(["feasible"] if goals.constraints else []),
    ]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        [
            "trial_id",
            "number",
            "worker",
            *(["gpu"] if gpus else []),
            "status",
            "score",
            *(f"fold_{i}" for i in range(1, folds + 1)),
            *(["best_epoch_score"] if epochs else []),
            "test_score",
            "duration_s",
            "reason",
            "epochs_trained",
            *(["peak_memory_mib"] if peaks else []),
            *(["peak_gpu_memory_mib"] if gpu_peaks else []),
            *judged,
            *names,
        ]
    )
    for t in sorted(results.trials.values(), key=lambda t: t.number):
        trained = t.epochs_trained
        scores = [*(t.fold_scores or ()), *[""] * folds][:folds]
        writer.writerow(
            [
                t.trial_id,
                t.number,
                t.worker,
                *([_cell(t.gpu)] if gpus else []),
                t.status,
                _cell(t.score),
                *scores,
                *([_cell(t.epoch_score)] if epochs else []),
                _cell(results.test_score if t.trial_id == best else None),
                _cell(t.duration),
                t.reason or "",
                trained,
                *([_mib(t.peak_memory)] if peaks else []),
                *([_mib(t.peak_gpu_memory)] if gpu_peaks else []),
                *(_cell(t.values.get(m)) for m in extra),
                *([_cell(fronts.get(t.trial_id))] if goals.multi else []),
                *([_feasible(t)] if goals.constraints else []),
                *(t.hyperparameters.get(n, "") for n in names),
            ]
        )
    return buffer.getvalue()


def _feasible(trial: TrialRecord) -> str:
    """`true`, `false` (it broke a constraint), or empty: it has no result to judge."""
    if trial.infeasible:
        return "false"
    return "true" if trial.status == "completed" and trial.score is not None else ""


def _mib(size: int | None) -> str:
    return "" if size is None else f"{size / 2**20:.1f}"


def history_csv(results: RunResults) -> str:
    """Every epoch's metrics of every trial, one value a row: trial, fold (empty without
    cross-validation), epoch, metric, value."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["trial_id", "fold", "epoch", "metric", "value"])
    for t in sorted(results.trials.values(), key=lambda t: t.number):
        for row in t.curve:
            for metric, value in row.items():
                if metric not in ("epoch", "fold"):
                    writer.writerow(
                        [t.trial_id, _cell(row.get("fold")), row["epoch"], metric, value]
                    )
    return buffer.getvalue()


def _cell(value: Any) -> Any:
    return "" if value is None else value


def render(run: RunDir, fmt: str, output: Path | None = None, pick: str | None = None) -> bytes:
    """The export's bytes; `output` is where it goes (a script imports user files against it);
    `pick`: a trial's configuration instead of the best's."""
    results = load_results(run.path)
    if fmt in ("csv", "history"):
        if not results.trials:
            raise nothing_recorded(run.path, "no trials recorded yet")
        return (trials_csv if fmt == "csv" else history_csv)(results).encode()
    if fmt == "yaml":
        return to_yaml(best_record(run, results, pick=pick)).encode()
    if fmt == "json":
        return (json.dumps(best_record(run, results, pick=pick), indent=2) + "\n").encode()
    if fmt == "python":
        from engine.export.script import standalone_script

        record = best_record(run, results, full=True, pick=pick)
        return standalone_script(record, run.settings(), run.space(), output, run.path).encode()
    raise InputError(f"unknown format {fmt!r}")


EXPORT_BYTES = 2**20  # a configuration, a table of trials, a script (a model: its own size)


def export(
    run_dir: str | Path,
    fmt: str,
    output: str | Path | None,
    *,
    force: bool = False,
    pick: str | None = None,
) -> Path | None:
    """Write one export; returns the path written, or None when printed to stdout."""
    run = RunDir.open(run_dir)
    if fmt not in FORMATS:
        raise InputError(f"format: unknown {fmt!r} (choose from {', '.join(FORMATS)})")
    if pick is not None and fmt not in PICKABLE:
        raise InputError(
            f"--pick: a {fmt} export is of the whole run or its retrained best; "
            f"--pick takes {', '.join(PICKABLE)}"
        )
    if pick is not None:
        picked(run, load_results(run.path), pick)  # an unknown trial: before any file
    if fmt == "keras":
        output = output or f"{run.path.name}-best.keras"
    if fmt in FOLDERS:
        output = output or f"{run.path.name}-tensorboard"
    target = Path(output) if output is not None else None
    if target is not None:
        if target.is_dir() and fmt not in FOLDERS:
            raise InputError("is a directory (give a file name)", source=str(target))
        if target.exists() and not target.is_dir() and fmt in FOLDERS:
            raise InputError("is a file (give a folder name)", source=str(target))
        if target.exists() and not force:
            raise InputError("exists (use --force to overwrite)", source=str(target))
        if not target.parent.exists():
            raise InputError("folder does not exist", source=str(target.parent))
        model = run / MODEL
        need = model.stat().st_size if fmt == "keras" and model.is_file() else EXPORT_BYTES
        if why := write_problem(target.parent, need):
            raise InputError(f"cannot write ({why})", source=str(target))
    if fmt == "keras":
        model = run / MODEL
        if why := not_regular(model):  # a FIFO would block the copy
            raise InputError(why, source=str(model))
        if not model.exists():
            problem = run / MODEL_PROBLEM  # the retrain could not save it, and said why
            if problem.exists():
                raise InputError(problem.read_text(encoding="utf-8").strip(), source=str(run.path))
            raise InputError(
                f"no {MODEL}: the search has not finished with a retrained model",
                source=str(run.path),
            )
        assert target is not None  # a model is never printed
        try:
            copy_file(model, target)
        except OSError as exc:
            raise InputError(f"cannot write ({exc.strerror})", source=str(target)) from None
        return target
    if fmt == "tensorboard":
        from engine.export.tensorboard import write_logdir

        assert target is not None
        results = load_results(run.path)
        if not results.trials:
            raise InputError("no trials recorded yet", source=str(run.path))
        try:
            write_logdir(results, target)
        except OSError as exc:
            raise InputError(f"cannot write ({exc.strerror})", source=str(target)) from None
        return target
    data = render(run, fmt, target, pick)
    if target is None:
        sys.stdout.write(data.decode())
        return None
    try:
        write_bytes(target, data)
    except OSError as exc:
        raise InputError(f"cannot write ({exc.strerror})", source=str(target)) from None
    return target

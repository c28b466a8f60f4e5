"""What each headless command does (`engine.cli` parses their arguments).

Heavy modules (the data, the backends, TensorFlow) are imported inside the commands that need
them: building the parser, or printing help, stays instant.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import socket
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from engine.errors import InputError, printable
from engine.run.control import (
    RUNNER_LOG,
    Output,
    Priority,
    command_hint,
    engine_command,
    resume_args,
    worker_args,
)
from engine.system.priority import lower_priority

if TYPE_CHECKING:
    from engine.run.rundir import RunDir
    from engine.space import Space


def load_space(path: str | None) -> Space:
    """The space file (or the built-in space), its `.py` references made absolute."""
    from engine.space import Space, default_space

    if path is None:
        return default_space()
    space = Space.load(path)
    if space.note:  # a W&B sweep or an NNI space: say what became of each parameter
        print(f"tunedeck: {space.note}", file=sys.stderr)
    return space.resolved()


def with_flags(chosen: Space, args: argparse.Namespace) -> Space:
    """`--task` and `--objective` override the space's own."""
    changes: dict[str, Any] = {}
    if getattr(args, "task", None):
        changes["task"] = args.task
    if getattr(args, "objective", None):
        from engine.objective.several import parse_objectives

        named = parse_objectives(args.objective, "--objective")  # a comma-separated list
        changes["objective"], changes["more_objectives"] = named[0], tuple(named[1:])
    return chosen.with_source(**changes) if changes else chosen


def space(args: argparse.Namespace) -> int:
    from engine.commands.bring import export_text, space_from

    with contextlib.redirect_stdout(sys.stderr):  # what the user's code prints is not the space
        chosen = load_space(None) if args.source is None else space_from(args.source, args.dataset)
    if chosen.note:
        print(f"tunedeck: {chosen.note}", file=sys.stderr)
    if args.to:
        sys.stdout.write(export_text(chosen, args.to))
    else:
        sys.stdout.write(chosen.to_json() if args.json else chosen.to_yaml())
    return 0


def validate(args: argparse.Namespace) -> int:
    checked = load_space(args.space)
    grid = checked.grid_size()
    size = (
        f"grid of {grid:,} configuration{'s' * (grid != 1)}"
        if grid is not None
        else (f"infinite grid ({checked.continuous()[0]} is continuous)")
    )
    print(
        f"{args.space}: valid, {len(checked.params)} parameters, {len(checked.tuned())} tuned, {size}"
    )
    return 0


def summary(args: argparse.Namespace) -> int:
    from engine.data.catalog import dataset_spec, target_spec
    from engine.data.datasets import dataset_for
    from engine.model.builder import model_summary
    from engine.model.discovery import with_discovered
    from engine.model.factory import make_factory
    from engine.run.settings import RunSettings

    chosen = with_flags(load_space(args.space), args)
    source = chosen.source
    target = target_spec(args.dataset, args.target, source.target)
    data = dataset_for(
        chosen, RunSettings(dataset=dataset_spec(args.dataset, source.data), target=target)
    )
    chosen = with_discovered(chosen, data)
    if args.timing:  # the console's estimate: a short fit of the default configuration
        from engine.model.factory import preflight
        from engine.model.timing import measure

        factory = make_factory(chosen, data)
        preflight(factory, chosen, data)
        timing = measure(factory, chosen, data)
        print(json.dumps(None if timing is None else timing.to_dict()))
        return 0
    own = [p.name for p in chosen.user]
    try:
        print(model_summary(make_factory(chosen, data), chosen.defaults(), own))
    except Exception as exc:  # noqa: BLE001 - TensorFlow's errors are not importable here
        if not _out_of_memory(exc):
            raise
        raise InputError(
            "model: the default configuration does not fit in this machine's "
            f"memory ({type(exc).__name__})",
            source=args.space,
        ) from None
    return 0


def _out_of_memory(exc: BaseException) -> bool:
    """TensorFlow's ResourceExhaustedError (an allocation it refused) or Python's MemoryError."""
    return isinstance(exc, MemoryError) or type(exc).__name__ == "ResourceExhaustedError"


def check_code_files(chosen: Space) -> None:
    """The space's model, loader and callbacks files are there, before anything loads."""
    from engine.user.code import CodeRef

    for field in ("model", "data", "callbacks"):
        if isinstance(ref := getattr(chosen.source, field), CodeRef):
            ref.check_file(field)


def check_folds(settings: Any, dataset: Any, backend: str) -> None:
    """scikit-learn's folds against the data, before anything starts: each fold of a
    stratified split needs a sample of every class."""
    if backend != "sklearn":
        return
    import numpy as np

    y = np.concatenate([dataset.y_train, dataset.y_val])
    classes = dataset.task == "classification"
    smallest = int(np.unique(y, return_counts=True)[1].min()) if classes else len(y)
    if settings.cv > smallest:
        need = f"{settings.cv} samples of each class" if classes else f"{settings.cv} samples"
        has = f"its smallest class has {smallest}" if classes else f"it has {smallest}"
        raise InputError(
            f"--cv: {settings.cv} folds need at least {need}; {has}", source=str(settings.dataset)
        )


def rerun(args: argparse.Namespace) -> int:
    from engine.analysis.seeds import seed_lines
    from engine.commands.seeds import rerun as train_again

    report = train_again(
        args.run_dir, args.top, args.seeds, lambda line: print(line, file=sys.stderr, flush=True)
    )
    if args.json:
        print(json.dumps(report.to_dict(), indent=2))
    else:
        print("\n".join(seed_lines(report)))
    return 0


def init(args: argparse.Namespace) -> int:
    from engine.user.starter import write_starter

    for path in write_starter(args.dir, force=args.force):
        print(f"wrote {path}")
    space_file = os.path.join(args.dir, "space.yaml")
    print(f"next: {command_hint('run', space_file)} (or open it: {command_hint(space_file)})")
    return 0


def run(args: argparse.Namespace) -> int:
    from engine.backends import needs_data
    from engine.backends.keras_tuner.cluster import parse_address
    from engine.backends.keras_tuner.listen import check_listen
    from engine.data.catalog import check_dataset, dataset_spec, target_spec
    from engine.data.datasets import dataset_for
    from engine.plan.planner import plan
    from engine.prepare import new_run_dir, prepare, take_request
    from engine.run.rundir import check_writable
    from engine.run.settings import RunSettings

    if args.request:  # the console's start: space and settings as it holds them
        chosen, settings = take_request(args.request)
    else:
        chosen = with_flags(load_space(args.space), args)
        settings = RunSettings(
            dataset=dataset_spec(args.dataset, chosen.source.data),
            target=target_spec(args.dataset, args.target, chosen.source.target),
            backend=args.backend,
            algorithm=args.algorithm,
            max_trials=args.max_trials,
            cv=args.cv,
            executions=args.executions,
            seed=args.seed,
            epochs=args.epochs,
            subsample=args.subsample,
            n_jobs=args.n_jobs,
            workers=args.workers,
            chief=args.chief,
            data_home=args.data_home,
            prune=args.prune,
            oom_retry=args.oom_retry,
        )
    data_spec = settings.dataset
    if settings.chief:
        parse_address(settings.chief)
        check_listen(settings.chief)  # before the data, TensorFlow or a worker starts
    check_dataset(data_spec, settings.target)
    check_code_files(chosen)
    path = Path(args.run_dir) if args.run_dir else new_run_dir(data_spec)
    check_writable(path)  # before the data, TensorFlow or any worker loads
    # Everything that can be wrong with the input fails here, before a run directory exists.
    dataset = None
    if chosen.source.model is not None:  # its build function may declare its own space
        from engine.model.discovery import with_discovered

        dataset = dataset_for(chosen, settings)
        chosen = with_discovered(chosen, dataset)
    planned = plan(chosen, settings)
    chosen_backend = planned.backend
    if settings.executions > 1 and chosen_backend != "keras-tuner":
        raise InputError(
            f"executions: several fits per trial apply to Keras Tuner, and this "
            f"search runs on {chosen_backend} (--backend keras-tuner)"
        )
    from engine.backends.keras_tuner.coordinator import start_early, stop_early

    start_early(path, planned, settings)  # parallel workers load TensorFlow alongside this one
    try:
        if dataset is None and needs_data(chosen_backend):
            dataset = dataset_for(chosen, settings)
        if dataset is not None:
            check_folds(settings, dataset, chosen_backend)
            from engine.model.factory import make_factory, preflight

            implied = preflight(make_factory(chosen, dataset), chosen, dataset)
            if implied is not None:  # its fit returns a bare number, and no objective is named
                chosen = chosen.with_source(objective=implied)
                print(
                    f"tunedeck: objective: {chosen.source.model} fit returns a number and the "
                    f"space names no objective: it is minimised, as Keras Tuner does, as "
                    f"{implied.metric} (objective: NAME:max in the space maximises it)",
                    file=sys.stderr,
                )
        # The lock is taken before anything is written and held until the search ends.
        run_dir = prepare(path, chosen, settings, keep_lock=True)
    except BaseException:
        stop_early()
        raise
    if args.request:
        log_into(run_dir / RUNNER_LOG)
    try:
        return _execute(run_dir, args, dataset)
    except BaseException:
        run_dir.discard_unstarted()  # it failed before its first event: leave no half-made run
        raise
    finally:
        stop_early()  # workers started early that no search adopted
        run_dir.release()


def log_into(path: Path) -> None:
    """From now on this process's output goes to `path` (a search the console started prints
    to a temporary log until its run directory exists)."""
    sys.stdout.flush()
    sys.stderr.flush()
    with open(path, "ab") as log:
        os.dup2(log.fileno(), sys.stdout.fileno())
        os.dup2(log.fileno(), sys.stderr.fileno())


def resume(args: argparse.Namespace) -> int:
    from engine.run.rundir import RunDir

    extended = args.more is not None or args.space is not None
    if extended:  # written into the run before it starts: a kill resumes the same plan
        from engine.commands.more import extend

        space = None if args.space is None else load_space(args.space)
        print(
            f"continuing: {extend(args.run_dir, args.more, space, args.space or '')}",
            file=sys.stderr,
        )
    return _execute(RunDir.open(args.run_dir), args, extended=extended)


def enqueue(args: argparse.Namespace) -> int:
    from engine.commands.more import enqueue as put_in_line

    print(put_in_line(args.run_dir, args.file), file=sys.stderr)
    return 0


def _output(args: argparse.Namespace) -> Output:
    return Output.JSONL if args.jsonl else Output.QUIET if args.quiet else Output.LINES


def _execute(
    run: RunDir, args: argparse.Namespace, dataset: Any = None, extended: bool = False
) -> int:
    from engine.backends.base import RecycleProcess, StopSearch
    from engine.commands.runner import SearchFailedError, Sink, run_search
    from engine.export.report import LinePrinter
    from engine.export.report import summary as closing_summary
    from engine.run.kept import load_results

    if args.priority == Priority.IDLE:
        lower_priority()
    output = _output(args)
    restarted = getattr(args, "restarted", False)
    sinks: list[Sink] = []
    if output is Output.JSONL:
        sinks.append(lambda event: print(event.to_json(), flush=True))
    elif output is Output.LINES:
        sinks.append(
            LinePrinter(run.space().tuned(), load_results(run.path), announce=not restarted)
        )
    try:
        results = run_search(
            run,
            sinks=sinks,
            handle_signals=True,
            dataset=dataset,
            recycle=True,
            fresh=not restarted,
            extended=extended,
        )
    except RecycleProcess:
        restart(resume_args(run.path, output=output, priority=args.priority, restarted=True))
    except StopSearch:
        print(f"stopped; continue with: {command_hint('resume', run.path)}", file=sys.stderr)
        return 130
    except SearchFailedError as exc:
        print(f"tunedeck: search failed: {printable(str(exc))}", file=sys.stderr)
        return 1
    if output is not Output.JSONL:
        print(closing_summary(results, str(run.path), run.space().tuned()))
    return 0


def restart(args: list[str]) -> NoReturn:
    """Re-execute this process as `python -m engine ARGS`: same pid, terminal and session, and
    a fresh heap (Keras leaks a few MB per model)."""
    sys.stdout.flush()
    sys.stderr.flush()
    command = engine_command(*args)
    os.execv(command[0], command)


def export(args: argparse.Namespace) -> int:
    from engine.export.exporter import export as write_export

    written = write_export(args.run_dir, args.format, args.output, force=args.force, pick=args.pick)
    if written is not None:
        print(f"wrote {written}", file=sys.stderr)
    return 0


def ls(args: argparse.Namespace) -> int:
    from engine.export.listing import list_runs

    if args.dir is None and not Path("runs").exists():
        print("no runs here yet: searches started in this folder are kept in runs/")
        return 0
    for line in list_runs(args.dir or "runs"):
        print(line)
    return 0


def stop(args: argparse.Namespace) -> int:
    from engine.run.rundir import RunDir, StopMode

    run = RunDir.open(args.run_dir)
    if not run.is_running():
        raise InputError("no search is running there", source=args.run_dir)
    run.request_stop(StopMode.NOW if args.now else StopMode.AFTER_TRIAL)
    when = "now" if args.now else "after the current trial"
    print(f"asked the search in {args.run_dir} to stop {when}", file=sys.stderr)
    return 0


def worker(args: argparse.Namespace) -> int:
    from engine.backends.base import RecycleProcess
    from engine.backends.keras_tuner.cluster import (
        CHIEF_START_SECONDS,
        JOIN_SECONDS,
        die_with,
        parse_address,
        reach_chief,
    )
    from engine.run.kept import load_results
    from engine.run.rundir import RunDir

    parse_address(args.chief)
    if args.parent is not None:  # its coordinator's: TensorFlow loads while the oracle starts
        die_with(args.parent)  # (started early, before the run directory exists)
        from engine.model.builder import quiet_tensorflow

        quiet_tensorflow()
        import engine.backends.keras_tuner.worker  # noqa: F401

        reach_chief(args.chief, CHIEF_START_SECONDS)
    run = RunDir.open(args.run_dir)
    if args.parent is not None and args.tuner_id:
        log_into(run.state_dir / f"{args.tuner_id}.log")  # one started early logged elsewhere
    state = load_results(run.path).state
    if state.ended:  # nothing is written into a run that is not running
        raise InputError(f"the search has {state}: no worker can join it", source=args.run_dir)
    if args.parent is None:
        reach_chief(args.chief, JOIN_SECONDS)
    tuner_id = args.tuner_id or f"{socket.gethostname()}-{os.getpid()}"
    try:
        from engine.model.builder import quiet_tensorflow

        quiet_tensorflow()  # no TensorFlow or absl lines from a worker started by hand
        from engine.backends.keras_tuner.worker import work  # TensorFlow: only once joined

        return work(run, tuner_id, args.chief)
    except RecycleProcess:  # a fresh heap, same pid and id
        restart(worker_args(args.run_dir, args.chief, tuner_id, args.parent))


def chief(args: argparse.Namespace) -> int:
    from engine.backends.keras_tuner.chief import serve
    from engine.backends.keras_tuner.cluster import die_with, parse_address
    from engine.backends.keras_tuner.listen import check_listen
    from engine.run.rundir import RunDir

    parse_address(args.listen)
    check_listen(args.listen)
    if args.parent is not None:
        die_with(args.parent)
    return serve(RunDir.open(args.run_dir), args.listen)

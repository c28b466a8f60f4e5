"""The headless command line: `tunedeck run|resume|export|ls|stop|space|validate|summary`.

stdout carries results, stderr diagnostics. Exit codes: 0 ok, 1 search failed, 2 bad input,
130 interrupted. The console commands (no command, a space file, `attach`) are handed to the
`console` callable the `tui` package passes in, so this module never imports Textual.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn

from engine.errors import InputError

CONSOLE_COMMANDS = ("attach", "open")
Console = Callable[[argparse.Namespace], int]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}\n")


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value}")
    return value


def _integer(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None


def build_parser() -> argparse.ArgumentParser:
    from engine.run.settings import ALGORITHMS, BACKENDS

    parser = _Parser(
        prog="tunedeck",
        description="Tune Keras models from the terminal. With no command, or a space file, "
        "opens the console.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    p = sub.add_parser("open", help="open the console on a space (the default with no command)")
    p.add_argument("space", nargs="?", help="a YAML/JSON space file (default: the built-in space)")
    p.add_argument("--dataset", default=None, help="dataset name or CSV/NPZ file")

    p = sub.add_parser("attach", help="open the console's monitor of a run directory")
    p.add_argument("run_dir")

    p = sub.add_parser("run", help="run a search headless")
    p.add_argument("space", nargs="?", help="space file (default: the built-in space)")
    p.add_argument("--dataset", default="digits", help="builtin name or CSV/NPZ file")
    p.add_argument("--target", default=None, help="target column of a CSV dataset")
    p.add_argument("--backend", default="auto", choices=BACKENDS)
    p.add_argument("--algorithm", default="auto", choices=ALGORITHMS)
    p.add_argument("--max-trials", type=_positive, default=10)
    p.add_argument("--cv", type=_positive, default=3, help="folds (scikit-learn backend)")
    p.add_argument("--seed", type=_integer, default=0)
    p.add_argument("--epochs", type=_positive, default=None, help="fix every trial's epochs")
    p.add_argument("--subsample", type=_positive, default=None, help="use N samples")
    p.add_argument("--n-jobs", type=_integer, default=1, help="scikit-learn parallel jobs")
    p.add_argument("--workers", type=_positive, default=1, help="trials run at once")
    p.add_argument(
        "--chief",
        default=None,
        metavar="HOST:PORT",
        help="serve the Keras Tuner oracle here, for workers on other machines",
    )
    p.add_argument("--run-dir", default=None, help="where to write (default: runs/<time>-<data>)")
    p.add_argument("--jsonl", action="store_true", help="stream events as JSON lines to stdout")
    p.add_argument("--quiet", action="store_true", help="print only the summary")

    p = sub.add_parser("resume", help="continue an interrupted search")
    p.add_argument("run_dir")
    p.add_argument("--jsonl", action="store_true")
    p.add_argument("--quiet", action="store_true")

    p = sub.add_parser("export", help="export the best configuration or all trials")
    p.add_argument("run_dir")
    p.add_argument("--format", required=True, choices=("yaml", "json", "csv", "python", "keras"))
    p.add_argument("-o", "--output", default=None, help="file to write (default: stdout)")
    p.add_argument("--force", action="store_true", help="overwrite an existing file")

    p = sub.add_parser("ls", help="list run directories with their state")
    p.add_argument("dir", nargs="?", default="runs")

    p = sub.add_parser("stop", help="ask a running search to stop after the current trial")
    p.add_argument("run_dir")
    p.add_argument("--now", action="store_true", help="stop the running trial too")

    p = sub.add_parser("worker", help="join a distributed search as a Keras Tuner worker")
    p.add_argument("run_dir")
    p.add_argument("--chief", required=True, metavar="HOST:PORT", help="the oracle's address")
    p.add_argument("--tuner-id", default=None, help="this worker's name (default: host-pid)")

    p = sub.add_parser("chief", help="serve the Keras Tuner oracle (run --workers starts it)")
    p.add_argument("run_dir")
    p.add_argument("--listen", required=True, metavar="HOST:PORT")

    p = sub.add_parser("space", help="print a search space as YAML or JSON")
    p.add_argument("--default", action="store_true", help="the built-in space (the default)")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("validate", help="check a space file")
    p.add_argument("space")

    p = sub.add_parser("summary", help="Keras model summary of a space's default configuration")
    p.add_argument("space", nargs="?")
    p.add_argument("--dataset", default="digits")
    return parser


def main(argv: Sequence[str] | None = None, console: Console | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    names = set(parser._subparsers._group_actions[0].choices)  # type: ignore[union-attr]
    if not argv or (argv[0] not in names and not argv[0].startswith("-")):
        argv = ["open", *argv]
    args = parser.parse_args(argv)
    try:
        if args.command in CONSOLE_COMMANDS:
            if console is None:
                raise InputError("the console is not installed (tui package missing)")
            return console(args)
        return COMMANDS[args.command](args)
    except InputError as exc:
        print(f"tunedeck: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("tunedeck: interrupted", file=sys.stderr)
        return 130


def load_space(path: str | None):  # noqa: ANN201 - engine.space.Space, imported lazily
    from engine.space import Space, default_space

    return default_space() if path is None else Space.load(path)


def cmd_space(args: argparse.Namespace) -> int:
    space = load_space(None)
    sys.stdout.write(space.to_json() if args.json else space.to_yaml())
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    space = load_space(args.space)
    grid = space.grid_size()
    size = f"grid of {grid:,} configuration{'s' * (grid != 1)}" if grid is not None else (
        f"infinite grid ({space.continuous()[0]} is continuous)"
    )  # fmt: skip
    print(
        f"{args.space}: valid, {len(space.params)} parameters, {len(space.tuned())} tuned, {size}"
    )
    return 0


def cmd_summary(args: argparse.Namespace) -> int:
    from engine.data.datasets import load_dataset
    from engine.model.builder import model_summary

    space = load_space(args.space)
    data = load_dataset(args.dataset)
    print(model_summary(space.defaults(), data.input_shape, data.n_classes))
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from engine.backends import needs_data
    from engine.backends.planner import plan
    from engine.run.settings import RunSettings
    from engine.runner import load_data, prepare

    space = load_space(args.space)
    settings = RunSettings(
        dataset=args.dataset,
        target=args.target,
        backend=args.backend,
        algorithm=args.algorithm,
        max_trials=args.max_trials,
        cv=args.cv,
        seed=args.seed,
        epochs=args.epochs,
        subsample=args.subsample,
        n_jobs=args.n_jobs,
        workers=args.workers,
        chief=args.chief,
    )
    if args.chief:
        from engine.backends.keras_tuner.distributed import parse_address

        parse_address(args.chief)
    check_dataset(args.dataset, args.target)
    # Everything that can be wrong with the input fails here, before a run directory exists.
    dataset = load_data(space, settings) if needs_data(plan(space, settings).backend) else None
    run = prepare(args.run_dir or default_run_dir(args.dataset), space, settings)
    try:
        return _execute(run, args, dataset)
    except Exception:
        run.discard_unstarted()  # it failed before its first event: leave no half-made run
        raise


def check_dataset(spec: str, target: str | None = None) -> None:
    """The cheap part of loading a dataset, done before a run directory is made: a builtin
    name, or an existing .csv/.npz file (its contents are checked when the search loads it)."""
    from engine.data.datasets import BUILTIN
    from engine.errors import DataError

    path = Path(spec).expanduser()
    suffix = path.suffix.lower()
    if spec.strip().lower() in BUILTIN:
        pass
    elif suffix in (".csv", ".npz"):
        if not path.is_file():
            raise DataError("not a file" if path.exists() else "no such file", source=spec)
    elif path.exists():
        raise DataError("unsupported file type; expected a .csv or .npz file", source=spec)
    else:
        raise DataError(
            f"unknown dataset; use one of {', '.join(BUILTIN)} or a .csv/.npz file path",
            source=spec or "--dataset",
        )
    if target is not None and suffix != ".csv":
        raise InputError(f"only a CSV dataset has columns to pick, not {spec!r}", source="--target")


def default_run_dir(dataset: str) -> str:
    stem = Path(dataset).stem.replace(" ", "_") or "data"
    return str(Path("runs") / f"{time.strftime('%Y%m%d-%H%M%S')}-{stem}")


def cmd_resume(args: argparse.Namespace) -> int:
    from engine.run.rundir import RunDir

    return _execute(RunDir.open(args.run_dir), args)


def _execute(run, args: argparse.Namespace, dataset=None) -> int:  # noqa: ANN001 - RunDir, Dataset
    from engine.backends.base import RecycleProcess, StopSearch
    from engine.export.report import LinePrinter, summary
    from engine.run.results import load_results
    from engine.runner import SearchFailedError, run_search

    if os.environ.pop("TUNEDECK_PRIORITY", "normal") == "idle":
        lower_priority()
    sinks = []
    if args.jsonl:
        sinks.append(lambda event: print(event.to_json(), flush=True))
    elif not args.quiet:
        restarted = os.environ.pop("TUNEDECK_RESTARTED", None) is not None
        sinks.append(
            LinePrinter(run.space().tuned(), load_results(run.path), announce=not restarted)
        )
    try:
        results = run_search(run, sinks=sinks, handle_signals=True, dataset=dataset, recycle=True)
    except RecycleProcess:
        flags = ["--jsonl"] if args.jsonl else ["--quiet"] if args.quiet else []
        sys.stdout.flush()
        sys.stderr.flush()
        command = [sys.executable, "-m", "engine", "resume", str(run.path), *flags]
        os.environ["TUNEDECK_RESTARTED"] = "1"
        os.execv(sys.executable, command)  # same pid, terminal and session; a fresh heap
    except StopSearch:
        print(f"stopped; continue with: tunedeck resume {run.path}", file=sys.stderr)
        return 130
    except SearchFailedError as exc:
        print(f"tunedeck: search failed: {exc}", file=sys.stderr)
        return 1
    if not args.jsonl:
        print(summary(results, str(run.path), run.space().tuned()))
    return 0


def lower_priority() -> None:
    """The idle scheduling class (Linux; nice 19 elsewhere), for searches the console starts:
    they take every free cycle but never delay a key press. Chief and workers inherit it."""
    try:
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    except (AttributeError, OSError):
        os.nice(19)


def cmd_export(args: argparse.Namespace) -> int:
    from engine.export.exporter import export

    written = export(args.run_dir, args.format, args.output, force=args.force)
    if written is not None:
        print(f"wrote {written}", file=sys.stderr)
    return 0


def cmd_ls(args: argparse.Namespace) -> int:
    from engine.export.listing import list_runs

    for line in list_runs(args.dir):
        print(line)
    return 0


def cmd_stop(args: argparse.Namespace) -> int:
    from engine.run.rundir import RunDir

    run = RunDir.open(args.run_dir)
    if not run.is_running():
        raise InputError("no search is running there", source=args.run_dir)
    run.request_stop("now" if args.now else "after-trial")
    when = "now" if args.now else "after the current trial"
    print(f"asked the search in {args.run_dir} to stop {when}", file=sys.stderr)
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    import socket

    from engine.backends.base import RecycleProcess
    from engine.backends.keras_tuner.distributed import parse_address, work
    from engine.run.rundir import RunDir

    parse_address(args.chief)
    tuner_id = args.tuner_id or f"{socket.gethostname()}-{os.getpid()}"
    try:
        return work(RunDir.open(args.run_dir), tuner_id, args.chief)
    except RecycleProcess:  # a fresh heap, same pid and id
        command = ["worker", args.run_dir, "--chief", args.chief, "--tuner-id", tuner_id]
        os.execv(sys.executable, [sys.executable, "-m", "engine", *command])


def cmd_chief(args: argparse.Namespace) -> int:
    from engine.backends.keras_tuner.distributed import serve
    from engine.run.rundir import RunDir

    return serve(RunDir.open(args.run_dir), args.listen)


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "worker": cmd_worker,
    "chief": cmd_chief,
    "run": cmd_run,
    "resume": cmd_resume,
    "export": cmd_export,
    "ls": cmd_ls,
    "stop": cmd_stop,
    "space": cmd_space,
    "validate": cmd_validate,
    "summary": cmd_summary,
}

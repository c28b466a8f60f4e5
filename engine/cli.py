"""The command line: one argparse parser to which each part adds its commands.

`python -m engine` gets the headless commands (`run`, `resume`, `export`, `ls`, `stop`, …);
`tunedeck` (tui.cli) builds the same `CommandLine`, adds the console's own commands and makes
`open` the default. The engine never calls into the console.

stdout carries results, stderr diagnostics. Exit codes: 0 ok, 1 search failed, 2 bad input,
130 interrupted.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn

from engine.errors import InputError, printable
from engine.system.leave import leave as leave  # the entry points end with it

Handler = Callable[[argparse.Namespace], int]
DESCRIPTION = "Tune Keras models from the terminal (headless)."


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}\n")


class CommandLine:
    """`tunedeck COMMAND …`: a parser and a handler per command, dispatched with the exit codes."""

    def __init__(self, description: str = DESCRIPTION) -> None:
        self.parser = _Parser(prog="tunedeck", description=description)
        self._commands = self.parser.add_subparsers(
            dest="command", metavar="COMMAND", parser_class=_Parser
        )
        self.handlers: dict[str, Handler] = {}

    def add(self, name: str, handler: Handler, help: str) -> argparse.ArgumentParser:
        """A new command; returns its parser for the command's own arguments."""
        self.handlers[name] = handler
        return self._commands.add_parser(name, help=help)

    def parse(
        self, argv: Sequence[str] | None = None, default: str | None = None
    ) -> argparse.Namespace:
        """Parse `argv`; with a `default` command, arguments that name no command are its own."""
        args = list(sys.argv[1:] if argv is None else argv)
        if default and (not args or (args[0] not in self.handlers and not args[0].startswith("-"))):
            args = [default, *args]
        parsed = self.parser.parse_args(args)
        if parsed.command is None:
            self.parser.error("a command is required")
        return parsed

    def main(self, argv: Sequence[str] | None = None, default: str | None = None) -> int:
        """Run one command line; returns the exit code (argparse exits 0 or 2 by itself)."""
        args = self.parse(argv, default)
        try:
            return self.handlers[args.command](args)
        except InputError as exc:
            print(f"tunedeck: error: {printable(str(exc))}{_traceback_log(exc)}", file=sys.stderr)
            return 2
        except KeyboardInterrupt:
            print("tunedeck: interrupted", file=sys.stderr)
            return 130


def _traceback_log(exc: InputError) -> str:
    """Where the full traceback of the user's code that raised was written, if it did."""
    if not exc.details:
        return ""
    from engine.system.places import new_log

    path = new_log("traceback")  # under the user's state folder, the oldest pruned
    path.write_text(exc.details, encoding="utf-8")
    return f" (traceback in {path})"


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value}")
    return value


def _at_most(name: str, parse: Callable[[str], int] = _positive) -> Callable[[str], int]:
    """A count parsed by `parse` and held to its upper bound (`engine.run.limits`)."""

    def count(text: str) -> int:
        from engine.run.limits import limit_problem

        value = parse(text)
        if problem := limit_problem(name, value):
            raise argparse.ArgumentTypeError(problem)
        return value

    count.__name__ = name
    return count


def _workers(text: str) -> int:
    """`auto` (the planner picks; stored as 0) or a positive count."""
    from engine.run.settings import AUTO_WORKERS

    return AUTO_WORKERS if text.strip().lower() == "auto" else _at_most("workers")(text)


def _integer(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None


def _folder(text: str) -> str:
    """A folder by its full path (a run directory is used from other folders)."""
    from pathlib import Path

    return str(Path(text).expanduser().resolve())


def add_headless_commands(cli: CommandLine) -> None:
    """The engine's commands, each with its arguments and handler (`engine.commands.headless`)."""
    from engine.commands import headless as cmd
    from engine.export.formats import FORMATS
    from engine.objective.metric import TASKS
    from engine.run.control import Output, Priority
    from engine.run.settings import ALGORITHMS, BACKENDS

    def data_flags(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--dataset",
            default=None,
            help="builtin name, CSV/NPZ file or loader FILE.py:FUNCTION "
            "(default: the space's data:, else digits)",
        )
        p.add_argument(
            "--task",
            default=None,
            choices=TASKS,
            help="default: the space's task, else inferred from the labels",
        )
        p.add_argument(
            "--objective",
            default=None,
            metavar="METRIC[:min|max][,…]",
            help="metric to optimise, e.g. val_loss:min or val_auc; several, "
            "comma-separated, for a Pareto front (val_accuracy,params:min)",
        )

    def outputs(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            f"--{Output.JSONL}", action="store_true", help="stream events as JSON lines to stdout"
        )
        p.add_argument(f"--{Output.QUIET}", action="store_true", help="print only the summary")
        p.add_argument(
            "--priority",
            choices=list(Priority),
            default=Priority.NORMAL,
            help="idle: take only the CPU nothing else wants (how the console starts searches)",
        )

    p = cli.add("run", cmd.run, help="run a search headless")
    p.add_argument("space", nargs="?", help="space file (default: the built-in space)")
    data_flags(p)
    p.add_argument("--target", default=None, help="target column of a CSV dataset")
    p.add_argument(
        "--data-home",
        default=None,
        metavar="DIR",
        type=_folder,
        help="scikit-learn's data folder, OpenML's cache (default: ~/scikit_learn_data)",
    )
    p.add_argument("--backend", default="auto", choices=BACKENDS)
    p.add_argument("--algorithm", default="auto", choices=ALGORITHMS)
    p.add_argument(
        "--max-trials",
        type=_at_most("max_trials"),
        default=None,
        help="trial budget (default: 10; a grid search runs its whole grid)",
    )
    p.add_argument("--cv", type=_at_most("cv"), default=3, help="folds (scikit-learn backend)")
    p.add_argument(
        "--executions",
        type=_at_most("executions"),
        default=1,
        metavar="N",
        help="fits per trial, their scores averaged (Keras Tuner)",
    )
    p.add_argument("--seed", type=_integer, default=0)
    p.add_argument(
        "--epochs", type=_at_most("epochs"), default=None, help="fix every trial's epochs"
    )
    p.add_argument("--subsample", type=_positive, default=None, help="use N samples")
    p.add_argument(
        "--n-jobs", type=_at_most("n_jobs", _integer), default=1, help="scikit-learn parallel jobs"
    )
    p.add_argument(
        "--workers",
        type=_workers,
        default=1,
        metavar="N|auto",
        help="trials run at once (auto: by cores, GPUs and the search's size)",
    )
    p.add_argument(
        "--prune",
        action="store_true",
        help="stop trials trailing the median of completed trials at the same epoch (one "
        "objective) or dominated at the same epoch by 3 completed trials (several), and "
        "models breaking a params or latency_ms constraint before they train (Keras Tuner "
        "random, grid, Bayesian)",
    )
    p.add_argument(
        "--oom-retry",
        action="store_true",
        help="run a trial that ran out of memory once more at half its batch size",
    )
    p.add_argument(
        "--chief",
        default=None,
        metavar="HOST:PORT",
        help="serve the Keras Tuner oracle here, for workers on other machines",
    )
    p.add_argument("--run-dir", default=None, help="where to write (default: runs/<time>-<data>)")
    p.add_argument("--request", default=None, help=argparse.SUPPRESS)  # the console's start
    outputs(p)

    p = cli.add("resume", cmd.resume, help="continue an interrupted search, or add trials")
    p.add_argument("run_dir")
    p.add_argument(
        "--more",
        type=_positive,
        default=None,
        metavar="N",
        help="N trials more, on the same oracle or candidates (a finished search too)",
    )
    p.add_argument(
        "--space",
        default=None,
        metavar="FILE",
        help="search this (widened or edited) space from now on; earlier trials "
        "outside it are kept but not used",
    )
    outputs(p)
    p.add_argument("--restarted", action="store_true", help=argparse.SUPPRESS)

    p = cli.add("enqueue", cmd.enqueue, help="run a hand-written configuration next")
    p.add_argument("run_dir")
    p.add_argument("file", metavar="FILE.yaml", help="values for the space's parameters")

    p = cli.add("export", cmd.export, help="export the best configuration or all trials")
    p.add_argument("run_dir")
    p.add_argument("--format", required=True, choices=FORMATS)
    p.add_argument("-o", "--output", default=None, help="file to write (default: stdout)")
    p.add_argument("--force", action="store_true", help="overwrite an existing file")
    p.add_argument(
        "--pick",
        default=None,
        metavar="TRIAL",
        help="this trial's configuration instead of the best's (yaml, json, python): "
        "a point of a Pareto front",
    )

    p = cli.add("ls", cmd.ls, help="list run directories with their state")
    p.add_argument("dir", nargs="?", help="a folder of runs, or one run (default: runs)")

    p = cli.add("stop", cmd.stop, help="ask a running search to stop after the current trial")
    p.add_argument("run_dir")
    p.add_argument("--now", action="store_true", help="stop the running trial too")

    p = cli.add("worker", cmd.worker, help="join a distributed search as a Keras Tuner worker")
    p.add_argument("run_dir")
    p.add_argument("--chief", required=True, metavar="HOST:PORT", help="the oracle's address")
    p.add_argument("--tuner-id", default=None, help="this worker's name (default: host-pid)")
    p.add_argument("--parent", type=int, default=None, help=argparse.SUPPRESS)

    p = cli.add("chief", cmd.chief, help="serve the Keras Tuner oracle (run --workers starts it)")
    p.add_argument("run_dir")
    p.add_argument("--listen", required=True, metavar="HOST:PORT")
    p.add_argument("--parent", type=int, default=None, help=argparse.SUPPRESS)

    p = cli.add("space", cmd.space, help="print a search space as YAML or JSON")
    p.add_argument("--default", action="store_true", help="the built-in space (the default)")
    p.add_argument("--json", action="store_true")
    p.add_argument(
        "--from",
        dest="source",
        default=None,
        metavar="SOURCE",
        help="a space file, a W&B sweep.yaml, an NNI search_space.json, or a "
        "Keras Tuner build function FILE.py:FUNCTION (its declared space)",
    )
    p.add_argument(
        "--dataset",
        default=None,
        help="data a build function needs to declare its space (input_shape, …)",
    )
    p.add_argument(
        "--to",
        default=None,
        choices=("wandb", "nni"),
        help="print it as a W&B sweep or an NNI search space instead",
    )

    p = cli.add("validate", cmd.validate, help="check a space file")
    p.add_argument("space")

    p = cli.add(
        "summary", cmd.summary, help="Keras model summary of a space's default configuration"
    )
    p.add_argument("space", nargs="?")
    data_flags(p)
    p.add_argument("--target", default=None, help="target column of a CSV dataset")
    p.add_argument(
        "--timing",
        action="store_true",
        help="time a short fit of it instead, as JSON (what estimates scale)",
    )

    from engine.analysis.commands import add_commands as add_analysis_commands

    add_analysis_commands(cli)

    p = cli.add(
        "rerun",
        cmd.rerun,
        help="train the top configurations again with several seeds: "
        "is the winner's lead larger than the seed noise?",
    )
    p.add_argument("run_dir")
    p.add_argument("--top", type=_at_most("top"), default=3, help="configurations (default 3)")
    p.add_argument("--seeds", type=_at_most("seeds"), default=3, help="seeds each (default 3)")
    p.add_argument("--json", action="store_true", help="print the report as JSON")

    p = cli.add("init", cmd.init, help="write a starter model.py and space.yaml to tune your model")
    p.add_argument("dir", nargs="?", default=".")
    p.add_argument("--force", action="store_true", help="overwrite existing starter files")


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m engine`: the headless commands only."""
    cli = CommandLine()
    add_headless_commands(cli)
    return cli.main(argv)

"""The analysis commands of the command line: importance, compare and report.

Each command imports what it reads with only when it runs: the console builds this parser
before its first paint."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from engine.errors import InputError

if TYPE_CHECKING:
    from engine.cli import CommandLine


def add_commands(cli: CommandLine) -> None:
    """`importance`, `compare` and `report`, each with its arguments and handler."""
    add = cli.add
    p = add("importance", importance, help="which hyperparameters mattered most in a run")
    p.add_argument("run_dir")
    p.add_argument("--json", action="store_true", help="print the table as JSON")
    p = add("compare", compare, help="compare runs: best scores, best configurations, progress")
    p.add_argument("run_dirs", nargs="+", metavar="RUN_DIR")
    p.add_argument("--json", action="store_true", help="print the comparison as JSON")
    p = add("report", report, help="write a self-contained HTML report of a run")
    p.add_argument("run_dir")
    p.add_argument("-o", "--output", required=True, help="the HTML file to write")
    p.add_argument("--force", action="store_true", help="overwrite an existing file")


def _print(lines: list[str]) -> None:
    sys.stdout.write("".join(line + "\n" for line in lines))


def importance(args: argparse.Namespace) -> int:
    from engine.analysis.importance import importance as estimate
    from engine.analysis.runs import open_run
    from engine.analysis.text import importance_lines

    result = estimate(open_run(args.run_dir))
    _print([json.dumps(result.to_dict(), indent=2)] if args.json else importance_lines(result))
    return 0


def compare(args: argparse.Namespace) -> int:
    from engine.analysis.compare import compare_runs
    from engine.analysis.runs import open_run, run_task
    from engine.analysis.text import comparison_lines

    runs = [(path, open_run(path)) for path in args.run_dirs]
    comparison = compare_runs(runs, [run_task(path) for path in args.run_dirs])
    _print(
        [json.dumps(comparison.to_dict(), indent=2)] if args.json else comparison_lines(comparison)
    )
    return 0


def report(args: argparse.Namespace) -> int:
    from engine.analysis.html import write_report
    from engine.analysis.runs import open_run

    target = Path(args.output)
    if target.exists() and not args.force:
        raise InputError(
            "exists (choose another name, or --force to overwrite)", source=str(target)
        )
    if target.exists() and not target.is_file():
        raise InputError("exists and is not a file", source=str(target))
    from engine.run.writable import write_problem

    if why := write_problem(target.parent, 2**20):  # before the report is drawn
        raise InputError(f"cannot write ({why})", source=str(target))
    results = open_run(args.run_dir)
    try:
        write_report(results, args.run_dir, target)
    except OSError as exc:
        raise InputError(f"cannot write ({exc.strerror})", source=str(target)) from None
    print(f"wrote {target}", file=sys.stderr)
    return 0

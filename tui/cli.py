"""The `tunedeck` entry point: the engine's command line plus the console's own commands.

With no command, or a space file, `tunedeck` opens the console. Textual is imported only when
the console opens; headless commands never load it.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import NoReturn

from engine.cli import CommandLine, add_headless_commands, leave

DESCRIPTION = (
    "Tune Keras models from the terminal. With no command, or a space file, opens the console."
)
DEFAULT = "open"


def open_console(args: argparse.Namespace) -> int:
    from tui.launch import launch

    return launch(args)


def list_keys(args: argparse.Namespace) -> int:
    from tui.keymap import keys_lines, read_keymap

    print("\n".join(keys_lines(read_keymap())))
    return 0


def command_line() -> CommandLine:
    """`tunedeck`'s parser: the console's commands first, then the engine's headless ones."""
    cli = CommandLine(DESCRIPTION)
    p = cli.add(
        "open", open_console, help="open the console on a space (the default with no command)"
    )
    p.add_argument("space", nargs="?", help="a YAML/JSON space file (default: the built-in space)")
    p.add_argument("--dataset", default=None, help="dataset name or CSV/NPZ file")
    p = cli.add("attach", open_console, help="open the console's monitor of a run directory")
    p.add_argument("run_dir")
    cli.add("keys", list_keys, help="the console's key bindings by id, with your keymap's keys")
    add_headless_commands(cli)
    return cli


def main(argv: Sequence[str] | None = None) -> int:
    return command_line().main(argv, default=DEFAULT)


def entry() -> NoReturn:
    """The installed `tunedeck` command: `main`, then an exit without the interpreter's
    teardown (a second or more once TensorFlow is loaded; see `engine.system.leave`)."""
    leave(main())


if __name__ == "__main__":
    entry()

"""The `tunedeck` entry point: the console for interactive commands, the engine for the rest.

Textual is imported only when the console opens; headless commands never load it.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def open_console(args: argparse.Namespace) -> int:
    from tui.launch import launch

    return launch(args)


def main(argv: Sequence[str] | None = None) -> int:
    from engine.cli import main as engine_main

    return engine_main(argv, console=open_console)


if __name__ == "__main__":
    sys.exit(main())

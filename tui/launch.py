"""`tunedeck [SPACE]` and `tunedeck attach RUN_DIR`: check the input, then open the console.

Every input problem is raised as an `InputError` before Textual starts, so the command line
prints it as one line and exits 2 on a plain terminal (no half-drawn screen).
"""

from __future__ import annotations

import argparse
import gc
import os
from typing import Any

from engine.face import (
    AUTO_WORKERS,
    RunDir,
    RunSettings,
    Space,
    check_dataset,
    dataset_spec,
    default_space,
    target_spec,
)


def launch(args: argparse.Namespace) -> int:
    """Open the console; returns the exit code."""
    if args.command == "attach":
        run = RunDir.open(args.run_dir)
        space, settings = run.space(), run.settings()
        options: dict[str, Any] = {"attach": run.path}
    else:
        path = getattr(args, "space", None)
        space = Space.load(path) if path else default_space()
        given = getattr(args, "dataset", None)
        dataset = dataset_spec(given, space.resolved().source.data)
        target = target_spec(given, None, space.source.target)
        check_dataset(dataset, target)
        settings = RunSettings(dataset=dataset, target=target, workers=AUTO_WORKERS)
        options = {"space_path": path}

    from tui.app import make_app
    from tui.keymap import read_keymap

    keymap = read_keymap()  # a bad keymap is one line here, before the screen is drawn
    warm = os.environ.get("TUNEDECK_WARM", "1") != "0"  # 0: no standby engine
    app = make_app(space, settings, warm_engine=warm, keymap=keymap, **options)
    app.run()
    gc.unfreeze()  # the console froze its startup objects (tui.app.freeze_startup): give
    # them back, so that the interpreter's last collection finalizes them as before
    for line in app.farewell():
        print(line)
    return app.return_code or 0

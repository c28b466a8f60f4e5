"""Making a run directory ready to search: its name, and its plan fixed in its settings.

Light (no backend, no numpy): the console prepares the runs it starts, then hands them to a
`python -m engine resume` child.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

from engine.data.catalog import absolute_dataset
from engine.plan.planner import plan
from engine.run.rundir import RunDir
from engine.run.settings import RunSettings
from engine.space import Space

RUNS = "runs"


def new_run_dir(dataset: str, root: str | Path = RUNS) -> Path:
    """`runs/<YYYYmmdd-HHMMSS>-<dataset>`, made unique within a second (`-2`, `-3`, …)."""
    stem = Path(dataset).stem.replace(" ", "_") or "data"
    base = Path(root) / f"{time.strftime('%Y%m%d-%H%M%S')}-{stem}"
    path, n = base, 1
    while path.exists():
        n += 1
        path = base.with_name(f"{base.name}-{n}")
    return path


def prepare(
    path: str | Path, space: Space, settings: RunSettings, *, keep_lock: bool = False
) -> RunDir:
    """Create a run directory with the plan's backend and algorithm fixed in its settings
    (`keep_lock`: still holding the runner lock, for the search this process runs next)."""
    chosen = plan(space, settings)
    resolved = settings.but(
        backend=chosen.backend,
        algorithm=chosen.algorithm,
        reason=chosen.reason,
        dataset=absolute_dataset(settings.dataset),
    )
    # its own .py files by full path
    return RunDir.create(path, space.resolved(), resolved, keep_lock=keep_lock)


def write_request(space: Space, settings: RunSettings) -> Path:
    """A private temporary folder holding a search to start (see `control.start_args`)."""
    folder = Path(tempfile.mkdtemp(prefix="tunedeck-request-"))
    try:
        prepare(folder, space, settings)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return folder


def take_request(folder: str | Path) -> tuple[Space, RunSettings]:
    """The space and settings of a request, which is removed: it is read once."""
    request = RunDir.open(folder)
    try:
        return request.space(), request.settings()
    finally:
        shutil.rmtree(request.path, ignore_errors=True)

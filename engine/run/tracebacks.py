"""A failed trial's traceback, kept in the run directory beside the journal.

The journal records a failure's one-line reason; the full traceback goes to
`tracebacks/<trial id>.txt` (written atomically, at most one per trial id), so that the
console and the report can show where a trial broke long after its process is gone.
"""

from __future__ import annotations

import traceback
from pathlib import Path

from engine.system.atomic import write_text

FOLDER = "tracebacks"
LIMIT = 200_000  # characters kept of one traceback (a deep recursion can be huge)


def traceback_path(run_dir: str | Path, trial_id: str) -> Path:
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in trial_id)
    return Path(run_dir) / FOLDER / f"{safe}.txt"


def save_traceback(run_dir: str | Path, trial_id: str, exc: BaseException) -> None:
    """Keep `exc`'s traceback for the trial; a run directory that cannot be written loses only
    this copy (the journal still has the reason)."""
    text = "".join(traceback.format_exception(exc))[-LIMIT:]
    path = traceback_path(run_dir, trial_id)
    try:
        path.parent.mkdir(exist_ok=True)
        write_text(path, text)
    except OSError:
        pass


def read_traceback(run_dir: str | Path, trial_id: str) -> str | None:
    try:
        return traceback_path(run_dir, trial_id).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None

"""Where tunedeck keeps its own files outside a run directory, in the places the platform
gives an application (platformdirs: `$XDG_STATE_HOME/tunedeck` and `$XDG_CACHE_HOME/tunedeck`
on Linux), never loose in the system's temporary folder.

- logs/: what a crashed start or a failed import of the user's code left to read (its full
  traceback, a worker's output); the newest `KEPT_LOGS` are kept, older ones removed.
- locks/: one lock file per downloaded file, so two processes never fetch the same one.
- keymap.yaml, in the config folder (`$XDG_CONFIG_HOME/tunedeck`): the user's own keys for the
  console (`$TUNEDECK_KEYMAP` names another file).
"""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import platformdirs

APP = "tunedeck"
KEPT_LOGS = 20
MAX_LOG_AGE_S = 14 * 24 * 3600


def state_dir() -> Path:
    return Path(platformdirs.user_state_dir(APP, appauthor=False))


def keymap_file() -> Path:
    """The console's keymap: `$TUNEDECK_KEYMAP`, else keymap.yaml in tunedeck's config folder."""
    given = os.environ.get("TUNEDECK_KEYMAP")
    if given:
        return Path(given).expanduser()
    return Path(platformdirs.user_config_dir(APP, appauthor=False)) / "keymap.yaml"


def logs_dir() -> Path:
    return state_dir() / "logs"


def new_log(prefix: str) -> Path:
    """A fresh, empty log file under logs/ (`<prefix>-<time>-<pid>.log`), older logs pruned
    first; falls back to the temporary folder if the state folder cannot be written."""
    folder = logs_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        prune_logs(folder)
    except OSError:
        import tempfile

        folder = Path(tempfile.gettempdir())
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for n in range(1000):
        path = folder / f"{prefix}-{stamp}-{os.getpid()}{f'-{n}' if n else ''}.log"
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            return path
        except FileExistsError:
            continue
    raise FileExistsError(f"no free log name under {folder}")


def prune_logs(folder: Path, keep: int = KEPT_LOGS, max_age_s: float = MAX_LOG_AGE_S) -> None:
    """Remove logs older than `max_age_s`, and all but the newest `keep` of the rest."""
    try:
        logs = sorted(
            ((p.stat().st_mtime, p) for p in folder.glob("*.log")), reverse=True, key=lambda t: t[0]
        )
    except OSError:
        return
    now = time.time()
    for i, (mtime, path) in enumerate(logs):
        if i >= keep or now - mtime > max_age_s:
            path.unlink(missing_ok=True)


def lock_for(target: Path) -> Path:
    """The lock file guarding `target` (named by a hash of its absolute path)."""
    folder = Path(platformdirs.user_cache_dir(APP, appauthor=False)) / "locks"
    folder.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256(str(target.resolve()).encode()).hexdigest()[:24]
    return folder / f"{target.name}.{digest}.lock"

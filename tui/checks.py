"""Input checks shared by the command line and the dialogs (no Textual: `launch` uses them
before the console starts)."""

from __future__ import annotations

from pathlib import Path

from engine.data.datasets import BUILTIN


def check_dataset(spec: str) -> str | None:
    """None for a builtin name or an existing .csv/.npz file; the problem otherwise."""
    spec = spec.strip()
    if spec.lower() in BUILTIN:
        return None
    path = Path(spec).expanduser()
    if path.suffix.lower() in (".csv", ".npz"):
        return None if path.is_file() else f"{spec}: no such file"
    return f"unknown dataset {spec!r}: use one of {', '.join(BUILTIN)} or a .csv/.npz file"

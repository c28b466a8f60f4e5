"""Reading a run's journals as plain JSON records, the way a tail would (torn lines skipped)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def records(run_dir: Path, pattern: str = "events*.jsonl") -> list[dict[str, Any]]:
    """Every complete record of the run's journals matching `pattern`, file by file."""
    out: list[dict[str, Any]] = []
    for path in sorted(Path(run_dir).glob(pattern)):
        for line in path.read_text().splitlines():
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError:
                continue
    return out

"""The space editor's estimate before a search: the warm engine times a short fit of the
default configuration on the data (`tunedeck summary --timing`), once per dataset and model,
and the side panel scales it by the plan, as the search itself will before its first trial.
The console never loads TensorFlow: the engine answers in JSON.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from engine.face import RunSettings, Space, Timing
from tui.bridge import Standby, ask_engine

Key = tuple[str, str | None, str, str | None]


def timing_key(space: Space, settings: RunSettings) -> Key:
    """What the timing depends on: the data and the model (not each edit of a range)."""
    source = space.resolved().source
    return (settings.dataset, settings.target, str(source.model or ""), source.task)


async def ask_timing(standby: Standby, space: Space, settings: RunSettings) -> Timing | None:
    """The warm engine's timing, or None when it cannot time this model or data (the panel
    then keeps its rough figure)."""
    with tempfile.TemporaryDirectory(prefix="tunedeck-") as tmp:
        path = Path(tmp) / "space.yaml"
        space.resolved().save(path)  # the copy lives elsewhere: full paths
        target = ("--target", settings.target) if settings.target else ()
        result = await ask_engine(
            standby, "summary", str(path), "--dataset", settings.dataset, *target, "--timing"
        )
    if result.returncode != 0:
        return None
    try:
        data = json.loads(result.stdout)
        return Timing.from_dict(data) if isinstance(data, dict) else None
    except (ValueError, TypeError, KeyError):
        return None


class ModelTimer:
    """The timings asked of the warm engine, by what they depend on (asked once each)."""

    def __init__(self) -> None:
        self.timings: dict[Key, Timing | None] = {}
        self.asked: set[Key] = set()

    def get(self, space: Space, settings: RunSettings) -> Timing | None:
        return self.timings.get(timing_key(space, settings))

    def wanted(self, space: Space, settings: RunSettings, standby: Standby | None) -> Key | None:
        """The key to time now: only on a warm, idle engine, and never twice."""
        if settings.backend == "fake" or standby is None or standby.busy():
            return None
        key = timing_key(space, settings)
        return None if key in self.asked or not standby.ready() else key

    async def fetch(
        self, key: Key, standby: Standby, space: Space, settings: RunSettings
    ) -> Timing | None:
        self.asked.add(key)
        self.timings[key] = await ask_timing(standby, space, settings)
        return self.timings[key]

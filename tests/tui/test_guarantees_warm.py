"""README: half a second after it opens, the console starts a warm engine (a standby process
that imports TensorFlow ahead), and again after each search it hands one; `TUNEDECK_WARM=0`
turns it off. Guards `tui.launch` reading the variable and `TuneDeckApp.warm_up` keeping to
it. The standby is recorded rather than started: what is checked is whether the console asks
for one, not the standby itself (tests/tui/test_standby.py)."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

import pytest

from tui import app as app_module
from tui.launch import launch


class Recorded:
    """Stands where `tui.app.Standby` is made: counts the console's asks, starts nothing."""

    made: list[Recorded] = []

    def __init__(self) -> None:
        Recorded.made.append(self)

    def alive(self) -> bool:
        return True

    def busy(self) -> bool:
        return False

    def ready(self) -> bool:
        return False  # the editor's timing then asks a process of its own, as before warm-up

    def close(self) -> None:
        pass


def _standbys_asked(monkeypatch: pytest.MonkeyPatch, warm: str | None) -> int:
    """Open the console through `launch` as `tunedeck` does, leave it open past its warm-up
    and the one after a search, and count the standby engines it asked for."""
    if warm is None:
        monkeypatch.delenv("TUNEDECK_WARM", raising=False)
    else:
        monkeypatch.setenv("TUNEDECK_WARM", warm)
    Recorded.made = []
    monkeypatch.setattr(app_module, "Standby", Recorded)

    async def drive(app: app_module.TuneDeckApp) -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause(1.0)  # the warm-up is due at 0.5 s
            app.standby = None  # as after a search took it
            app.warm_up()
            await pilot.pause()

    monkeypatch.setattr(app_module.TuneDeckApp, "run", lambda self: asyncio.run(drive(self)))
    launch(argparse.Namespace(command="open", space=None, dataset="iris"))
    return len(Recorded.made)


def test_tunedeck_warm_0_starts_no_standby_engine(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _standbys_asked(monkeypatch, "0") == 0


def test_without_tunedeck_warm_the_console_keeps_a_standby_engine(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The other side, so that the test above cannot pass by the console never warming up."""
    assert _standbys_asked(monkeypatch, None) == 2

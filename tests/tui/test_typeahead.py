"""Keys typed ahead, as they arrive over SSH: a whole sequence at once, none lost or misplaced.

The pty tests write each sequence to the real `tunedeck` binary in ONE write and read the
result from files the console writes (a saved space, a run's settings), not from the screen.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
from pathlib import Path

import pytest
from textual import events

from engine.face import RunDir, Space
from tests.tui.helpers import journal, wait_for_file
from tui.app import TuneDeckApp, make_app
from tui.screens.space import SpaceScreen

BINARY = Path(sys.executable).with_name("tunedeck")
ENTER, BSPACE, END, DELETE, CTRL_U = "\r", "\x7f", "\x1b[F", "\x1b[3~", "\x15"


class Pty:
    """`tunedeck` on a pseudo-terminal of 80×24; what it draws is read and kept, unparsed."""

    def __init__(self, cwd: Path, env: dict[str, str]) -> None:
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        self.process = subprocess.Popen(
            [str(BINARY)],
            cwd=cwd,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env={**os.environ, "TERM": "xterm-256color", **env},
            start_new_session=True,
        )
        os.close(slave)
        self.output = bytearray()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        with contextlib.suppress(OSError):
            while chunk := os.read(self.master, 65536):
                self.output += chunk

    def wait_for(self, text: bytes, timeout: float = 30.0) -> None:
        wait_for_file(lambda: text in self.output, timeout)

    def type(self, keys: str) -> None:
        """The whole sequence in one write, as a burst arrives from a slow link."""
        assert os.write(self.master, keys.encode()) == len(keys.encode())

    def close(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        os.close(self.master)


@pytest.fixture
def console(workdir: Path):
    term = Pty(workdir, {"TUNEDECK_FAKE_DELAY": "0.01", "NO_COLOR": "1"})
    try:
        term.wait_for(b"batch_size")
        yield term
    finally:
        term.close()


def test_a_burst_of_dialog_keys_in_a_terminal(console: Pty, workdir: Path) -> None:
    """Budget, epochs, a removed value, a save and a run, all typed before the first dialog."""
    console.type(
        f"t5{ENTER}"  # the budget field starts selected: typing replaces it
        f"e{END}{BSPACE}{BSPACE}15{ENTER}"
        f"t{CTRL_U}3{ENTER}"
        f"/batch_size{ENTER}j{DELETE}"
        f"w{CTRL_U}burst.yaml{ENTER}"
        "bbbr"  # the fake backend, then run
    )
    saved = wait_for_file(lambda: (workdir / "burst.yaml").exists() and workdir / "burst.yaml")
    assert Space.load(saved).params["batch_size"].values() == (32, 64)
    runs = wait_for_file(lambda: sorted((workdir / "runs").glob("*/settings.yaml")))
    assert len(runs) == 1
    settings = RunDir.open(runs[0].parent).settings()
    assert (settings.backend, settings.max_trials, settings.epochs) == ("fake", 3, 15)
    wait_for_file(lambda: (j := journal(runs[0].parent)) and j[-1]["type"] == "search_finished")


def test_keys_typed_into_a_closing_dialog_reach_the_editor(console: Pty, workdir: Path) -> None:
    """Enter closes the seed dialog; the keys after it are the editor's, not the field's."""
    console.type(f"s{CTRL_U}7{ENTER}w{CTRL_U}seeded.yaml{ENTER}bbbr")
    wait_for_file(lambda: (workdir / "seeded.yaml").exists())
    runs = wait_for_file(lambda: sorted((workdir / "runs").glob("*/settings.yaml")))
    settings = RunDir.open(runs[0].parent).settings()
    assert (settings.seed, settings.max_trials, settings.backend) == (7, None, "fake")
    wait_for_file(lambda: (j := journal(runs[0].parent)) and j[-1]["type"] == "search_finished")


def burst(app: TuneDeckApp, *keys: str) -> None:
    """Post every key at once, without the pauses `pilot.press` makes between keys."""
    for key in keys:
        app.post_message(events.Key(key, key if len(key) == 1 else None))


async def settle(pilot, app: TuneDeckApp) -> None:
    """Until every key posted is through the line and the console has settled after it."""
    line = app.typeahead

    async def through() -> bool:
        await line.settled()
        return not line.waiting and (line.task is None or line.task.done())

    deadline = time.monotonic() + 20
    while not await through():
        assert time.monotonic() < deadline, "keys still waiting after 20 s"
    await line.settled()


@pytest.mark.asyncio
async def test_a_burst_with_pilot(workdir: Path) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, SpaceScreen)
        burst(app, "t", "ctrl+u", "3", "enter", "e", "2", "enter")
        burst(app, "e", "end", "backspace", "backspace", "1", "5", "enter", "t", "5", "enter")
        burst(app, "slash", *"activation", "enter", "j", "delete", "u", "j", "delete")
        await settle(pilot, app)
        assert app.screen is screen
        assert (screen.settings.max_trials, screen.settings.epochs) == (5, 15)
        assert screen.space.params["activation"].values() == ("relu", "sigmoid")


@pytest.mark.asyncio
async def test_keys_wait_for_the_dialog_they_open(workdir: Path) -> None:
    """A key that opens a dialog holds the next ones until its field is mounted and focused."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        started = time.monotonic()
        burst(app, "s", "ctrl+u", "4", "2")
        await settle(pilot, app)
        assert app.focused is not None and getattr(app.focused, "value", None) == "42"
        assert time.monotonic() - started < 5
        burst(app, "escape")
        await settle(pilot, app)
        assert isinstance(app.screen, SpaceScreen) and app.screen.settings.seed == 0

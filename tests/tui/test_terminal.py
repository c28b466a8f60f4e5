"""The installed `tunedeck` binary in a real terminal (tmux, 80×24): keys in, screen text out.

Each test runs its own tmux server (`-L`), so nothing here touches a user's sessions.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.tui.helpers import journal, wait_for_file

TMUX = shutil.which("tmux") or "/usr/bin/tmux"
BINARY = Path(sys.executable).with_name("tunedeck")
pytestmark = pytest.mark.skipif(not Path(TMUX).exists(), reason="tmux is not installed")


class Terminal:
    """One tmux session running one command in an 80×24 window."""

    def __init__(self, name: str) -> None:
        self.socket = f"tunedeck-test-{os.getpid()}-{name}"
        self.name = name

    def tmux(self, *args: str) -> str:
        done = subprocess.run(
            [TMUX, "-L", self.socket, *args], capture_output=True, text=True, timeout=10
        )
        return done.stdout

    def start(self, command: str) -> None:
        self.tmux("new-session", "-d", "-s", self.name, "-x", "80", "-y", "24", command)
        self.tmux("set-option", "-t", self.name, "remain-on-exit", "on")

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", self.name, *keys)

    def screen(self, history: bool = False) -> str:
        """The visible pane; with `history`, the lines scrolled above it too."""
        since = ("-S", "-") if history else ()
        return self.tmux("capture-pane", "-p", "-J", *since, "-t", self.name)

    def wait_for(self, text: str, timeout: float = 20.0, history: bool = False) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.screen(history)
            if text in screen:
                return screen
            time.sleep(0.1)
        raise AssertionError(f"{text!r} not on screen after {timeout}s:\n{self.screen()}")

    def close(self) -> None:
        with contextlib.suppress(subprocess.SubprocessError):
            self.tmux("kill-server")


@pytest.fixture
def terminal(request: pytest.FixtureRequest):
    term = Terminal(request.node.name[:20].replace("[", "-").replace("]", ""))
    try:
        yield term
    finally:
        term.close()


def only_run(root: Path) -> Path:
    runs = wait_for_file(
        lambda: sorted((root / "runs").glob("*")) if (root / "runs").exists() else None
    )
    assert len(runs) == 1
    return runs[0]


def start_fake_search(term: Terminal, trials: int, epochs: int) -> None:
    term.wait_for("batch_size")
    term.keys("b", "b", "b")
    term.wait_for("Backend   fake")
    for key, title, value, shown in (
        ("t", "Trial budget", trials, f"Budget    {trials}  t"),
        ("e", "Epochs for every", epochs, f"Epochs    {epochs}"),
    ):
        term.keys(key)
        term.wait_for(title)  # a person waits for the dialog, and for it to close
        term.keys(str(value), "Enter")  # the field starts selected: typing replaces it
        term.wait_for(shown)
    term.keys("r")


def test_console_in_a_terminal_quit_and_attach(terminal: Terminal, tmp_path: Path) -> None:
    """No colour, xterm: the tree, a fake search filling the table, q leaving it running."""
    env = "NO_COLOR=1 TERM=xterm-256color TUNEDECK_FAKE_DELAY=0.15"
    terminal.start(f"cd {tmp_path} && {env} {BINARY}")
    start_fake_search(terminal, trials=4, epochs=5)
    screen = terminal.wait_for("completed")
    assert "running" in screen and "★" in screen
    run = only_run(tmp_path)
    terminal.keys("q")
    terminal.wait_for("unsaved edits")  # the settings chosen are saved with a space file
    terminal.keys("d")  # discard them: the run has its own copy
    screen = terminal.wait_for("come back with", history=True)  # printed after the console left
    assert f"  tunedeck attach {run.relative_to(tmp_path)}\n" in screen
    wait_for_file(lambda: journal(run) and journal(run)[-1]["type"] == "search_finished")

    terminal.keys("C-c")
    terminal.tmux("kill-session", "-t", terminal.name)
    terminal.start(f"cd {tmp_path} && {env} {BINARY} attach {run.relative_to(tmp_path)}")
    terminal.wait_for("4/4")
    screen = terminal.wait_for("★")
    assert "finished" in screen and screen.count("completed") == 4


def test_hangup_leaves_the_search_running(terminal: Terminal, tmp_path: Path) -> None:
    """Killing the terminal (SIGHUP to the console) does not stop the runner."""
    terminal.start(f"cd {tmp_path} && exec env TUNEDECK_FAKE_DELAY=0.2 {BINARY}")
    start_fake_search(terminal, trials=3, epochs=5)
    terminal.wait_for("running")
    run = only_run(tmp_path)
    pid = wait_for_file(
        lambda: (run / "runner.pid").exists() and int((run / "runner.pid").read_text())
    )
    console = int(terminal.tmux("display-message", "-p", "-t", terminal.name, "#{pane_pid}"))
    assert "tunedeck" in Path(f"/proc/{console}/cmdline").read_text()
    assert os.getsid(pid) == pid != os.getsid(console), "the runner leads its own session"
    before = len(journal(run))
    terminal.tmux("kill-session", "-t", terminal.name)
    wait_for_file(lambda: not _alive(console), timeout=10)
    assert _alive(pid)
    events = wait_for_file(lambda: (e := journal(run)) and e[-1]["type"] == "search_finished" and e)
    assert len(events) > before
    assert [e["status"] for e in events if e["type"] == "trial_ended"] == ["completed"] * 3


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with contextlib.suppress(ChildProcessError, OSError):
        if os.waitpid(pid, os.WNOHANG)[0] == pid:
            return False
    return True

"""The console: the space editor at the bottom of the stack, a run monitor, results on top.

The app owns what outlives a screen: the monitor of the current run (installed, so it keeps
tailing while the user edits the space) and the runs this session started or attached to, which
`launch` names on exit so the user knows how to come back.

Only the editor is imported with the app: every other screen (the monitor, results, runs, help)
is imported when it first opens, so the first paint waits for none of them (plotext, the
tables, the engine's analysis).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from textual import events
from textual.app import App
from textual.binding import Binding

from engine.face import (
    AUTO_WORKERS,
    InputError,
    RunDir,
    RunSettings,
    Space,
    command_hint,
    default_space,
    new_run_dir,
)
from tui.bridge import POLL_SECONDS, Standby, Starting, start_runner, start_search
from tui.commands import BindingCommands, ScreenEntries
from tui.draft import with_file_settings
from tui.messages import AttachRequested, ResultsRequested, ResumeRequested, RunRequested
from tui.screens.dialogs import UnsavedScreen
from tui.screens.space import SpaceScreen
from tui.typeahead import TypeAhead

if TYPE_CHECKING:
    from tui.screens.run import RunScreen

MONITOR = "monitor"
STANDBY_WAIT = 30.0  # seconds a search waits for the warm engine to answer its last question


class TuneDeckApp(App[None]):
    """Keyboard-driven tuning of Keras models; every key is in the footer, `?` or ctrl+p."""

    CSS_PATH = "app.tcss"
    TITLE = "tunedeck"
    COMMANDS = App.COMMANDS | {BindingCommands, ScreenEntries}
    BINDINGS = [
        Binding("question_mark", "help", "Keys", key_display="?", id="app.help"),
        Binding(
            "q",
            "quit_console",
            "Quit",
            tooltip="Searches keep running: tunedeck attach RUN_DIR",
            id="app.quit",
        ),
    ]

    def __init__(
        self,
        space: Space | None = None,
        settings: RunSettings | None = None,
        *,
        space_path: str | None = None,
        attach: str | Path | None = None,
        clock: Callable[[], float] | None = None,
        runs_root: str | Path = "runs",
        warm_engine: bool = False,
        keymap: dict[str, str] | None = None,
    ) -> None:
        super().__init__()
        self.initial_space = space or default_space()
        self.settings = settings or RunSettings(workers=AUTO_WORKERS)
        self.space_path = space_path
        self.attach = Path(attach) if attach is not None else None
        self.clock = clock
        self.runs_root = Path(runs_root)
        self.runs: list[Path] = []  # started or attached in this session, oldest first
        self.monitor: RunScreen | None = None
        self.starting: Starting | None = None  # a search whose data and model are being checked
        self.waiting = False  # a search waiting for the warm engine to be free
        self.standby: Standby | None = None  # a warm engine, when the console keeps one
        self.keep_standby = warm_engine
        self.typeahead = TypeAhead(self)
        self.user_keys = keymap or {}  # binding id -> keys, from the user's keymap file

    async def on_event(self, event: events.Event) -> None:
        """Keys from the terminal wait their turn (tui.typeahead): none lost in a burst."""
        if isinstance(event, events.Key) and not event.is_forwarded:
            if not self.typeahead.admit(event):
                return
        await super().on_event(event)

    def on_unmount(self) -> None:
        self.typeahead.close()
        if self.standby is not None:
            self.standby.close()

    def warm_up(self) -> None:
        """Start a standby engine (TensorFlow imported ahead), unless one is there."""
        if self.keep_standby and (self.standby is None or not self.standby.alive()):
            self.standby = Standby()

    def on_mount(self) -> None:
        if self.user_keys:
            self.set_keymap(self.user_keys)
        self.push_screen(SpaceScreen(self.initial_space, self.settings, self.space_path))
        if self.attach is not None:
            self._monitor(self.attach, None)
        if not self.is_headless:
            self.call_after_refresh(freeze_startup)
        self.set_timer(0.5, self.warm_up)  # after the first paint, which it must not delay

    # ---- runs --------------------------------------------------------------------------------
    def _monitor(self, run_dir: Path, process: subprocess.Popen | None) -> None:
        """Show the monitor of `run_dir` (replacing the previous run's) on top of the editor."""
        while len(self.screen_stack) > 2:
            self.pop_screen()
        if self.monitor is not None:
            if self.screen is self.monitor:
                self.pop_screen()
            self.uninstall_screen(self.monitor)
        from tui.screens.run import RunScreen

        self.monitor = RunScreen(run_dir, process, clock=self.clock)
        self.install_screen(self.monitor, MONITOR)
        self.push_screen(MONITOR)
        if run_dir not in self.runs:
            self.runs.append(run_dir)

    def on_run_requested(self, message: RunRequested) -> None:
        if self.starting is not None or self.waiting:
            self.tell("a search is starting already: its monitor opens in a moment")
            return
        if self.standby is not None and self.standby.busy():  # timing the model: a second
            self.waiting = True
            self.tell("starting: the warm engine finishes a question first…")
            self.run_worker(self._start_when_idle(message, self.standby), group="start")
            return
        self._start(message)

    async def _start_when_idle(self, message: RunRequested, standby: Standby) -> None:
        await asyncio.to_thread(standby.wait_idle, STANDBY_WAIT)
        self.waiting = False
        self._start(message)

    def _start(self, message: RunRequested) -> None:
        run_dir = new_run_dir(message.settings.dataset, self.runs_root)
        standby, self.standby = self.standby, None
        if standby is not None and standby.busy():  # still answering: a new process starts now
            standby, self.standby = None, standby
        try:
            self.starting = start_search(run_dir, message.space, message.settings, standby)
        except InputError as exc:
            self.standby = standby or self.standby
            self.tell(f"cannot start: {exc}", error=True)
            return
        self.set_timer(2.0, self.warm_up)  # the next search's standby
        self.tell("starting: checking the data and the model…")
        self.run_worker(self._open_when_started(self.starting), group="start")

    async def _open_when_started(self, starting: Starting) -> None:
        """The monitor opens once the run directory exists; a refusal is shown, and no run
        directory was made (so no stop or skip keys for a search that never began)."""
        shown = ""
        while (why := starting.outcome()) is None:
            news = starting.news()
            if news.startswith("download") and news != shown:  # what the wait is for
                shown = news
                self.tell(f"starting: {news}")
            await asyncio.sleep(POLL_SECONDS)
        self.starting = None
        if why:
            self.tell(f"cannot start: {why}", error=True)
        else:
            self.tell("")
            self._monitor(starting.run_dir, starting.process)

    def tell(self, text: str, error: bool = False) -> None:
        """News for the user: on the editor's status line when it is in front, else a toast."""
        editor = self.editor()
        if editor is not None and self.screen is editor:
            editor.say(text, error)
        elif text:
            self.notify(text, severity="error" if error else "information", timeout=10)

    def editor(self) -> SpaceScreen | None:
        return next((s for s in self.screen_stack if isinstance(s, SpaceScreen)), None)

    def on_resume_requested(self, message: ResumeRequested) -> None:
        process = start_runner(message.run_dir, message.more)
        if self.monitor is not None and self.monitor.run_dir == message.run_dir:
            self.monitor.runner_started(process)  # it keeps tailing the same journal
        else:
            self._monitor(message.run_dir, process)

    def on_attach_requested(self, message: AttachRequested) -> None:
        self._monitor(message.run_dir, None)

    def action_runs(self) -> None:
        from tui.screens.runs import RunsScreen

        self.push_screen(RunsScreen(self.runs_root))

    def on_results_requested(self, message: ResultsRequested) -> None:
        from tui.screens.results import ResultsScreen

        self.push_screen(ResultsScreen(message.run_dir))

    def action_show_monitor(self) -> None:
        if self.monitor is None:
            self.tell("no search started yet: r starts one")
        elif self.screen is not self.monitor:
            self.push_screen(MONITOR)

    # ---- keys --------------------------------------------------------------------------------
    def action_help(self) -> None:
        from tui.screens.help import HelpScreen, screen_bindings

        if isinstance(self.screen, HelpScreen):
            return
        title = type(self.screen).__name__.removesuffix("Screen").lower()
        self.push_screen(HelpScreen(title, screen_bindings(self.screen)))

    def action_quit_console(self) -> None:
        """Leave the console; searches go on in their own processes. Unsaved edits of the
        space are not dropped without a word: save (the editor's own save flow), discard or stay.
        """
        editor = self.editor()
        if editor is None or not editor.modified:
            self.exit()
            return

        def answered(choice: str | None) -> None:
            if choice == "save":
                editor.action_save(then=self.exit)
            elif choice == "discard":
                self.exit()

        if not isinstance(self.screen, UnsavedScreen):
            self.push_screen(UnsavedScreen(editor.name), answered)

    def farewell(self) -> list[str]:
        """What to tell the user on the way out: how to come back to searches still running."""
        lines = []
        if self.starting is not None:  # it goes on, and makes its run directory if it can
            lines.append(f"a search is starting in {self.starting.run_dir}; come back with:")
            lines.append(f"  {command_hint('attach', self.starting.run_dir)}")
        for run_dir in self.runs:
            if RunDir(run_dir).is_running():
                lines.append(f"the search in {run_dir} keeps running; come back with:")
                lines.append(f"  {command_hint('attach', run_dir)}")
        return lines


def freeze_startup() -> None:
    """Keep what startup built (modules, styles, the first screen) out of the cyclic GC.

    A full collection over those ~70,000 objects takes 40-70 ms, a stall that lands on
    whatever key is pressed then; frozen, later full collections take about a millisecond.
    Startup's own garbage is collected first, once, after the first paint.
    """
    gc.collect()
    gc.freeze()


def make_app(
    space: Space | None = None,
    settings: RunSettings | None = None,
    *,
    dataset: str | None = None,
    space_path: str | None = None,
    attach: str | Path | None = None,
    clock: Callable[[], float] | None = None,
    warm_engine: bool = False,
    keymap: dict[str, str] | None = None,
) -> TuneDeckApp:
    """The console as `tunedeck` opens it; tests pass a fixed `clock` for stable snapshots.
    `warm_engine` keeps a standby engine (as `tunedeck` does unless TUNEDECK_WARM=0).

    Attached to a run, the editor starts from that run's space and settings (unless given).
    """
    if attach is not None:
        run = RunDir.open(attach)
        space = space or run.space()
        settings = settings or run.settings()
    if settings is None:  # a space file's own `console:` settings, over a fresh console's
        settings = RunSettings(workers=AUTO_WORKERS)
        if space is not None:
            with contextlib.suppress(InputError):  # the editor says why when it opens
                settings = with_file_settings(settings, space.console)
    if dataset is not None:
        settings = settings.but(dataset=dataset)
    return TuneDeckApp(
        space,
        settings,
        space_path=space_path,
        attach=attach,
        clock=clock,
        warm_engine=warm_engine,
        keymap=keymap,
    )

"""The export dialog: every format the engine offers, a path, and no silent overwrite; or, for
a trial picked elsewhere (a point of the Pareto front), the formats of one configuration.

The export itself runs as `python -m engine export …` in a child process: the `python` format
loads the script generator, and nothing heavy may ever be imported into the console.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static

from engine.face import FORMATS, PICKABLE, SUFFIX, WHAT, WHAT_PICKED
from tui.bridge import run_engine
from tui.screens.dialogs import ConfirmScreen


def default_path(run_dir: Path, fmt: str, pick: str | None = None) -> str:
    stem = {"csv": "trials", "tensorboard": "tensorboard"}.get(fmt, "best")
    return f"{run_dir.name}-{f'trial{pick}' if pick else stem}{SUFFIX[fmt]}"


class ExportScreen(ModalScreen[None]):
    """Pick a format (arrows), edit the path (tab), enter exports; esc closes. With `pick`,
    the trial's configuration (`export --pick`) instead of the best's."""

    BINDINGS = [Binding("escape", "close", "Close", id="export.close")]

    @dataclass
    class Done(Message):
        """An export's news: under way, written, or why not."""

        path: str
        ok: bool
        text: str

    def __init__(self, run_dir: Path, pick: str | None = None) -> None:
        super().__init__()
        self.run_dir, self.pick = run_dir, pick
        self.formats = PICKABLE if pick else FORMATS
        self.fmt = self.formats[0]

    def compose(self) -> ComposeResult:
        what = WHAT_PICKED if self.pick else WHAT
        title = f"Export · {self.run_dir}" + (f" · trial {self.pick}" if self.pick else "")
        with Vertical(classes="dialog wide", id="export"):
            yield Label(title, classes="dialog-title")
            yield OptionList(*(f"{f:<11} {what.get(f, '')}" for f in self.formats), id="formats")
            yield Label("file (tab to edit, enter to export)")
            yield Input(self._default(self.fmt), id="export-path")
            yield Static("", id="export-status")
            yield Label("↑↓ format · enter export · tab edit the path · esc close", classes="hint")

    def on_mount(self) -> None:
        formats = self.query_one(OptionList)
        formats.highlighted = 0
        formats.focus()

    def _default(self, fmt: str) -> str:
        return default_path(self.run_dir, fmt, self.pick)

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        old, self.fmt = self.fmt, self.formats[event.option_index]
        path = self.query_one("#export-path", Input)
        if path.value in ("", self._default(old)):
            path.value = self._default(self.fmt)
        elif path.value.endswith(SUFFIX[old]):
            path.value = path.value[: -len(SUFFIX[old])] + SUFFIX[self.fmt]

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Enter on a format exports it to the path shown (tab first to change the path)."""
        self._submit(self.query_one("#export-path", Input).value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._submit(event.value)

    def _submit(self, raw: str) -> None:
        value = raw.strip()
        if not value:
            self._status("type a file name", ok=False)
            return
        path = Path(value).expanduser()
        if path.exists() and not path.is_dir():
            question = f"{path} exists. Overwrite it?"
            self.app.push_screen(ConfirmScreen(question), lambda yes: self._confirmed(path, yes))
            return
        self.export(path, force=False)

    def _confirmed(self, path: Path, yes: bool | None) -> None:
        if yes:
            self.export(path, force=True)
        else:
            self._status(f"not exported: {path} exists and was kept", ok=False)

    @work(exclusive=True)
    async def export(self, path: Path, force: bool) -> None:
        self.post_message(self.Done(str(path), True, f"exporting {self.fmt} to {path}…"))
        args = ["export", str(self.run_dir), "--format", self.fmt, "-o", str(path)]
        args += ["--pick", self.pick] if self.pick else []
        result = await run_engine(*args, *(["--force"] if force else []))
        if result.returncode == 0:
            self.post_message(self.Done(str(path), True, f"wrote {path}"))
        else:
            text = result.stderr.strip().splitlines()
            self.post_message(self.Done(str(path), False, text[-1] if text else "export failed"))

    def on_export_screen_done(self, message: Done) -> None:
        self._status(message.text, ok=message.ok)

    def _status(self, text: str, ok: bool) -> None:
        status = self.query_one("#export-status", Static)
        status.update(("✓ " if ok else "⚠ ") + text)
        status.set_class(not ok, "error")

    def action_close(self) -> None:
        self.dismiss(None)

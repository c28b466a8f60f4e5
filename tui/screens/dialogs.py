"""Small modal dialogs: a one-line prompt that refuses bad input in place, a pick from a list,
a yes/no question, and the model summary (which takes seconds: it runs the engine, TensorFlow and all, elsewhere).

The editor imports this module, so the widgets only a dialog shows (a text field, a list, a
spinner) are imported when a dialog is first composed, not before the first paint.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import ScrollableContainer, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from engine.face import Space
from tui.bridge import ask_engine

if TYPE_CHECKING:
    from textual.widgets import Input, OptionList

Check = Callable[[str], str | None]


class PromptScreen(ModalScreen[str | None]):
    """Ask for one line; `check` returns an error to show (the dialog stays) or None to accept."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="prompt.cancel")]

    def __init__(
        self, title: str, value: str = "", check: Check | None = None, hint: str = ""
    ) -> None:
        super().__init__()
        self.title_text = title
        self.value = value
        self.check = check
        self.hint = hint

    def compose(self) -> ComposeResult:
        from textual.widgets import Input

        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield Input(self.value, id="prompt-input")
            yield Static(self.hint, id="prompt-error", classes="hint")
            yield Label("enter accept · esc cancel", classes="hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        problem = self.check(event.value) if self.check else None
        if problem:
            error = self.query_one("#prompt-error", Static)
            error.update(f"⚠ {problem}")
            error.set_class(True, "error")
            return
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class PickScreen(ModalScreen[str | None]):
    """Pick one of a few named things with the arrows (or its first letters) and enter."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="pick.cancel")]

    def __init__(self, title: str, options: list[str], current: str | None = None) -> None:
        super().__init__()
        self.title_text = title
        self.options = options
        self.current = current

    def compose(self) -> ComposeResult:
        from textual.widgets import OptionList

        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield OptionList(*self.options, id="pick")
            yield Label("↑↓ move · enter pick · esc cancel", classes="hint")

    def on_mount(self) -> None:
        from textual.widgets import OptionList

        picker = self.query_one(OptionList)
        if self.current in self.options:
            picker.highlighted = self.options.index(self.current)
        picker.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.options[event.option_index])

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmScreen(ModalScreen[bool]):
    """A yes/no question; anything but `y` is no."""

    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.question, classes="dialog-title")
            yield Label("y yes · n no", classes="hint")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class UnsavedScreen(ModalScreen[str | None]):
    """Leaving with edits not saved: save them, discard them, or stay ("save", "discard", None)."""

    BINDINGS = [
        Binding("s", "answer('save')", "Save, then quit", id="unsaved.save"),
        Binding("d", "answer('discard')", "Discard the edits and quit", id="unsaved.discard"),
        Binding("escape,c", "answer(None)", "Cancel: stay", id="unsaved.stay"),
    ]

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name_text = name

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(f"{self.name_text} has unsaved edits.", classes="dialog-title")
            yield Label("s save, then quit · d discard and quit · esc stay", classes="hint")

    def action_answer(self, choice: str | None) -> None:
        self.dismiss(choice)


class SummaryScreen(ModalScreen[None]):
    """`python -m engine summary` of the space's default configuration, shown when ready."""

    BINDINGS = [Binding("escape,q,enter", "close", "Close", id="summary.close")]

    @dataclass
    class Ready(Message):
        """The engine's answer: the summary's text, or why it failed."""

        text: str
        ok: bool

    def __init__(self, space: Space, dataset: str) -> None:
        super().__init__()
        self.space = space
        self.dataset = dataset

    def compose(self) -> ComposeResult:
        from textual.widgets import LoadingIndicator

        with Vertical(classes="dialog wide"):
            yield Label(
                f"Model summary · {self.dataset} · default configuration", classes="dialog-title"
            )
            yield LoadingIndicator(id="summary-loading")
            yield Label(
                "building the model in the engine process…",
                id="summary-wait",
                classes="hint",
            )
            with ScrollableContainer(id="summary-scroll"):
                yield Static("", id="summary-text")
            yield Label("esc close", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#summary-scroll").display = False
        self.summarise()

    @work(exclusive=True)
    async def summarise(self) -> None:
        with tempfile.TemporaryDirectory(prefix="tunedeck-") as tmp:
            path = Path(tmp) / "space.yaml"
            self.space.resolved().save(path)  # the copy lives elsewhere: full paths
            standby = getattr(self.app, "standby", None)
            result = await ask_engine(standby, "summary", str(path), "--dataset", self.dataset)
        ok = result.returncode == 0
        text = result.stdout if ok else (result.stderr.strip() or f"exit code {result.returncode}")
        self.post_message(self.Ready(text, ok))

    def on_summary_screen_ready(self, message: Ready) -> None:
        self.query_one("#summary-loading").display = False
        self.query_one("#summary-wait").display = False
        scroll = self.query_one("#summary-scroll")
        scroll.display = True
        scroll.focus()  # arrows scroll a summary wider or taller than the dialog
        text = self.query_one("#summary-text", Static)
        text.set_class(not message.ok, "error")
        text.update(Text(message.text.rstrip(), no_wrap=True, overflow="crop"))

    def action_close(self) -> None:
        self.workers.cancel_node(self)  # the model build is abandoned
        self.dismiss(None)

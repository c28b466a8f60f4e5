"""`?`: every key of the screen it was opened from, including those the footer has no room for."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import ActiveBinding, Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Label, Static

TEXTUAL_ACTIONS = {b.action for b in Screen.BINDINGS if isinstance(b, Binding)}


def screen_bindings(screen: Screen) -> list[tuple[str, str, str]]:
    """(keys, description, tooltip) of the bindings active on `screen`.

    The screen's own keys come first, then the focused widget's, then the app's, and last the
    keys every Textual screen has (focus moves, copy). Several keys bound to one action are
    listed together; bindings without a description (Textual's internal ones) are left out.
    """
    app = screen.app
    keys: dict[tuple[int, str], list[str]] = {}
    texts: dict[tuple[int, str], tuple[str, str]] = {}
    rank = {screen: 0, app: 2}

    def order(active: ActiveBinding) -> int:
        return 3 if active.binding.action in TEXTUAL_ACTIONS else rank.get(active.node, 1)

    ordered = sorted(screen.active_bindings.values(), key=order)
    for active in ordered:
        binding = active.binding
        if not binding.description or binding.system:
            continue
        ident = (id(active.node), binding.action)
        display = app.get_key_display(binding)
        if display not in keys.setdefault(ident, []):
            keys[ident].append(display)
        texts[ident] = (binding.description, binding.tooltip)
    return [(" ".join(k), *texts[ident]) for ident, k in keys.items()]


class HelpScreen(ModalScreen[None]):
    """A table of keys; any of esc, q or ? closes it."""

    BINDINGS = [Binding("escape,q,question_mark", "close", "Close", id="help.close")]

    def __init__(self, title: str, rows: list[tuple[str, str, str]]) -> None:
        super().__init__()
        self.title_text = title
        self.rows = rows

    def compose(self) -> ComposeResult:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold", no_wrap=True)
        table.add_column()
        for keys, description, tooltip in self.rows:
            table.add_row(Text(keys), Text.assemble(description, (f"  {tooltip}", "dim")))
        with Vertical(classes="dialog wide", id="help"):
            yield Label(f"Keys · {self.title_text}", classes="dialog-title")
            with VerticalScroll():
                yield Static(table)
            yield Label("ctrl+p: every action by name · esc close", classes="hint")

    def action_close(self) -> None:
        self.dismiss(None)

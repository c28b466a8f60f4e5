"""The runs under `runs/`: open one (its monitor, live or replayed), delete one (asked first;
never one a search is running in)."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from engine.face import InputError, RunRow, run_rows
from engine.face import remove_run as delete_run
from tui.messages import AttachRequested
from tui.screens.dialogs import ConfirmScreen
from tui.screens.more import ask_more_trials
from tui.widgets.run_status import STATE_STYLE

COLUMNS = ("run", "state", "trials", "best", "backend", "started", "took")


class RunsScreen(Screen[None]):
    """Every run directory in a folder, newest last, with its state and best score."""

    BINDINGS = [
        Binding("enter", "open", "Open", id="runs.open"),
        Binding(
            "D", "delete", "Delete…", tooltip="Asked first; not while it runs", id="runs.delete"
        ),
        Binding("g", "reload", "Refresh", id="runs.reload"),
        Binding(
            "c",
            "compare",
            "Compare",
            tooltip="best scores, configurations, best so far",
            id="runs.compare",
        ),
        Binding(
            "plus",
            "more",
            "More trials",
            key_display="+",
            tooltip="Continue the search with N trials more",
            id="runs.more",
        ),
        Binding("escape", "back", "Back", id="runs.back"),
    ]

    def __init__(self, root: str | Path) -> None:
        super().__init__()
        self.root = Path(root)
        self.rows: list[RunRow] = []

    def compose(self) -> ComposeResult:
        yield Static(f"Runs in {self.root}/", id="runs-title")
        yield DataTable(cursor_type="row", id="runs")
        yield Static("", id="runs-status", classes="hint")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(DataTable).add_columns(*COLUMNS)
        self.action_reload()

    def action_reload(self) -> None:
        table = self.query_one(DataTable)
        table.clear()
        try:
            self.rows = run_rows(self.root) if self.root.is_dir() else []
        except InputError as exc:
            self.rows = []
            self.say(str(exc))
        for row in self.rows:
            cells = list(row.cells())
            cells[0] = row.path.name
            state = Text(cells[1], STATE_STYLE.get(row.state, ""))
            table.add_row(cells[0], state, *cells[2:], key=str(row.path))
        if not self.rows:
            self.say(f"no runs in {self.root}/ yet: r in the editor starts one")

    def say(self, text: str) -> None:
        self.query_one("#runs-status", Static).update(text)

    def current(self) -> RunRow | None:
        table = self.query_one(DataTable)
        if not self.rows or table.cursor_row >= len(self.rows):
            return None
        return self.rows[table.cursor_row]

    def on_data_table_row_selected(self, message: DataTable.RowSelected) -> None:
        message.stop()
        self.action_open()

    def action_open(self) -> None:
        row = self.current()
        if row is not None:
            self.post_message(AttachRequested(row.path))

    def action_delete(self) -> None:
        row = self.current()
        if row is None:
            return

        def answered(yes: bool | None) -> None:
            if not yes:
                return
            try:
                delete_run(row.path)
            except InputError as exc:
                self.say(f"not deleted: {exc}")
                return
            self.action_reload()
            self.say(f"deleted {row.path}")

        question = f"Delete {row.path} ({row.state}, {row.done}/{row.planned} trials) for good?"
        self.app.push_screen(ConfirmScreen(question), answered)

    def action_compare(self) -> None:
        from tui.screens.runs_compare import RunsCompareScreen

        row = self.current()
        if row is not None:
            self.app.push_screen(RunsCompareScreen(row.path))

    def action_more(self) -> None:
        row = self.current()
        if row is not None:
            ask_more_trials(self, row.path)

    def action_back(self) -> None:
        self.app.pop_screen()

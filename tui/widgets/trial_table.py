"""The live trials table: one row per trial, updated cell by cell as the journal grows.

Rows are never cleared while a search runs: a redraw touches only the cells whose text changed,
and repaints only those cells, which keeps the bytes sent over SSH small. (`DataTable.update_cell`
alone repaints the whole table, scrollbars included: about 4 KB a frame at 80×24.)
"""

from __future__ import annotations

from typing import Any

from rich.cells import cell_len
from rich.segment import Segment, Segments
from rich.text import Text
from textual.binding import Binding
from textual.coordinate import Coordinate
from textual.geometry import Region
from textual.scrollbar import ScrollBarRender
from textual.strip import Strip
from textual.widgets import DataTable

from engine.face import RunResults, TrialRecord, TrialStatus
from tui.fmt import fmt_duration, fmt_score, fmt_value, last_metrics

STATUS_STYLE = {TrialStatus.RUNNING: "bold yellow", TrialStatus.COMPLETED: "green",
                TrialStatus.FAILED: "bold red", TrialStatus.STOPPED: "magenta"}  # fmt: skip
BEST = "★"


def trial_cells(
    trial: TrialRecord, tuned: tuple[str, ...], best: bool, now: float | None
) -> tuple[Any, ...]:
    """The row of one trial: mark, id, status, epoch k/n, metrics, score, time, worker, values.

    What changes while a trial runs comes first, so it stays visible at 80 columns.
    """
    epoch, loss, val = last_metrics(trial.curve)
    if trial.epochs_planned and epoch != "-":
        epoch = f"{epoch}/{trial.epochs_planned}"
    if trial.duration is not None:
        took = fmt_duration(trial.duration)
    elif now is not None and trial.started:
        took = fmt_duration(max(now - trial.started, 0))
    else:
        took = "-"
    status = Text(trial.status, STATUS_STYLE.get(trial.status, ""))
    score = Text(fmt_score(trial.score), "bold" if best else "")
    return (
        Text(BEST, "bold yellow") if best else "",
        trial.trial_id,
        status,
        epoch,
        loss,
        val,
        score,
        took,
        trial.worker,
        *(fmt_value(trial.hyperparameters.get(n)) for n in tuned),
        trial.reason or (f"continues {trial.continues}" if trial.continues else ""),
    )


def columns(tuned: tuple[str, ...]) -> list[str]:
    head = ["", "trial", "status", "epoch", "loss", "val", "score", "time", "worker"]
    return [*head, *tuned, "note"]


class CompactScrollBar(ScrollBarRender):
    """The stock horizontal bar with runs of identical cells joined into one segment.

    Textual styles every cell of a bar on its own (one escape sequence each): 3.3 KB for an
    80-column bar, repainted on every layout pass. Joined, it is about 0.3 KB, and looks and
    clicks the same (the cells of a run share their style and mouse meta).
    """

    @classmethod
    def render_bar(cls, *args: Any, **kwargs: Any) -> Segments:
        bar = super().render_bar(*args, **kwargs)
        if bar.new_lines:  # vertical: one segment per line already
            return bar
        return Segments(Segment.simplify(bar.segments))


class TrialTable(DataTable):
    """Trials of one run, keyed by trial id."""

    BINDINGS = [Binding("enter", "select_cursor", "Results", show=False)]
    _cells_only = False  # inside sync: update_cell's whole-table refresh is skipped
    _painted_rows = 0  # rows and column widths at the last whole-table repaint
    _painted_widths: tuple[int, ...] = ()

    def __init__(self, tuned: tuple[str, ...], **kwargs: Any) -> None:
        super().__init__(cursor_type="row", zebra_stripes=False, **kwargs)
        self.tuned = tuned
        self._keys: list[str] = []
        self._cells: dict[str, tuple[Any, ...]] = {}
        self._best: str | None = None
        self._joined: dict[int, tuple[Strip, Strip]] = {}  # id(line) -> (line, joined line)

    def on_mount(self) -> None:
        self.horizontal_scrollbar.renderer = CompactScrollBar  # type: ignore[misc]  # this bar only
        for name in columns(self.tuned):
            self.add_column(name, key=name or "mark")

    def sync(self, results: RunResults, changed: set[str], now: float | None) -> None:
        """Add new trials and rewrite the changed cells of the others (rows stay in place)."""
        keys = self._keys
        if results.best_trial_id != self._best:
            changed |= {t for t in (self._best, results.best_trial_id) if t is not None}
            self._best = results.best_trial_id
        for trial in sorted(results.trials.values(), key=lambda t: t.number):
            tid = trial.trial_id
            if tid not in self._cells:
                changed.add(tid)
            elif trial.status == TrialStatus.RUNNING and now is not None:
                changed.add(tid)  # its clock ticks
            if tid not in changed:
                continue
            cells = trial_cells(trial, self.tuned, tid == results.best_trial_id, now)
            old = self._cells.get(tid)
            if old is None:
                self.add_row(*cells, key=tid)
                keys.append(tid)
            else:
                self._update_row(tid, old, cells)
            self._cells[tid] = cells

    def _update_row(self, tid: str, old: tuple[Any, ...], cells: tuple[Any, ...]) -> None:
        """Rewrite the changed cells of a row, repainting only them unless a column must grow."""
        row = self.get_row_index(tid)
        for index, (column, before, after) in enumerate(
            zip(self.ordered_columns, old, cells, strict=True)
        ):
            if str(before) == str(after) and _style(before) == _style(after):
                continue
            grows = cell_len(str(after)) > column.content_width
            self._cells_only = not grows
            try:
                self.update_cell(tid, column.key, after, update_width=grows)
            finally:
                self._cells_only = False
            if not grows:
                self.refresh_coordinate(Coordinate(row, index))

    def refresh(
        self, *regions: Region, repaint: bool = True, layout: bool = False, recompose: bool = False
    ) -> TrialTable:
        """Repaint only what changed: a cell that sync rewrote, or rows appended at the end.

        DataTable repaints the whole table (scrollbars included, about 8 KB at 80×24) when a
        cell changes and again when its scrollable height grows by a row; with trials of a few
        seconds that alone is more than an SSH link should carry.
        """
        if self._cells_only and not (regions or layout or recompose):
            return self  # sync repaints the changed cell itself
        if repaint and not regions and not recompose and self.is_mounted:
            widths = tuple(column.get_render_width(self) for column in self.ordered_columns)
            painted = self._painted_rows
            appended = layout and self.row_count > painted and widths == self._painted_widths
            self._painted_rows, self._painted_widths = self.row_count, widths
            if appended:  # the rows above are unchanged; new ones are painted if in view
                super().refresh(layout=True, repaint=False)
                for row in range(painted, self.row_count):
                    self.refresh_row(row)
                return self
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)

    def render_line(self, y: int) -> Strip:
        """A row's cells that look alike as one segment: half the bytes of a repainted row.

        Textual writes every cell with its own escape sequences, and a repaint of one cell
        rewrites the line from its start. The mouse meta of a run is its first cell's: the row
        is the same, and with a row cursor the column does not matter. Header cells are kept
        apart (a click on a header names its column).
        """
        line = super().render_line(y)
        if self.show_header and y < self.header_height:
            return line
        cached = self._joined.get(id(line))
        if cached is not None and cached[0] is line:
            return cached[1]
        if len(self._joined) > 512:
            self._joined.clear()
        joined = Strip(_join_runs(line), line.cell_length)
        self._joined[id(line)] = (line, joined)
        return joined

    def rows_text(self) -> list[tuple[str, ...]]:
        """Plain text of every row (for tests and the command line)."""
        return [tuple(str(c) for c in self._cells[k]) for k in self._keys]


def _join_runs(segments: Strip) -> list[Segment]:
    """Adjacent segments of the same look (meta aside) joined, with the first one's style."""
    out: list[Segment] = []
    look = None
    for segment in segments:
        text, style, control = segment
        key = None if control or style is None else style.clear_meta_and_links()
        if key is not None and key == look:
            out[-1] = Segment(out[-1].text + text, out[-1].style)
            continue
        out.append(segment)
        look = key
    return out


def _style(cell: Any) -> str:
    return str(cell.style) if isinstance(cell, Text) else ""

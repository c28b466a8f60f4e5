"""The live trials table: one row per trial, updated cell by cell as the journal grows.

Rows are never cleared while a search runs: a redraw touches only the cells whose text changed,
and repaints only those cells, which keeps the bytes sent over SSH small. (`DataTable.update_cell`
alone repaints the whole table, scrollbars included: about 4 KB a frame at 80×24.)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from rich.cells import cell_len
from rich.segment import Segment, Segments
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.coordinate import Coordinate
from textual.geometry import Region
from textual.message import Message
from textual.scrollbar import ScrollBarRender
from textual.strip import Strip
from textual.widgets import DataTable

from engine.face import RunResults, TrialRecord, TrialStatus
from tui.fmt import fmt_duration, fmt_metric, fmt_score, fmt_short
from tui.widgets.run_status import folds_of

STATUS_STYLE = {
    TrialStatus.RUNNING: "bold yellow",
    TrialStatus.COMPLETED: "green",
    TrialStatus.FAILED: "bold red",
    TrialStatus.STOPPED: "magenta",
    TrialStatus.PRUNED: "cyan",
    TrialStatus.OOM: "bold dark_orange",
}
BEST = "★"


@dataclass(frozen=True)
class Shown:
    """Which columns a table shows: the tuned parameters whose values differ between trials
    (a value all trials share says nothing), the worker only when several train, the GPU only
    when a trial ran on one, and the objective's latest value under its own name."""

    params: tuple[str, ...] = ()
    workers: bool = False
    metric: str = "val_accuracy"
    folds: int = 1  # scikit-learn's: the epoch column says which fold too
    gpus: bool = False

    def columns(self) -> list[str]:
        epoch = "fold·epoch" if self.folds > 1 else "epoch"
        return [
            "",
            "trial",
            "status",
            "score",
            epoch,
            short_metric(self.metric),
            *self.params,
            "time",
            "loss",
            *(["worker"] if self.workers else []),
            *(["gpu"] if self.gpus else []),
            "note",
        ]

    def grown(
        self,
        trials: Iterable[TrialRecord],
        tuned: tuple[str, ...],
        metric: str,
        firsts: dict[str, str],
        folds: int = 1,
    ) -> Shown:
        """These columns with what `trials` call for. Columns are added, never taken away while
        a search runs; `firsts` (kept by the caller) holds each parameter's first value seen,
        so a live table looks at each trial once."""
        params, workers, gpus = set(self.params), self.workers, self.gpus
        for trial in trials:
            for name in tuned:
                value = repr(trial.hyperparameters.get(name))
                if firsts.setdefault(name, value) != value:
                    params.add(name)
            workers = workers or firsts.setdefault(WORKER, trial.worker) != trial.worker
            gpus = gpus or trial.gpu is not None
        return Shown(tuple(n for n in tuned if n in params), workers, metric, folds, gpus)


WORKER = "\0worker"  # the worker's key among `firsts` (no parameter is named so)
FIXED_COLUMNS = 4  # mark, trial, status, score stay in view while scrolling right


def short_metric(metric: str) -> str:
    """`val_accuracy` → `val_acc`: a column header no wider than its numbers need."""
    return metric.replace("accuracy", "acc")


def trial_cells(trial: TrialRecord, shown: Shown, best: bool, now: float | None) -> tuple[Any, ...]:
    """The row of one trial, in `shown.columns()` order: what matters first (status, score,
    progress, the parameters that tell trials apart), so it stays visible at 80 columns."""
    latest = trial.last_logs
    epoch = str(latest.get("epoch", "-"))
    if trial.epochs_planned and epoch != "-":
        epoch = f"{epoch}/{trial.epochs_planned}"
    if shown.folds > 1 and latest.get("fold"):  # epochs restart with each fold: say which
        epoch = f"{latest['fold']}/{shown.folds}·{epoch}"
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
        score,
        epoch,
        fmt_metric(latest.get(shown.metric)),
        *(fmt_short(trial.hyperparameters.get(n)) for n in shown.params),
        took,
        fmt_metric(latest.get("loss")),
        *([trial.worker] if shown.workers else []),
        *([trial.gpu or "-"] if shown.gpus else []),
        trial.reason or (f"continues {trial.continues}" if trial.continues else ""),
    )


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
    """Trials of one run, keyed by trial id: the latest `window` of them (a search of ten
    thousand trials would cost seconds of cell measuring to show whole, and nobody reads a
    monitor that far back: the results screen has every trial). Older rows go a hundred at
    a time, so a long search repaints the whole table once per hundred trials, not per trial.
    """

    BINDINGS = [Binding("enter", "select_cursor", "Results", show=False, id="trials.select_cursor")]
    _cells_only = False  # inside sync: update_cell's whole-table refresh is skipped
    _painted_rows = 0  # rows and column widths at the last whole-table repaint
    _painted_widths: tuple[int, ...] = ()
    window = 500  # rows kept: the trials with the highest numbers
    SLACK = 100  # rows over the window before the oldest are dropped

    @dataclass
    class Moved(Message):
        """The user moved the cursor (a key or a click), not the monitor following a trial."""

        table: TrialTable

    def chosen(self) -> str | None:
        """The trial id of the row under the cursor (None: no rows)."""
        if not self.row_count:
            return None
        return self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value

    def place(self, trial_id: str) -> None:
        """Put the cursor on a trial's row (scrolled into view), if the table shows it."""
        if trial_id not in self._cells:
            return
        row = self.get_row_index(trial_id)
        if row != self.cursor_row:
            self.move_cursor(row=row)

    def _moved(self) -> None:
        self.post_message(self.Moved(self))

    def action_cursor_up(self) -> None:
        super().action_cursor_up()
        self._moved()

    def action_cursor_down(self) -> None:
        super().action_cursor_down()
        self._moved()

    def action_page_up(self) -> None:
        super().action_page_up()
        self._moved()

    def action_page_down(self) -> None:
        super().action_page_down()
        self._moved()

    def action_scroll_top(self) -> None:
        super().action_scroll_top()
        self._moved()

    def action_scroll_bottom(self) -> None:
        super().action_scroll_bottom()
        self._moved()

    def on_click(self, event: events.Click) -> None:
        self.call_later(self._moved)  # after the table's own handler has moved the cursor

    def __init__(self, tuned: tuple[str, ...], **kwargs: Any) -> None:
        super().__init__(
            cursor_type="row", zebra_stripes=False, fixed_columns=FIXED_COLUMNS, **kwargs
        )
        self.tuned = tuned
        self.shown = Shown()
        self._firsts: dict[str, str] = {}
        self._keys: list[str] = []
        self._cells: dict[str, tuple[Any, ...]] = {}
        self._best: str | None = None
        self._joined: dict[int, tuple[Strip, Strip]] = {}  # id(line) -> (line, joined line)
        self._from = self._cut = 0  # the lowest trial number shown; the rows cut at
        self.hidden = 0  # older trials not shown

    def on_mount(self) -> None:
        self.horizontal_scrollbar.renderer = CompactScrollBar  # type: ignore[misc]  # this bar only
        self._add_columns()

    def _add_columns(self) -> None:
        for index, name in enumerate(self.shown.columns()):
            self.add_column(name, key=f"{index}:{name}")

    def sync(self, results: RunResults, changed: set[str], now: float | None) -> None:
        """Add new trials and rewrite the changed cells of the others (rows stay in place).

        A new column (a parameter that now differs between trials, a second worker) rebuilds
        the table once; that happens a few times per search at most."""
        ordered = sorted(results.trials.values(), key=lambda t: t.number)
        if len(ordered) - self.hidden > self.window + self.SLACK:
            self._from = ordered[-self.window].number
        kept = [t for t in ordered if t.number >= self._from]
        self.hidden = len(ordered) - len(kept)
        if self._from != self._cut:
            self._drop_except({t.trial_id for t in kept})
            self._cut = self._from
        new = [t for t in kept if t.trial_id not in self._cells]
        folds = folds_of(results)
        shown = self.shown.grown(new, self.tuned, results.objective, self._firsts, folds)
        if shown != self.shown:
            self.shown = shown
            self.clear(columns=True)
            self._add_columns()
            self._keys, self._cells = [], {}
            self._painted_rows, self._painted_widths = 0, ()
        keys = self._keys
        if results.best_trial_id != self._best:
            changed |= {t for t in (self._best, results.best_trial_id) if t is not None}
            self._best = results.best_trial_id
        for trial in kept:
            tid = trial.trial_id
            if tid not in self._cells:
                changed.add(tid)
            elif trial.status == TrialStatus.RUNNING and now is not None:
                changed.add(tid)  # its clock ticks
            if tid not in changed:
                continue
            cells = trial_cells(trial, self.shown, tid == results.best_trial_id, now)
            old = self._cells.get(tid)
            if old is None:
                self.add_row(*cells, key=tid)
                keys.append(tid)
            else:
                self._update_row(tid, old, cells)
            self._cells[tid] = cells

    def _drop_except(self, kept: set[str]) -> None:
        """Remove the rows of trials that left the window."""
        gone = [k for k in self._keys if k not in kept]
        for tid in gone:
            self.remove_row(tid)
            del self._cells[tid]
        if gone:
            dropped = set(gone)
            self._keys = [k for k in self._keys if k not in dropped]

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

    def rows_by_column(self) -> list[dict[str, str]]:
        """Every row as {column: text}."""
        names = self.shown.columns()
        return [dict(zip(names, row, strict=True)) for row in self.rows_text()]


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

"""The results table: the engine's leaderboard, re-sortable by any column."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual.binding import Binding
from textual.coordinate import Coordinate
from textual.widgets import DataTable

from engine.face import RunResults, TrialRecord, TrialStatus
from tui.fmt import fmt_bytes, fmt_duration, fmt_score, fmt_short, fmt_value
from tui.widgets.trial_table import BEST, FIXED_COLUMNS, STATUS_STYLE, Shown


def _epochs(t: TrialRecord) -> int:
    return t.epochs_trained


Keys = list[tuple[str, Callable[[TrialRecord], Any]]]


def sort_keys(shown: Shown, memory: bool = False, judged: Keys | None = None) -> Keys:
    """(column, key) pairs in column order; a missing value's key is None (sorted last).
    `memory`: a column of each trial's peak memory (once a trial recorded one); `judged`:
    the other objectives' columns (`judged_keys`), after the score."""
    keys: Keys = [
        ("rank", lambda t: None),
        ("trial", lambda t: t.number),
        ("status", lambda t: t.status),
        ("score", lambda t: t.score),
        *(judged or []),
    ]
    keys += [(n, _by_param(n)) for n in shown.params]
    keys += [("epochs", _epochs), ("time", lambda t: t.duration)]
    keys += [("memory", lambda t: t.peak_memory)] if memory else []
    keys += [("worker", lambda t: t.worker)] if shown.workers else []
    keys += [("note", lambda t: t.reason)]
    return keys


def judged_keys(results: RunResults) -> Keys:
    """Several objectives or constraints: a column per other objective and constrained
    metric, and (several objectives) each trial's Pareto front; none otherwise."""
    if results.goals.plain:
        return []
    fronts = results.front()
    keys: Keys = [(m, _by_value(m)) for m in results.goals.extra_metrics]
    return keys + ([("front", lambda t: fronts.get(t.trial_id))] if results.goals.multi else [])


def _by_value(metric: str) -> Callable[[TrialRecord], Any]:
    return lambda t: t.values.get(metric)


def _by_param(name: str) -> Callable[[TrialRecord], Any]:
    return lambda t: _sortable(t.hyperparameters.get(name))


def _sortable(value: Any) -> Any:
    return (
        (0, value)
        if isinstance(value, int | float) and not isinstance(value, bool)
        else (1, str(value))
    )


def parse_filter(text: str, names: list[str]) -> list[tuple[str, str]]:
    """`status=failed, optimizer=adam` → [(column, value), …]: trials matching all are shown.

    Raises ValueError naming what is wrong (an unknown column, a part without `=`)."""
    pairs = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, equals, value = (x.strip() for x in part.partition("="))
        if not equals or not name:
            raise ValueError(f"{part!r}: write COLUMN=VALUE, e.g. status=failed")
        if name not in names:
            raise ValueError(f"no column {name!r}; columns: {', '.join(names)}")
        pairs.append((name, value))
    return pairs


def matches(trial: TrialRecord, pairs: list[tuple[str, str]]) -> bool:
    """Whether the trial's status or parameter values are the filter's (as the table shows
    them, or as the space file spells them)."""
    for name, wanted in pairs:
        value: Any = trial.status if name == "status" else trial.hyperparameters.get(name)
        if wanted not in (fmt_value(value), fmt_short(value)):
            return False
    return True


def _judged(value: Any) -> str:
    """An objective's value (a count with separators) or a front's number."""
    if value is None:
        return "-"
    if isinstance(value, int):
        return str(value)
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"


class Leaderboard(DataTable):
    """Trials best first (the engine's order), or by the chosen column.

    Rows are added a page at a time, as the cursor or the scroll nears the last one added: a
    table measures every cell it is given, about half a millisecond a row, so ten thousand
    trials would take seconds to show whole; sorting and filtering work on every trial.
    """

    PAGE = 100  # rows added at once
    _adding = False

    BINDINGS = [
        Binding("enter", "select_cursor", "Details", show=False, id="leaderboard.select_cursor")
    ]

    def __init__(self, results: RunResults, tuned: tuple[str, ...], **kwargs: Any) -> None:
        super().__init__(cursor_type="row", fixed_columns=FIXED_COLUMNS, **kwargs)
        self.results = results
        self.tuned = tuned
        self.shown = Shown().grown(results.trials.values(), tuned, results.objective, {})
        self.memory = any(t.peak_memory is not None for t in results.trials.values())
        self.judged = judged_keys(results)
        self.keys = sort_keys(self.shown, self.memory, self.judged)
        self.sort_index = 0  # "rank": the leaderboard's own order
        self.reverse = False
        self.filter: list[tuple[str, str]] = []
        self._order: list[TrialRecord] = []
        self._rank: dict[str, int] = {}

    def on_mount(self) -> None:
        for name, _ in self.keys:
            self.add_column(name, key=name)
        self.fill()

    @property
    def filter_names(self) -> list[str]:
        """Columns a filter may name: the status and every tuned parameter."""
        return ["status", *self.tuned]

    @property
    def descending(self) -> bool:
        """Scores sort best first (highest, or lowest for an objective to minimise) unless
        reversed; every other column smallest first."""
        best_first = self.sort_column == "score" and self.results.direction == "max"
        return best_first != self.reverse

    @property
    def sort_column(self) -> str:
        return self.keys[self.sort_index][0]

    def ordered(self) -> list[TrialRecord]:
        board = [t for t in self.results.leaderboard() if matches(t, self.filter)]
        name, key = self.keys[self.sort_index]
        if name == "rank":
            return board[::-1] if self.reverse else board
        present = [t for t in board if key(t) is not None]
        missing = [t for t in board if key(t) is None]
        present.sort(key=lambda t: key(t), reverse=self.descending)
        return present + missing

    def fill(self) -> None:
        """Rebuild the rows: the first page of the current order."""
        board = self.results.leaderboard()
        self._rank = {
            t.trial_id: i + 1 for i, t in enumerate(board) if t.status == TrialStatus.COMPLETED
        }
        self._order = []
        self.clear()
        self._order = self.ordered()
        self.more()

    @property
    def total(self) -> int:
        """Rows the current order holds (loaded or not)."""
        return len(self._order)

    def more(self, rows: int = 0) -> None:
        """Add the next page of rows (or up to `rows` rows in all, if more)."""
        start = self.row_count
        end = max(start + self.PAGE, rows)
        rank, best = self._rank, self.results.best_trial_id
        self._adding = True
        try:
            self._add(self._order[start:end], rank, best)
        finally:
            self._adding = False

    def _add(self, trials: list[TrialRecord], rank: dict[str, int], best: str | None) -> None:
        for t in trials:
            mark = (
                f"{BEST}{rank[t.trial_id]}"
                if t.trial_id == best
                else str(rank.get(t.trial_id, "-"))
            )
            self.add_row(
                mark,
                t.trial_id,
                Text(t.status, STATUS_STYLE.get(t.status, "")),
                Text(fmt_score(t.score), "bold" if t.trial_id == best else ""),
                *(_judged(key(t)) for _, key in self.judged),
                *(fmt_short(t.hyperparameters.get(n)) for n in self.shown.params),
                str(_epochs(t)),
                fmt_duration(t.duration),
                *([fmt_bytes(t.peak_memory)] if self.memory else []),
                *([t.worker] if self.shown.workers else []),
                t.reason or (f"infeasible: {t.infeasible}" if t.infeasible else ""),
                key=t.trial_id,
            )

    def _near_end(self, row: int) -> None:
        if self._adding:
            return  # a row being added moved the cursor or the scroll
        if row >= self.row_count - self.PAGE // 4 and self.row_count < len(self._order):
            self.more(row + self.PAGE)

    def watch_cursor_coordinate(self, old: Coordinate, new: Coordinate) -> None:
        super().watch_cursor_coordinate(old, new)
        self._near_end(new.row)

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        self._near_end(int(new) + self.size.height)

    def action_scroll_bottom(self) -> None:
        """The last row of the order (every row is added first)."""
        self.more(len(self._order))
        super().action_scroll_bottom()

    def sort_by(self, column: str) -> None:
        """Sort by `column`; the column it is sorted by already turns the order around."""
        index = [name for name, _ in self.keys].index(column)
        if index == self.sort_index:
            self.reverse = not self.reverse
        else:
            self.sort_index, self.reverse = index, False
        self.fill()

    def set_filter(self, pairs: list[tuple[str, str]]) -> None:
        self.filter = pairs
        self.fill()

    def flip(self) -> None:
        self.reverse = not self.reverse
        self.fill()

    def current(self) -> TrialRecord | None:
        if not self.row_count:
            return None
        key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value
        return self.results.trials.get(key or "")

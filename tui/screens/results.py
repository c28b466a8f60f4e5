"""Results of a run: the leaderboard, a trial's details, export, and re-running the best.

The results are replayed from the journal when the screen opens (a finished run does not change;
a running one is shown as it was then).
"""

from __future__ import annotations

from pathlib import Path

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Footer, Label, Static

from engine.face import (
    InputError,
    RunDir,
    RunResults,
    RunSettings,
    Space,
    TrialRecord,
    TrialStatus,
    load_results,
    objective_label,
    playbook,
    read_recipe,
    recipe_lines,
)
from tui.fmt import fmt_duration, fmt_score, fmt_value
from tui.messages import RunRequested
from tui.screens.dialogs import ConfirmScreen, PickScreen, PromptScreen
from tui.screens.export import ExportScreen
from tui.screens.more import ask_more_trials
from tui.screens.seeds import SeedsScreen
from tui.widgets.leaderboard import Leaderboard, parse_filter
from tui.widgets.metric_curve import MetricCurve


def fixed_space(space: Space, trial: TrialRecord) -> Space:
    """Every parameter fixed at the trial's value (inactive ones at what the trial recorded)."""
    return space.fixed_at(trial.hyperparameters)


def rerun_settings(results: RunResults, run: RunDir) -> RunSettings:
    """The run's settings for one trial of a fixed space (same backend, dataset and seed)."""
    base = RunSettings.from_dict(results.settings) if results.settings else run.settings()
    return base.but(max_trials=1, algorithm="auto", reason="", workers=1)


class ResultsScreen(Screen[None]):
    """The leaderboard of a run, sortable by any column."""

    BINDINGS = [
        Binding(
            "o",
            "choose_sort",
            "Sort",
            tooltip="Pick a column (or click its header)",
            id="results.choose_sort",
        ),
        Binding("O", "reverse_sort", "Reverse", show=False, id="results.reverse_sort"),
        Binding(
            "slash",
            "filter",
            "Filter",
            key_display="/",
            tooltip="e.g. status=failed",
            id="results.filter",
        ),
        Binding(
            "x", "export", "Export", tooltip="yaml, json, csv, python, keras", id="results.export"
        ),
        Binding(
            "b",
            "rerun_best",
            "Re-run best",
            tooltip="One trial, every parameter fixed",
            id="results.rerun_best",
        ),
        Binding(
            "plus",
            "more",
            "More trials",
            key_display="+",
            show=False,
            tooltip="Continue the search with N trials more",
            id="results.more",
        ),
        Binding(
            "N",
            "seeds",
            "Seed check",
            show=False,
            tooltip="Top configurations again with several seeds: is the lead real?",
            id="results.seeds",
        ),
        Binding(
            "a",
            "analysis",
            "Analysis",
            show=False,  # the footer is full at 80 columns: ? and ctrl+p list it
            tooltip="best so far, importance, slices, curves, failures",
            id="results.analysis",
        ),
        Binding(
            "p",
            "pareto",
            "Pareto front",
            show=False,
            tooltip="several objectives: their trade-off as a scatter",
            id="results.pareto",
        ),
        Binding("escape", "back", "Back", id="results.back"),
    ]

    def __init__(self, run_dir: str | Path) -> None:
        super().__init__()
        self.run_dir = Path(run_dir)
        self.run = RunDir(self.run_dir)
        self.results = load_results(self.run_dir)
        self.tuned = self.run.space().tuned()
        # the playbook's warnings but importance's (the analysis screen shows that beside it)
        self.cautions = [c for c in playbook(self.results, self.run_dir) if c.kind != "few"]
        recipe = read_recipe(self.run_dir)  # how the data was made: read once, it does not change
        self.data_line = None if recipe is None else recipe_lines(recipe)[0].removeprefix("data: ")

    def compose(self) -> ComposeResult:
        yield Static(self._summary(), id="results-summary")
        yield Leaderboard(self.results, self.tuned, id="leaderboard")
        yield Footer()

    def _summary(self) -> Text:
        """Two lines: the run and its best; the sort order and objective."""
        r = self.results
        best = r.best
        failed = sum(t.status == TrialStatus.FAILED for t in r.trials.values())
        head = Text.assemble((str(self.run_dir), "bold"), f"  {r.state} {r.done}/{r.planned}")
        head.append(f", {failed} failed" if failed else "")
        oom = sum(t.status == TrialStatus.OOM for t in r.trials.values())
        head.append(f", {oom} out of memory" if oom else "")
        pruned = sum(t.status == TrialStatus.PRUNED for t in r.trials.values())
        head.append(f", {pruned} pruned" if pruned else "")
        if best is not None:
            head.append(f"  best {best.trial_id} {fmt_score(best.score)}", "bold")
        if r.test_score is not None:
            head.append(f"  test {fmt_score(r.test_score)}")
        head.no_wrap, head.overflow = True, "ellipsis"
        if self.data_line is not None:  # source, subsample, seed, splits
            head.append("\n" + self.data_line, "dim")
        tail = Text(f"score: objective {objective_label(r)}", "dim")
        if r.goals.multi:  # several objectives: sorted by front, the scatter one key away
            tail.append(" · Pareto front (p)", "dim")
        if self.cautions:
            more = f" (+{len(self.cautions) - 1} more: a)" if len(self.cautions) > 1 else ""
            tail.append(f"\n⚠ {self.cautions[0].text}{more}", "yellow")
        board = self.query(Leaderboard)
        if board:
            arrow = "↓" if board.first().descending else "↑"
            tail.append(
                f" · sorted by {board.first().sort_column} {arrow} (o, O) · enter: details", "dim"
            )
            if board.first().filter:
                where = ", ".join(f"{k}={v}" for k, v in board.first().filter)
                shown = board.first().total
                tail.append(f"\nfilter {where}: {shown} of {len(r.trials)} trials (/)", "bold")
        return Text("\n").join([head, tail])

    def _resorted(self) -> None:
        self.query_one("#results-summary", Static).update(self._summary())

    def on_mount(self) -> None:
        self.query_one("#results-summary", Static).update(self._summary())

    def action_choose_sort(self) -> None:
        board = self.query_one(Leaderboard)

        def chosen(column: str | None) -> None:
            if column is not None:
                board.sort_by(column)
                self._resorted()

        names = [name for name, _ in board.keys]
        self.app.push_screen(PickScreen("Sort by", names, board.sort_column), chosen)

    def on_data_table_header_selected(self, message: DataTable.HeaderSelected) -> None:
        message.stop()
        self.query_one(Leaderboard).sort_by(str(message.column_key.value))
        self._resorted()

    def action_reverse_sort(self) -> None:
        self.query_one(Leaderboard).flip()
        self._resorted()

    def action_filter(self) -> None:
        board = self.query_one(Leaderboard)
        pairs: dict[str, list[tuple[str, str]]] = {}

        def check(text: str) -> str | None:
            try:
                pairs["filter"] = parse_filter(text, board.filter_names)
            except ValueError as exc:
                return str(exc)
            return None

        def done(value: str | None) -> None:
            if value is not None:
                board.set_filter(pairs.get("filter", []))
                self._resorted()

        current = ", ".join(f"{k}={v}" for k, v in board.filter)
        title = "Show trials where (e.g. status=failed, optimizer=adam; empty: all)"
        self.app.push_screen(PromptScreen(title, current, check), done)

    def on_data_table_row_selected(self, message: DataTable.RowSelected) -> None:
        message.stop()
        self.action_details()

    def action_details(self) -> None:
        trial = self.query_one(Leaderboard).current()
        if trial is not None:
            self.app.push_screen(TrialScreen(trial, self.tuned, self.results.objective))

    def action_analysis(self) -> None:
        from tui.screens.analysis import AnalysisScreen

        trial = self.query_one(Leaderboard).current()
        self.app.push_screen(AnalysisScreen(self.run_dir, self.results, trial))

    def action_pareto(self) -> None:
        if not self.results.goals.multi:
            self.notify("a single objective: no Pareto front", severity="warning")
            return
        from tui.screens.pareto import ParetoScreen

        self.app.push_screen(ParetoScreen(self.run_dir, self.results, self.tuned))

    def action_export(self) -> None:
        self.app.push_screen(ExportScreen(self.run_dir))

    def action_rerun_best(self) -> None:
        best = self.results.best
        if best is None:
            self.notify("no completed trial to re-run", severity="warning")
            return
        try:
            space = fixed_space(self.run.space(), best)
            settings = rerun_settings(self.results, self.run)
        except InputError as exc:
            self.notify(str(exc), title="cannot re-run", severity="error")
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.notify(f"re-running trial {best.trial_id}'s configuration")
                self.post_message(RunRequested(space, settings))

        question = f"Train trial {best.trial_id}'s configuration again, as a new run?"
        self.app.push_screen(ConfirmScreen(question), answered)

    def action_more(self) -> None:
        ask_more_trials(self, self.run_dir)

    def action_seeds(self) -> None:
        if self.results.best is None:
            self.notify("no completed trial to train again", severity="warning")
            return
        self.app.push_screen(SeedsScreen(self.run_dir, self.results))

    def action_back(self) -> None:
        self.app.pop_screen()


class TrialScreen(ModalScreen[None]):
    """One trial: hyperparameters (tuned ones first), outcome, fold scores, curves."""

    BINDINGS = [Binding("escape,enter,q", "close", "Close", id="trial.close")]

    def __init__(
        self, trial: TrialRecord, tuned: tuple[str, ...], objective: str = "val_accuracy"
    ) -> None:
        super().__init__()
        self.trial = trial
        self.tuned = tuned
        self.objective = objective

    def compose(self) -> ComposeResult:
        t = self.trial
        table = Table.grid(padding=(0, 1))
        table.add_column(no_wrap=True)
        table.add_column()
        outcome = [
            ("status", t.status),
            ("score", fmt_score(t.score)),
            ("time", fmt_duration(t.duration)),
        ]
        if t.reason:
            outcome.append(("reason", t.reason))
        if t.fold_scores:
            outcome.append(("folds", ", ".join(fmt_score(s) for s in t.fold_scores)))
        for key, value in outcome:
            table.add_row(Text(key, "bold"), value)
        names = [*self.tuned, *(n for n in t.hyperparameters if n not in self.tuned)]
        for name in names:
            style = "bold cyan" if name in self.tuned else "dim"
            table.add_row(Text(name, style), fmt_value(t.hyperparameters.get(name)))
        with Vertical(classes="dialog wide", id="trial"):
            yield Label(f"Trial {t.trial_id} (worker {t.worker})", classes="dialog-title")
            with Horizontal(id="trial-body"):
                with VerticalScroll(id="trial-params"):
                    yield Static(table)
                yield MetricCurve(id="trial-curve")
            yield Label("esc close", classes="hint")

    def on_mount(self) -> None:
        self.query_one(MetricCurve).show(self.trial, self.objective)

    def action_close(self) -> None:
        self.dismiss(None)

"""What a run's trials mean: best-so-far, importance, slices, curves, two trials side by side,
failures, and the runs beside this one, one tab each. Every number comes from engine.face;
this screen only draws.

Importance needs Optuna or scikit-learn, so it is estimated by an engine child in a worker
thread and fills its tab when done; every other view is computed in place (the runs beside
this one when their tab is first shown).
"""

from __future__ import annotations

from pathlib import Path

from rich.console import Group
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, SelectionList, Static, TabbedContent, TabPane
from textual.widgets.selection_list import Selection

from engine.face import (
    InputError,
    RunResults,
    TrialRecord,
    best_so_far,
    compare_trials,
    curves,
    failed_trials,
    failure,
    importance_of,
    metrics,
    playbook,
    slices,
    top_trials,
    tuned_names,
)
from tui.fmt import fmt_score
from tui.widgets.analysis_plots import BestSoFarPlot, CurvesPlot, SlicePlot
from tui.widgets.analysis_text import diff_table, failure_text, importance_table
from tui.widgets.runs_comparison import RunsComparison

TABS = ("progress", "importance", "slices", "curves", "compare", "failures", "beside")
LABELS = ("Best so far", "Importance", "Slices", "Curves", "Compare", "Failures", "Runs")
CURVE_TRIALS = 5
CHOICES = 100  # trials offered in the curves' pick list


class AnalysisScreen(Screen[None]):
    """The analysis of one run; `trial` (the leaderboard's cursor) joins the curves, is compared
    with the best, and is shown first among failures."""

    BINDINGS = [
        *(
            Binding(str(i), f"tab('{tab}')", label, show=False, id=f"analysis.{tab}")
            for i, (tab, label) in enumerate(zip(TABS, LABELS, strict=True), start=1)
        ),
        Binding(
            "n", "step(1)", "Next", tooltip="parameter, metric or failed trial", id="analysis.next"
        ),
        Binding("N", "step(-1)", "Previous", show=False, id="analysis.previous"),
        Binding(
            "t",
            "toggle_time",
            "Trials/time",
            tooltip="best so far: x axis",
            id="analysis.toggle_time",
        ),
        Binding("escape", "back", "Back", id="analysis.back"),
    ]

    def __init__(self, run_dir: str | Path, results: RunResults, trial: TrialRecord | None) -> None:
        super().__init__()
        self.run_dir, self.results = Path(run_dir), results
        self.tuned = tuned_names(results)
        self.slices = slices(results, self.tuned)
        self.selected = _selection(results, trial)
        self.metrics = metrics(results) or [results.objective]
        self.failed = failed_trials(results)
        if trial is not None and trial in self.failed:
            self.failed.remove(trial)
            self.failed.insert(0, trial)
        self.pair = _pair(results, trial)
        self.index = dict.fromkeys(("slices", "curves", "failures"), 0)
        self.by_time = False
        self.cautions = playbook(results, run_dir)  # the tuning playbook's warnings
        self._beside_drawn = False

    def compose(self) -> ComposeResult:
        with TabbedContent(id="analysis-tabs"):
            with TabPane("Best so far", id="progress"):
                yield Static(id="progress-head", classes="hint")
                yield Static(id="progress-playbook")  # the tuning playbook's warnings
                yield BestSoFarPlot(id="progress-plot")
            with TabPane("Importance", id="importance"), VerticalScroll():
                yield Static("estimating importance…", id="importance-table")
            with TabPane("Slices", id="slices"):
                yield Static(id="slices-head", classes="hint")
                yield SlicePlot(id="slices-plot")
            with TabPane("Curves", id="curves"), Horizontal():
                yield SelectionList[str](*self._choices(), id="curves-pick")
                with Vertical():
                    yield Static(id="curves-head", classes="hint")
                    yield CurvesPlot(id="curves-plot")
            with TabPane("Compare", id="compare"), Horizontal():
                with VerticalScroll(id="compare-diff"):
                    yield Static(id="compare-table")
                yield CurvesPlot(id="compare-plot")
            with TabPane("Failures", id="failures"), VerticalScroll():
                yield Static(id="failures-text")
            with TabPane("Runs", id="beside"):
                yield RunsComparison(id="runs-comparison")
        yield Footer()

    def on_mount(self) -> None:
        self._draw_progress()
        self._draw_slice()
        self._draw_curves()
        self._draw_compare()
        self._draw_failure()
        self._estimate()

    def on_tabbed_content_tab_activated(self, message: TabbedContent.TabActivated) -> None:
        """The runs beside this one are read when their tab is first shown (each is a run
        of its own to read)."""
        if message.pane.id == "beside" and not self._beside_drawn:
            self._beside_drawn = True
            self.query_one(RunsComparison).show(self.run_dir)

    # ---- views ---------------------------------------------------------------------------
    def _draw_progress(self) -> None:
        points = best_so_far(self.results)
        better = sum(p.improved for p in points)
        head = (
            f"{len(points)} completed · best {fmt_score(points[-1].best)} · {better} "
            f"improvement{'s' * (better != 1)} · t: x by {'trial' if self.by_time else 'time'}"
            if points
            else "no completed trial yet"
        )
        self.query_one("#progress-head", Static).update(head)
        cautions = [c.text for c in self.cautions if c.kind != "few"]  # `few`: by importance
        warned = self.query_one("#progress-playbook", Static)
        warned.update(Text("\n".join(f"⚠ {text}" for text in cautions), "yellow"))
        warned.display = bool(cautions)
        self.query_one(BestSoFarPlot).show(points, self.results.objective, self.by_time)

    def _draw_slice(self) -> None:
        one = self.slices[self.index["slices"] % len(self.slices)] if self.slices else None
        head = (
            f"{one.name} ({self.index['slices'] % len(self.slices) + 1} of "
            f"{len(self.slices)}) · n: next parameter"
            if one
            else "no tuned parameter"
        )
        self.query_one("#slices-head", Static).update(head)
        self.query_one(SlicePlot).show(one, self.results.objective)

    def _choices(self) -> list[Selection[str]]:
        """The best trials with a curve (CHOICES of them), best first, and the selected ones;
        the selected ones ticked. A list of ten thousand takes seconds to build, and the
        curves of trials far down the leaderboard are the cursor's to pick (`a` on its row)."""
        board = [t for t in self.results.leaderboard() if t.curve_keys()]
        shown = board[:CHOICES] + [t for t in board[CHOICES:] if t.trial_id in self.selected]
        return [
            Selection(f"{t.trial_id} {fmt_score(t.score)}", t.trial_id, t.trial_id in self.selected)
            for t in shown
        ]

    def on_selection_list_selected_changed(self, message: SelectionList.SelectedChanged) -> None:
        picked = set(message.selection_list.selected)
        order = [t.trial_id for t in self.results.leaderboard()]
        self.selected = [i for i in order if i in picked]
        self._draw_curves()

    def _metric(self) -> str:
        return self.metrics[self.index["curves"] % len(self.metrics)]

    def _draw_curves(self) -> None:
        metric = self._metric()
        count = len(self.selected)
        self.query_one("#curves-head", Static).update(
            f"{metric} of {count} trial{'s' * (count != 1)} · space: pick · n: next metric"
        )
        self.query_one("#curves-plot", CurvesPlot).show(
            curves(self.results, self.selected, metric), metric
        )

    def _draw_compare(self) -> None:
        table = self.query_one("#compare-table", Static)
        plot = self.query_one("#compare-plot", CurvesPlot)
        if self.pair is None:
            table.update("two completed trials are needed to compare")
            plot.show([], self._metric())
            return
        pair = compare_trials(self.results, *self.pair)
        metric = self._metric() if self._metric() in pair.curves else next(iter(pair.curves), "")
        table.update(diff_table(pair, self.tuned))
        plot.show(list(pair.curves.get(metric, ())), metric)

    def _draw_failure(self) -> None:
        text = self.query_one("#failures-text", Static)
        if not self.failed:
            text.update("no trial failed")
            return
        which = self.index["failures"] % len(self.failed)
        found = failure(self.results, self.run_dir, self.failed[which].trial_id)
        head = Text(f"{which + 1} of {len(self.failed)} failed · n: next\n\n", "dim")
        text.update(head + failure_text(found))

    @work(thread=True, exclusive=True, group="importance")
    def _estimate(self) -> None:
        try:
            result = importance_of(self.run_dir)
        except InputError as exc:
            self.app.call_from_thread(self._show_importance, Text(str(exc), "red"))
            return
        few = [c.text for c in self.cautions if c.kind == "few"] if not result.note else []
        table = importance_table(result)
        shown = Group(table, *(Text(f"⚠ {text}", "yellow") for text in few)) if few else table
        self.app.call_from_thread(self._show_importance, shown)

    def _show_importance(self, renderable: object) -> None:
        self.query_one("#importance-table", Static).update(renderable)  # type: ignore[arg-type]

    # ---- actions -------------------------------------------------------------------------
    def action_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab
        if tab == "curves":
            self.query_one("#curves-pick").focus()

    def action_step(self, by: int) -> None:
        active = self.query_one(TabbedContent).active
        view = "curves" if active == "compare" else active
        if view not in self.index:
            return
        self.index[view] += by
        {"slices": self._draw_slice, "failures": self._draw_failure}.get(
            view, self._redraw_curves
        )()

    def _redraw_curves(self) -> None:
        self._draw_curves()
        self._draw_compare()

    def action_toggle_time(self) -> None:
        self.by_time = not self.by_time
        self._draw_progress()

    def action_back(self) -> None:
        self.app.pop_screen()


def _selection(results: RunResults, trial: TrialRecord | None) -> list[str]:
    """The best trials, and the cursor's trial when it is not among them."""
    top = top_trials(results, CURVE_TRIALS)
    if trial is not None and trial.trial_id not in top and trial.curve_keys():
        top = [*top[: CURVE_TRIALS - 1], trial.trial_id]
    return top


def _pair(results: RunResults, trial: TrialRecord | None) -> tuple[str, str] | None:
    """The cursor's trial against the best (the best against the runner-up when it is the best)."""
    top = top_trials(results, 2)
    best = top[0] if top else None
    if trial is not None and best is not None and trial.trial_id != best:
        return best, trial.trial_id
    return (top[0], top[1]) if len(top) == 2 else None

"""The run monitor: live trials, the running trial's curves, progress, warnings and failures.

One poller (a thread worker) reads what the journals gained every POLL_SECONDS and posts it
as one `JournalGrew` message; the handler folds the events into a `RunResults` and rewrites the
changed table cells at once (a fast stream is coalesced to at most 1/POLL_SECONDS table updates
a second). A 4 Hz timer redraws the rest: the header, the running trials' clocks, and the curve,
at most once a second while a search runs (plotext redraws its whole canvas, the costliest
bytes on an SSH link). The search itself runs in another process: leaving this screen, or the
console, never stops it.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import DataTable, Footer, RichLog, Static
from textual.worker import get_current_worker

from engine.face import (
    InputError,
    RunDir,
    RunResults,
    RunState,
    StopMode,
    Tail,
    TrialRecord,
    TrialStatus,
    command_hint,
    killed_reason,
    notices,
    oom_kills,
    read_results,
    run_state,
)
from engine.face import events as ev
from tui.bridge import POLL_SECONDS, Liveness, runner_log_tail
from tui.fmt import count
from tui.messages import JournalGrew, ResultsRequested, ResumeRequested
from tui.widgets.metric_curve import MetricCurve
from tui.widgets.run_status import Progress, RunStatus
from tui.widgets.trial_table import TrialTable

REDRAW_SECONDS = 0.25
CURVE_SECONDS = 1.0  # while live; a plot frame is about 2 KB at 80×24


def log_line(event: ev.Event, results: RunResults) -> str | None:
    """The log pane's line for an event worth a human's attention (None for the rest)."""
    if isinstance(event, ev.LogMessage):
        return f"{event.level}: {event.message}"
    if isinstance(event, ev.TrialEnded) and event.status != TrialStatus.COMPLETED:
        return f"trial {event.trial_id} {event.status}: {event.reason or 'no reason given'}"
    if isinstance(event, ev.SearchStarted):
        verb = "resumed" if event.resumed else "started"
        planned = count(event.planned_trials, "trial")
        return f"search {verb}: {event.backend} {event.algorithm}, {planned}"
    if isinstance(event, ev.SearchFailed):
        return f"search failed: {event.reason}"
    if isinstance(event, ev.SearchStopped):
        return f"search stopped: {event.reason}"
    if isinstance(event, ev.SearchFinished):
        best = results.best
        score = "-" if best is None or best.score is None else f"{best.score:.4f}"
        return f"search finished: best trial {event.best_trial_id} ({score})"
    return None


class RunScreen(Screen[None]):
    """Monitor of one run directory (started here, or attached to)."""

    BINDINGS = [
        Binding(
            "s",
            "stop",
            "Stop",
            tooltip="Stop the search after the current trial",
            id="monitor.stop",
        ),
        Binding(
            "k",
            "skip",
            "Skip trial",
            tooltip="Drop the running trial; the search goes on",
            id="monitor.skip",
        ),
        Binding("v", "results", "Results", id="monitor.results"),
        Binding(
            "f",
            "follow",
            "Follow",
            show=False,
            tooltip="The cursor and the curve follow the running trial again",
            id="monitor.follow",
        ),
        Binding(
            "R",
            "resume",
            "Resume",
            show=False,
            tooltip="Start the runner again here",
            id="monitor.resume",
        ),
        Binding("escape", "back", "Editor", tooltip="The search keeps running", id="monitor.back"),
    ]

    def __init__(
        self,
        run_dir: str | Path,
        process: subprocess.Popen[bytes] | None = None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        super().__init__()
        self.run_dir = Path(run_dir)
        self.results = RunResults()
        self.liveness = Liveness(self.run_dir, process)
        self.clock = clock or time.time
        self.tail = Tail(self.run_dir)  # read by the poller's thread only, once it runs
        self.tuned = RunDir(self.run_dir).space().tuned()
        self._changed: set[str] = set()
        self._dirty = True
        self._curve_at = float("-inf")  # monotonic time of the last curve redraw
        self._last_event: float | None = None
        self._exit_reported = False
        self.log_lines: list[str] = []
        self._state = RunState.STARTING
        self.picked: str | None = None  # the trial the user put the cursor on (None: follow)
        self.oom_kills = oom_kills()  # the cgroup's count, to tell the OOM killer's SIGKILL

    def compose(self) -> ComposeResult:
        yield RunStatus(str(self.run_dir), id="run-status")
        yield TrialTable(self.tuned, id="trials")
        with Horizontal(id="run-bottom"):
            yield MetricCurve(id="curve")
            yield RichLog(id="run-log", max_lines=500, wrap=True, markup=False, min_width=20)
        yield Static(self._hint(), id="run-hint", classes="hint")
        yield Footer()

    def _hint(self, state: RunState = RunState.RUNNING) -> str:
        """What to do next, by state: a running search survives the console."""
        if state.live:
            return f"q quits, the search keeps running: {command_hint('attach', self.run_dir)}"
        if state == RunState.INTERRUPTED:
            return f"the runner is gone: R resumes (or: {command_hint('resume', self.run_dir)})"
        if state == RunState.STOPPED:
            return "stopped: R resumes, v shows the results so far"
        return f"{state}: v or enter shows the results, esc the editor"

    def on_mount(self) -> None:
        self._open()  # the journal so far, drawn in the first frame
        self.redraw()
        self.set_interval(REDRAW_SECONDS, self.redraw)
        self.poll_journal()

    # ---- events in ------------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="journal")
    def poll_journal(self) -> None:
        """The one poller: what the journals gained, as a message, every POLL_SECONDS (read
        and decoded in this thread, so a burst never holds up a key)."""
        worker = get_current_worker()
        while not worker.is_cancelled:
            events = self.tail.poll()
            if events:
                self.post_message(JournalGrew(events))
            time.sleep(POLL_SECONDS)

    def on_journal_grew(self, message: JournalGrew) -> None:
        self._apply(message.events)
        state = self.state  # now, not at the next tick: epochs show within a poll
        self._show_status(state)
        self._sync_table(state)

    def _open(self) -> None:
        """The run so far from its summary (a large run replays only its newest lines), the
        past's notices into the log pane, and the tail set to go on from there."""
        self.results, offsets = read_results(self.run_dir)
        self.tail = Tail(self.run_dir, offsets=offsets)
        past = notices(self.results)
        for event in past:
            line = log_line(event, self.results)
            if line:
                self.say(line)
        self._changed |= set(self.results.trials)
        self._last_event = self.results.latest
        self._dirty = True

    def _apply(self, events: list[ev.Event]) -> None:
        for event in events:
            self.results.apply(event)
            self._last_event = event.time
            trial_id = getattr(event, "trial_id", None)
            if trial_id is not None:
                self._changed.add(trial_id)
            line = log_line(event, self.results)
            if line:
                self.say(line)
        if events:
            self._dirty = True

    def say(self, line: str) -> None:
        """Add a line to the log pane (warnings, failures, what the user asked for)."""
        self.log_lines.append(line)
        self.query_one(RichLog).write(line)

    # ---- drawing --------------------------------------------------------------------------
    @property
    def state(self) -> RunState:
        """The journal's state, corrected by whether a runner is alive (as `tunedeck ls`)."""
        return run_state(self.results.state, self.liveness.alive())

    def running_trial(self) -> TrialRecord | None:
        running = [t for t in self.results.trials.values() if t.status == TrialStatus.RUNNING]
        if running and self.state == RunState.RUNNING:
            return max(running, key=lambda t: t.number)
        return None

    def redraw(self) -> None:
        state = self.state
        live = state.live
        if (
            state == RunState.INTERRUPTED
            and not self._exit_reported
            and self.liveness.process is not None
        ):
            self._exit_reported = True
            code = self.liveness.exit_code
            why = runner_log_tail(self.run_dir) or "no output"
            killed = killed_reason(code, self.oom_kills, oom_kills())  # the OOM killer's SIGKILL
            self.say(f"runner {killed}: {why}" if killed else f"runner exited (code {code}): {why}")
        if state != self._state:
            self._state = state
            self.query_one("#run-hint", Static).update(self._hint(state))
        self._show_status(state)
        if not self._dirty and not live:
            return
        self._sync_table(state)
        ticked = time.monotonic()
        if live and ticked - self._curve_at < CURVE_SECONDS:
            return  # the table is current; the curve catches up within a second
        self._curve_at = ticked
        self._dirty = False
        self.query_one(MetricCurve).show(self.shown_trial(), self.results.objective)

    def shown_trial(self) -> TrialRecord | None:
        """The trial whose curve is drawn: the one the user put the cursor on, else the running
        one (the cursor follows it), else the best, else the latest with epochs."""
        picked = self.results.trials.get(self.picked) if self.picked else None
        if picked is not None:
            return picked
        running = self.running_trial()
        if running is not None:
            self.query_one(TrialTable).place(running.trial_id)
            return running
        return self.results.best or self._latest()

    def _show_status(self, state: RunState) -> None:
        """The header: a new state at once, progress at most once a second (RunStatus)."""
        now = self.clock() if state.live else None
        progress = Progress.of(self.results, state, now, self._last_event)
        self.query_one(RunStatus).show(self.results, progress)

    def _sync_table(self, state: RunState) -> None:
        """Rewrite the table cells that changed (and the running trials' clocks)."""
        now = self.clock() if state.live else None
        self.query_one(TrialTable).sync(self.results, self._changed, now)
        self._changed = set()

    def _latest(self) -> TrialRecord | None:
        trials = [t for t in self.results.trials.values() if t.curve]
        return max(trials, key=lambda t: t.number) if trials else None

    # ---- actions --------------------------------------------------------------------------
    def on_trial_table_moved(self, message: TrialTable.Moved) -> None:
        """The user chose a trial: its curve is drawn (now), and the cursor stays with it."""
        self.picked = message.table.chosen()
        self._show_curve_now()

    def action_follow(self) -> None:
        self.picked = None
        self._show_curve_now()

    def _show_curve_now(self) -> None:
        self._dirty, self._curve_at = True, float("-inf")
        self.redraw()

    def action_stop(self) -> None:
        state = self.state
        if state == RunState.STARTING:  # the runner clears old stop requests as it starts
            self.notify("the search is starting: press s again in a moment", severity="warning")
            return
        if state != RunState.RUNNING:
            self.notify("no search is running here", severity="warning")
            return
        try:
            RunDir(self.run_dir).request_stop(StopMode.AFTER_TRIAL)
        except InputError as exc:
            self.say(f"cannot ask the search to stop: {exc}")
            return
        self.say("stop requested: the search stops after the current trial")

    def action_skip(self) -> None:
        trial = self.running_trial()
        if trial is None:
            self.notify("no trial is running", severity="warning")
            return
        try:
            RunDir(self.run_dir).request_skip(trial.trial_id)
        except InputError as exc:
            self.say(f"cannot ask to skip trial {trial.trial_id}: {exc}")
            return
        self.say(f"skip requested for trial {trial.trial_id}")

    def action_results(self) -> None:
        if not self.results.trials:
            self.notify("no trials yet", severity="warning")
            return
        if self.state.live:
            self.notify("still running: the results show the trials so far")
        self.post_message(ResultsRequested(self.run_dir))

    def on_data_table_row_selected(self, message: DataTable.RowSelected) -> None:
        message.stop()
        self.action_results()

    def action_resume(self) -> None:
        if self.state not in (RunState.INTERRUPTED, RunState.STOPPED, RunState.FAILED):
            self.notify("only an interrupted or stopped search can be resumed", severity="warning")
            return
        self.post_message(ResumeRequested(self.run_dir))

    def runner_started(self, process: subprocess.Popen[bytes]) -> None:
        """The app started a runner on this run again (resume): watch that process now."""
        self.liveness = Liveness(self.run_dir, process)
        self._exit_reported = False
        self.oom_kills = oom_kills()
        self.say("runner started again")

    def action_back(self) -> None:
        self.app.pop_screen()

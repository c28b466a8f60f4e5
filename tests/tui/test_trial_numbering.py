"""One trial numbering: what the journal calls a trial is what a command line, a table and a
plot's axis call it, for Keras Tuner's names and scikit-learn's alike (both are the trial's
number counted from 0, zero-padded as the backend pads it)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from textual.app import App, ComposeResult

from engine.analysis.progress import best_so_far
from engine.export.report import LinePrinter
from engine.run import events as ev
from engine.run.journal import read_run
from engine.run.results import replay
from engine.run.rundir import JOURNAL, RunDir
from engine.run.settings import RunSettings
from engine.space import Space
from tests.tui.helpers import wait_until
from tui.app import make_app
from tui.screens.run import RunScreen
from tui.widgets.analysis_plots import BestSoFarPlot
from tui.widgets.trial_table import TrialTable

SCORES = (0.5, 0.7, 0.9, 0.6)  # the third trial is the best
NAMES = {  # as each backend names its trials (Keras Tuner pads to len(str(max_trials)))
    "keras-tuner": ("0", "1", "2", "3"),
    "sklearn": ("000", "001", "002", "003"),
}


def write_run(path: Path, backend: str) -> Path:
    space = Space.from_dict({"architecture": {"nodes": [8, 16, 32, 64]}})
    RunDir.create(path, space, RunSettings(backend=backend, algorithm="grid", max_trials=4))
    events: list[ev.Event] = [
        ev.SearchStarted(
            time=1.0, space=space.to_dict(), backend=backend, algorithm="grid", planned_trials=4
        )
    ]
    for number, (trial_id, score) in enumerate(zip(NAMES[backend], SCORES, strict=True), 1):
        config = {**space.defaults(), "nodes": 2 ** (number + 2)}
        events += [
            ev.TrialStarted(time=number, trial_id=trial_id, number=number, hyperparameters=config),
            ev.TrialEnded(time=number + 0.5, trial_id=trial_id, status="completed", score=score),
        ]
    events.append(ev.SearchFinished(time=9.0, best_trial_id=NAMES[backend][2], best_score=0.9))
    (path / JOURNAL).write_text("".join(e.to_json() + "\n" for e in events))
    return path


class PlotOnly(App[None]):
    def compose(self) -> ComposeResult:
        yield BestSoFarPlot()


@pytest.mark.parametrize("backend", sorted(NAMES))
@pytest.mark.asyncio
async def test_a_trial_has_one_number_in_a_line_a_table_and_an_axis(
    workdir: Path, backend: str
) -> None:
    run = write_run(Path("runs") / backend, backend)
    best = NAMES[backend][2]

    out = io.StringIO()
    printer = LinePrinter(("nodes",), out=out, announce=False)
    for event in read_run(run):
        printer(event)
    assert f"trial {best}  3/4  nodes=32  score 0.9000" in out.getvalue()

    app = make_app(attach=run)
    async with app.run_test(size=(80, 24)) as pilot:
        monitor = await wait_until(pilot, lambda: isinstance(app.screen, RunScreen) and app.screen)
        table = monitor.query_one(TrialTable).rows_by_column()
        assert [row["trial"] for row in table if row[""] == "★"] == [best]

    plot_app = PlotOnly()
    async with plot_app.run_test(size=(80, 24)):
        plot = plot_app.query_one(BestSoFarPlot)
        results = replay(read_run(run))
        plot.show(best_so_far(results), results.objective)
        assert plot.drawn[best] == int(best) == 2

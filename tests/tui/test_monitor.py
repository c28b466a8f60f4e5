"""Real fake searches started from the console: monitor, results, export, stop and skip."""

from __future__ import annotations

import csv
import io
import sys
import time
from pathlib import Path

import pytest
import yaml

from engine.prepare import write_request
from engine.run import events as ev
from engine.run.rundir import RunDir
from engine.space.hyperparameters import Fixed
from tests.tui.helpers import flowing_text, journal, screen_text, wait_until
from tui import bridge
from tui.app import make_app
from tui.screens.dialogs import ConfirmScreen
from tui.screens.export import ExportScreen
from tui.screens.results import ResultsScreen, TrialScreen
from tui.screens.run import RunScreen
from tui.screens.space import SpaceScreen
from tui.widgets.metric_curve import MetricCurve
from tui.widgets.trial_table import TrialTable

SIZE = (80, 24)


async def start_fake_search(pilot, trials: int, epochs: int) -> RunScreen:
    """From the editor: backend fake (b ×3), trial budget, epochs override, r."""
    await pilot.press("b", "b", "b", "t", "ctrl+u", *str(trials), "enter")
    await pilot.press("e", "ctrl+u", *str(epochs), "enter", "r")
    return await wait_until(
        pilot, lambda: isinstance(pilot.app.screen, RunScreen) and pilot.app.screen
    )


def rows(screen: RunScreen) -> list[dict[str, str]]:
    return screen.query_one(TrialTable).rows_by_column()


def finished(screen: RunScreen) -> bool:
    """The journal says finished and the table, redrawn a few times a second, shows it all."""
    statuses = [row["status"] for row in rows(screen)]
    complete = len(statuses) == screen.results.planned and set(statuses) == {"completed"}
    return screen.state == "finished" and complete


@pytest.mark.asyncio
async def test_fake_search_results_and_exports(workdir: Path) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        monitor = await start_fake_search(pilot, trials=4, epochs=2)
        await wait_until(pilot, lambda: finished(monitor))
        table = rows(monitor)
        assert [row["trial"] for row in table] == ["000", "001", "002", "003"]
        assert {row["epoch"] for row in table} == {"2/2"}
        assert sum(row[""] == "★" for row in table) == 1
        run_dir = monitor.run_dir
        assert run_dir.parent == Path("runs") and run_dir.name.endswith("-digits")
        assert "4/4" in screen_text(app) and "search finished" in screen_text(app)
        assert monitor.log_lines[-1].startswith("search finished: best trial")

        await pilot.press("v")
        results = await wait_until(
            pilot, lambda: isinstance(app.screen, ResultsScreen) and app.screen
        )
        best = results.results.best
        assert best is not None and f"best {best.trial_id}" in screen_text(app)
        await pilot.press("enter")
        assert (
            isinstance(app.screen, TrialScreen)
            and app.screen.trial is results.query_one("Leaderboard").current()
        )
        await pilot.press("escape", "o", "down", "down", "down", "enter")  # picks score
        board = results.query_one("Leaderboard")
        assert board.sort_column == "score" and "sorted by score ↓" in screen_text(app)
        scores = [t.score for t in board.ordered()]
        assert scores == sorted(scores, reverse=True)
        await pilot.press("O")
        assert [t.score for t in board.ordered()] == scores[::-1]
        assert "sorted by score ↑" in screen_text(app)

        await pilot.press("x")
        assert isinstance(app.screen, ExportScreen)
        await pilot.press("tab", "ctrl+u", *"best.yaml", "enter")
        await wait_until(pilot, lambda: "wrote best.yaml" in screen_text(app))
        record = yaml.safe_load(Path("best.yaml").read_text())
        assert record["trial_id"] == best.trial_id and record["score"] == best.score
        assert record["hyperparameters"]["epochs"] == 2

        await pilot.press("shift+tab", "down", "down", "tab")  # csv: the path follows
        assert app.screen.query_one("#export-path").value == "best.csv"
        await pilot.press("enter")
        await wait_until(pilot, lambda: "wrote best.csv" in screen_text(app))
        trials = list(csv.DictReader(io.StringIO(Path("best.csv").read_text())))
        assert [t["trial_id"] for t in trials] == ["000", "001", "002", "003"]
        assert {t["status"] for t in trials} == {"completed"}

        Path("best.csv").write_text("mine\n")  # an existing file is never overwritten silently
        await pilot.press("enter")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await wait_until(pilot, lambda: "not exported" in screen_text(app))
        assert Path("best.csv").read_text() == "mine\n"
        await pilot.press("enter", "y")
        await wait_until(pilot, lambda: "wrote best.csv" in screen_text(app))
        assert Path("best.csv").read_text().startswith("trial_id,")

        await pilot.press("escape", "b")  # re-run the best configuration: asked first
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        assert isinstance(app.screen, ResultsScreen), "no: nothing started"
        await pilot.press("b", "y")
        rerun = await wait_until(
            pilot,
            lambda: (
                isinstance(app.screen, RunScreen) and app.screen.run_dir != run_dir and app.screen
            ),
        )
        await wait_until(pilot, lambda: finished(rerun))
        space = RunDir(rerun.run_dir).space()
        assert all(isinstance(hp, Fixed) for hp in space.params.values())
        assert space.params["learning_rate"].value == best.hyperparameters["learning_rate"]
        assert len(rows(rerun)) == 1


def training(row: dict[str, str], epochs: int) -> bool:
    """Running, past its first epoch and short of its last: a key now lands mid-trial
    (however late the table catches up, it never has to show one exact epoch)."""
    done = row["epoch"].partition("/")[0]
    return row["status"] == "running" and done.isdigit() and 1 <= int(done) < epochs


@pytest.mark.asyncio
async def test_skip_then_stop(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TUNEDECK_FAKE_DELAY", "0.25")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        monitor = await start_fake_search(pilot, trials=4, epochs=8)
        await wait_until(pilot, lambda: rows(monitor) and training(rows(monitor)[0], 8))
        await pilot.press("k")
        await wait_until(pilot, lambda: rows(monitor)[0]["status"] == "stopped")
        assert rows(monitor)[0]["note"] == "skipped by user"
        ended = [e for e in journal(monitor.run_dir) if e["type"] == "trial_ended"]
        assert ended[0]["trial_id"] == "000" and ended[0]["status"] == "stopped"

        await wait_until(pilot, lambda: len(rows(monitor)) == 2 and training(rows(monitor)[1], 8))
        await pilot.press("s")
        asked = time.time()  # the stop request is written: no trial may start after it
        await wait_until(pilot, lambda: monitor.state == "stopped", timeout=15)
        events = journal(monitor.run_dir)
        assert events[-1]["type"] == "search_stopped"
        started = [e for e in events if e["type"] == "trial_started"]
        assert not [e for e in started if e["time"] > asked], "no trial starts after a stop"
        ended = [e for e in events if e["type"] == "trial_ended"]
        assert [e["status"] for e in ended[1:]] == ["completed"] * (len(started) - 1)
        assert len(rows(monitor)) == len(started)
        assert "search stopped: stop requested" in monitor.log_lines


@pytest.mark.asyncio
async def test_attach_shows_the_journal_and_an_interrupted_run(running_run: Path) -> None:
    app = make_app(attach=running_run)
    async with app.run_test(size=SIZE) as pilot:
        monitor = await wait_until(pilot, lambda: isinstance(app.screen, RunScreen) and app.screen)
        table = rows(monitor)
        assert [row["status"] for row in table] == ["completed", "failed", "completed", "running"]
        assert table[2][""] == "★" and table[3]["epoch"] == "2/3"
        assert "interrupted" in screen_text(app)
        assert "trial 001 failed: ValueError: simulated failure" in monitor.log_lines
        assert "warning: loss is NaN at epoch 1" in monitor.log_lines
        assert "simulated failure" in screen_text(app)
        await pilot.press("escape")  # back to the editor, which shows the run's space
        assert app.screen.space.params["batch_size"].values() == (16, 32)
        await pilot.press("v")  # and back to the monitor
        assert app.screen is monitor


@pytest.mark.asyncio
async def test_resume_an_interrupted_run(running_run: Path) -> None:
    app = make_app(attach=running_run)
    async with app.run_test(size=SIZE) as pilot:
        monitor = await wait_until(pilot, lambda: isinstance(app.screen, RunScreen) and app.screen)
        assert monitor.state == "interrupted"
        await pilot.press("R")
        done = ["completed", "failed", "completed", "completed"]
        await wait_until(pilot, lambda: [row["status"] for row in rows(monitor)] == done)
        await wait_until(pilot, lambda: monitor.state == "finished")
        assert "search resumed: fake random, 4 trials" in monitor.log_lines
        await wait_until(
            pilot, (running_run / "best.yaml").exists
        )  # written after the journal's end


@pytest.mark.asyncio
async def test_a_search_that_cannot_start_is_refused_with_no_run_dir(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A dataset that fails to load: one line naming it, the editor stays, no run directory,
    so no monitor offers stop or skip keys for a search that never began."""
    bad = Path(__file__).parents[1] / "bad_inputs" / "ragged.csv"
    logs = kept_logs(monkeypatch)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f", "ctrl+u", *str(bad), "enter", "b", "b", "t", "ctrl+u", "1", "enter")
        await wait_until(pilot, lambda: "sklearn" in screen_text(app))
        await pilot.press("r")
        said = f"cannot start: {bad}: line 3 has 2 fields but the header has 3"
        await wait_until(pilot, lambda: said in flowing_text(app), timeout=60)
        assert isinstance(app.screen, SpaceScreen) and app.monitor is None
        assert not Path("runs").exists() or not any(Path("runs").iterdir())
        assert len(logs) == 1 and not logs[0].exists(), "no log left by a refusal"
        await pilot.press("v")  # nothing to go back to
        assert "no search started yet" in screen_text(app)


@pytest.mark.asyncio
async def test_an_engine_that_dies_before_the_run_exists_is_reported(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    script = (
        "import sys; print('tunedeck: error: digits: cannot load', file=sys.stderr); sys.exit(2)"
    )
    monkeypatch.setattr(bridge, "engine_command", lambda *args: [sys.executable, "-c", script])
    made: list[Path] = []
    monkeypatch.setattr(
        bridge, "write_request", lambda *a: made.append(write_request(*a)) or made[-1]
    )
    logs = kept_logs(monkeypatch)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("r")
        await wait_until(pilot, lambda: "digits: cannot load" in screen_text(app))
        assert "cannot start" in screen_text(app) and app.monitor is None
        assert len(made) == 1 and not made[0].exists(), "the request was cleaned up"
        assert len(logs) == 1 and not logs[0].exists(), "a refusal's one line says it all"


@pytest.mark.asyncio
async def test_an_engine_that_crashes_before_the_run_exists_keeps_its_log(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    script = "import sys; print('Traceback (most recent call last):'); sys.exit('boom')"
    monkeypatch.setattr(bridge, "engine_command", lambda *args: [sys.executable, "-c", script])
    logs = kept_logs(monkeypatch)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("r")
        await wait_until(pilot, lambda: "exited with code 1: boom" in flowing_text(app))
        assert len(logs) == 1 and "Traceback" in logs[0].read_text()
        assert logs[0].name in "".join(screen_text(app).split()), "named, to be read"


def kept_logs(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The logs the console makes for the starts it asks for, as they are made."""
    made: list[Path] = []
    real = bridge.new_log
    monkeypatch.setattr(bridge, "new_log", lambda prefix: made.append(real(prefix)) or made[-1])
    return made


def axis_labels(app) -> list[str]:
    """The numbers under the curve's x axis (the monitor's left half, below its frame)."""
    lines = screen_text(app).splitlines()
    frame = next(i for i, line in enumerate(lines) if "└" in line[:40])
    return lines[frame + 1][:40].split()


@pytest.mark.asyncio
async def test_the_monitor_follows_the_running_trial(running_run: Path) -> None:
    """The cursor and the curve go to each trial as it starts, until the user moves the
    cursor (its trial stays drawn) and again after f; epochs on the axis are whole."""

    def append(*events: ev.Event) -> None:
        with open(running_run / "events.jsonl", "a") as out:
            out.writelines(e.to_json() + "\n" for e in events)

    with RunDir(running_run).lock():  # a live runner, as far as the console can tell
        app = make_app(attach=running_run)
        async with app.run_test(size=SIZE) as pilot:
            monitor = await wait_until(
                pilot, lambda: isinstance(app.screen, RunScreen) and app.screen
            )
            table, curve = monitor.query_one(TrialTable), monitor.query_one(MetricCurve)
            await wait_until(pilot, lambda: curve.trial_id == "003")
            assert table.chosen() == "003" and "trial 003" in screen_text(app)
            assert axis_labels(app) == ["1", "2"]  # its two epochs, no 1.5 between

            await pilot.press("up")  # the user picks the trial above
            assert monitor.picked == "002" and curve.trial_id == "002"
            t = 1_700_000_100.0
            logs = {"loss": 0.5, "val_loss": 0.6, "val_accuracy": 0.7}
            append(
                ev.TrialEnded(time=t, trial_id="003", status="completed", score=0.7),
                ev.TrialStarted(time=t + 1, trial_id="004", number=5, hyperparameters={}),
                ev.EpochEnded(time=t + 2, trial_id="004", epoch=1, logs=logs, epochs=3),
            )
            await wait_until(pilot, lambda: rows(monitor)[-1]["trial"] == "004")
            await pilot.pause(1.2)  # a curve redraw or more later
            assert curve.trial_id == "002" and table.chosen() == "002"

            await pilot.press("f")  # follow again
            assert curve.trial_id == "004" and table.chosen() == "004"
            assert axis_labels(app) == ["1"]

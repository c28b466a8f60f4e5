"""The console's warm engine: TensorFlow imported ahead; answers summaries and stays; becomes a
search on request (output to the log named) and outlives its console; ends at end of input."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.prepare import write_request
from engine.run.control import Priority, start_args
from engine.run.kept import load_results
from engine.run.settings import RunSettings
from engine.space import default_space
from tests.tui.helpers import screen_text, wait_until
from tui.app import make_app
from tui.bridge import Standby
from tui.screens.run import RunScreen


def wait_ready(standby: Standby) -> None:
    assert standby.process.stdout is not None
    assert standby.process.stdout.readline().strip() == b"ready"


def test_answers_questions_then_becomes_a_search(tmp_path: Path) -> None:
    standby = Standby()
    try:
        assert standby.process.stdin is not None
        standby.process.stdin.write(b"hello\n{}\n")  # not requests: ignored
        standby.process.stdin.flush()
        wait_ready(standby)
        summary = standby.ask("summary", "--dataset", "iris")
        assert summary.returncode == 0 and "Total params" in summary.stdout
        bad = standby.ask("summary", "--dataset", str(tmp_path / "nope.csv"))
        assert bad.returncode == 2 and "no such file" in bad.stderr and bad.stdout == ""
        assert standby.alive(), "a question leaves it waiting"

        request = write_request(default_space(), RunSettings(backend="fake", max_trials=2))
        run_dir, log = tmp_path / "run", tmp_path / "start.log"
        process = standby.become(start_args(request, run_dir, priority=Priority.NORMAL), log)
        assert not standby.alive(), "handed away: no longer a standby"
        assert process.wait(timeout=120) == 0
        results = load_results(run_dir)
        assert results.state == "finished" and results.done == 2
        assert not request.exists()
    finally:
        standby.close()
        if standby.process.poll() is None:
            standby.process.kill()


def test_it_ends_when_the_console_lets_go() -> None:
    standby = Standby()
    wait_ready(standby)
    standby.close()
    assert standby.process.wait(timeout=30) == 0


@pytest.mark.asyncio
async def test_the_console_hands_r_and_m_to_its_warm_engine(workdir: Path) -> None:
    app = make_app(warm_engine=True)
    async with app.run_test(size=(80, 24)) as pilot:
        first = await wait_until(pilot, lambda: app.standby, timeout=5)
        await pilot.press("m")
        await wait_until(pilot, lambda: "Total params" in screen_text(app), timeout=60)
        assert first.alive(), "a summary leaves the standby waiting"
        await pilot.press("escape", "b", "b", "b", "t", "ctrl+u", "2", "enter", "r")
        monitor = await wait_until(pilot, lambda: isinstance(app.screen, RunScreen) and app.screen)
        assert monitor.liveness.process is first.process, "the standby became the search"
        await wait_until(pilot, lambda: monitor.state == "finished", timeout=60)
        second = await wait_until(pilot, lambda: app.standby, timeout=10)
        assert second is not first and second.alive()
    assert second.process.wait(timeout=30) == 0, "the console quit: its standby ended"


def test_a_standby_that_died_after_saying_ready_is_replaced_by_a_new_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    from tui.bridge import start_search

    standby = Standby()
    deadline = time.monotonic() + 60
    while not standby.ready() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert standby.ready()
    standby.process.kill()
    standby.process.wait()
    monkeypatch.setattr(standby, "ready", lambda: True)  # it died between the check and the use
    starting = start_search(
        tmp_path / "run", default_space(), RunSettings(backend="fake", max_trials=1), standby
    )
    assert starting.process is not standby.process
    assert starting.process.wait(timeout=60) == 0
    assert load_results(tmp_path / "run").state == "finished"


@pytest.mark.asyncio
async def test_the_warm_engine_times_the_model_for_the_editors_estimate(workdir: Path) -> None:
    app = make_app(warm_engine=True)
    async with app.run_test(size=(100, 40)) as pilot:
        assert "(rough)" in screen_text(app)
        screen = app.screen
        await wait_until(pilot, lambda: screen.timer.get(screen.space, screen.settings), timeout=90)
        await pilot.pause()
        assert "(timed, " in screen_text(app) and "rough" not in screen_text(app)
        timing = screen.timer.get(screen.space, screen.settings)
        assert timing.params > 0 and timing.step_seconds > 0 and len(timing.sizes) == 5
        assert (timing.train_rows, timing.val_rows) == (1149, 288)  # digits, split as a run does

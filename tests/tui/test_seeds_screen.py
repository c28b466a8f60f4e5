"""N on the results screen: the seed check trains in its own process and its report fills in."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from engine.face import read_seeds
from tests.tui.helpers import screen_text, wait_until
from tui.app import make_app
from tui.screens.results import ResultsScreen
from tui.screens.seeds import SeedsScreen


@pytest.mark.slow
@pytest.mark.asyncio
async def test_the_seed_check_trains_and_reports(workdir: Path) -> None:
    flags = [
        "--dataset",
        "iris",
        "--backend",
        "keras-tuner",
        "--algorithm",
        "random",
        "--max-trials",
        "2",
        "--epochs",
        "2",
        "--run-dir",
        "runs/iris",
        "--quiet",
    ]
    subprocess.run([sys.executable, "-m", "engine", "run", *flags], check=True, timeout=300)
    app = make_app(attach=Path("runs/iris"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("v")
        await wait_until(pilot, lambda: isinstance(app.screen, ResultsScreen))
        assert "iris (seed 0; test 0.2, validation 0.2)" in screen_text(app), "the data recipe"
        await pilot.press("N")
        seeds = await wait_until(pilot, lambda: isinstance(app.screen, SeedsScreen) and app.screen)
        assert "training: 0 of 6 done" in screen_text(app)
        await wait_until(pilot, lambda: "done: 6 trainings" in screen_text(app), timeout=240)
        text = screen_text(app)
        assert "val_accuracy mean ± std" in text and text.count("    3  ") == 2
        assert seeds.process is not None and seeds.process.returncode == 0
    assert len(read_seeds("runs/iris")) == 6

"""The side panel speaks the console's language: its keys, not the CLI's flags; budgets that
agree with the plan; no backend that exists only for tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.console import Console

from engine.face import RunSettings, plan
from engine.space import default_space
from tests.tui.helpers import screen_text
from tui.app import make_app
from tui.widgets.side_panel import render_panel

SIZE = (80, 24)


def panel_text(settings: RunSettings) -> str:
    """The panel's words on one line (wider than on screen, so nothing is cut)."""
    console = Console(width=60, record=True, color_system=None)
    console.print(render_panel(default_space(), settings))
    return " ".join(console.export_text().split())


@pytest.mark.asyncio
async def test_the_fake_backend_is_not_offered_to_users(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TUNEDECK_FAKE_DELAY")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        seen = []
        for _ in range(4):
            await pilot.press("b")
            seen.append(app.screen.settings.backend)
        assert seen == ["keras-tuner", "sklearn", "auto", "keras-tuner"]
        assert "fake" not in screen_text(app)


@pytest.mark.asyncio
async def test_tests_still_reach_the_fake_backend(workdir: Path) -> None:
    """The console tests' setting (`TUNEDECK_FAKE_DELAY`, set by the workdir fixture) offers it."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("b", "b", "b")
        assert app.screen.settings.backend == "fake"


def test_one_trial_is_singular_and_the_budget_is_named_as_such() -> None:
    text = panel_text(RunSettings(backend="keras-tuner", algorithm="random", max_trials=1))
    assert "Budget 1 t" in text
    assert "Plan 1 candidate, ≤ 30 epochs" in text
    assert "1 candidates" not in text


def test_a_cut_grid_suggests_the_console_key_not_a_cli_flag() -> None:
    settings = RunSettings(backend="keras-tuner", algorithm="grid", max_trials=5)
    reason = plan(default_space(), settings).reason
    assert "raise the trial budget" in reason and "--" not in reason  # the CLI's words too
    text = panel_text(settings)
    assert "raise the trial budget (t)" in text
    assert "--max-trials" not in text


def test_hyperband_line_only_when_hyperband_runs() -> None:
    hyperband = panel_text(RunSettings(backend="keras-tuner", algorithm="hyperband"))
    assert "Hyperband 1 iteration (budget t × epochs)" in hyperband
    for backend, algorithm in (("sklearn", "auto"), ("keras-tuner", "random")):
        assert "Hyperband" not in panel_text(RunSettings(backend=backend, algorithm=algorithm))


def test_folds_show_only_for_scikit_learn() -> None:
    keras = panel_text(RunSettings(backend="keras-tuner"))
    assert "Backend keras-tuner b Algorithm" in keras and "Grid 27,648 configurations" in keras
    sklearn = panel_text(RunSettings(backend="sklearn", cv=4))
    assert "folds 4 c" in sklearn and "27,648 × 4 folds = 110,592 fits" in sklearn


@pytest.mark.asyncio
async def test_a_csv_target_and_the_folds_are_set_with_keys(workdir: Path) -> None:
    Path("flowers.csv").write_text("petal,sepal,Kind\n1,2,a\n3,4,b\n")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("g")
        assert "only a CSV dataset has a target column" in screen_text(app)
        await pilot.press("f", "ctrl+u", *"flowers.csv", "enter")
        await pilot.pause()
        assert "Target    auto  g" in screen_text(app)
        panel = panel_text(app.screen.settings)
        assert "Data CSV file, 3 columns: petal, sepal, Kind" in panel
        await pilot.press("g", *"kind", "enter")
        await pilot.pause()
        assert "flowers.csv: no target column 'kind'; columns: petal," in screen_text(app)
        await pilot.press("ctrl+u", *"Kind", "enter")
        await pilot.pause()
        assert app.screen.settings.target == "Kind"
        assert "Target    Kind  g" in screen_text(app)
        await pilot.press("b", "b", "c", "ctrl+u", "1", "enter")  # sklearn; one fold is refused
        assert "must be at least 2" in screen_text(app)
        await pilot.press("ctrl+u", "5", "enter")
        await pilot.pause()
        assert app.screen.settings.cv == 5 and "folds 5  c" in screen_text(app)
        await pilot.press("d")  # another dataset: the column no longer applies
        assert app.screen.settings.target is None and "Target" not in screen_text(app)


def test_a_csv_shows_its_rows_target_and_split_sizes(tmp_path: Path) -> None:
    data = tmp_path / "flowers.csv"
    data.write_text("petal,sepal,Kind\n" + "".join(f"{i},{i % 7},k{i % 3}\n" for i in range(100)))
    panel = panel_text(RunSettings(dataset=str(data), backend="keras-tuner"))
    assert "100 rows × 3 columns; target Kind (3 values); train 64 · val 16 · test 20" in panel
    assert "unknown" not in panel, "the estimate knows the size now"
    sampled = panel_text(RunSettings(dataset=str(data), subsample=50, target="sepal"))
    assert "target sepal (7 values); train 32 · val 8 · test 10" in sampled


@pytest.mark.asyncio
async def test_pruning_is_a_key_and_gives_way_to_a_backend_it_does_not_apply_to(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TUNEDECK_FAKE_DELAY")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("b", "P")  # keras-tuner, pruning on
        assert app.screen.settings.prune and "Pruning   on  P" in screen_text(app)
        await pilot.press("b")  # scikit-learn: the backend wins, pruning goes off
        assert app.screen.settings.backend == "sklearn" and not app.screen.settings.prune
        assert "pruning off: it applies to random, grid and Bayesian" in screen_text(app)
        assert "Pruning" not in screen_text(app)
        await pilot.press("P")  # asked for where it cannot apply: refused in place
        assert not app.screen.settings.prune and "prune:" in screen_text(app)

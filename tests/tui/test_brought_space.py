"""A W&B sweep opened in the console as it is: the editor says what was converted, and saving
proposes a space file of its own rather than writing over the sweep."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from textual.widgets import Input

from engine.space import Space
from tests.tui.helpers import screen_text
from tui.app import make_app
from tui.screens.dialogs import PromptScreen

pytestmark = pytest.mark.asyncio
SWEEP = """method: bayes
metric: {name: val_loss, goal: minimize}
parameters:
  lr: {distribution: log_uniform_values, min: 0.0001, max: 0.1}
  batch_size: {values: [16, 32]}
"""


async def test_a_sweep_opens_with_a_line_saying_what_was_converted(workdir: Path) -> None:
    (workdir / "sweep.yaml").write_text(SWEEP)
    app = make_app(Space.load(workdir / "sweep.yaml"), space_path="sweep.yaml")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "converted a W&B sweep: lr → optimizer.learning_rate" in text.replace("\n", " ")
        assert "batch_size  [16, 32]" in text
        await pilot.press("w")
        await pilot.pause()
        assert isinstance(app.screen, PromptScreen)
        assert app.screen.query_one(Input).value == "space.yaml"
    assert (workdir / "sweep.yaml").read_text() == SWEEP


async def test_a_keras_tuner_build_function_shows_its_declared_parameters(workdir: Path) -> None:
    """The engine calls the function (the console never imports it); the declared parameters
    join the params group, editable, and the file's own say wins."""
    from tests.engine.test_bring_keras_tuner import GETTING_STARTED
    from tests.tui.helpers import wait_until
    from tui.screens.space import SpaceScreen

    (workdir / "tuned.py").write_text(GETTING_STARTED)
    (workdir / "space.yaml").write_text(
        "model: tuned.py:build_model\ndata: tuned.py:load\nparams: {num_layers: [1, 2]}\n"
    )
    app = make_app(Space.load("space.yaml"), space_path="space.yaml")
    async with app.run_test(size=(80, 24)) as pilot:
        editor = app.screen
        assert isinstance(editor, SpaceScreen)
        await wait_until(pilot, lambda: "units_0" in editor.space.params, timeout=90)
        assert "tuned.py:build_model declares units_0" in screen_text(app)
        params = editor.space.params
        assert params["num_layers"].values() == (1, 2), "the file's values win"
        assert {"units_0", "activation", "dropout", "lr"} <= set(params)
        assert not editor.modified, "declared, not edited: nothing to save"
        await pilot.press("slash", *"activation", "enter", "j", "space")  # relu off
        await pilot.press("w")  # over its own file
        await pilot.pause()
    saved = Space.load(workdir / "space.yaml")
    assert saved.params["activation"].values() == ("tanh",)
    loaded = {getattr(m, "__file__", None) for m in list(sys.modules.values())}
    assert str(workdir / "tuned.py") not in loaded, "the console never imported it"


async def test_a_param_grid_space_opens_in_the_tree_without_running_the_file(
    workdir: Path,
) -> None:
    """The grid is read from the file's syntax tree: the file would exit if it ran."""
    (workdir / "grid.py").write_text(
        "raise SystemExit('never run')\n"
        "def create_model(nodes=8):\n    ...\n"
        "model = KerasClassifier(model=create_model, epochs=5)\n"
        "param_grid = dict(model__nodes=[4, 8], optimizer=['SGD', 'Adam'])\n"
    )
    (workdir / "space.yaml").write_text("params: grid.py:param_grid\n")
    app = make_app(Space.load("space.yaml"), space_path="space.yaml")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "nodes  [4, 8]" in text
        assert "read the param_grid grid.py:param_grid: model__nodes → params.nodes" in (
            text.replace("\n", " ")
        )
        assert app.screen.space.params["optimizer"].values() == ("sgd", "adam")
        assert str(app.screen.space.source.model) == "grid.py:create_model"

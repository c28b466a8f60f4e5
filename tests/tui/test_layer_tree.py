"""A space with per-layer settings in the console: each layer's own settings under it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from textual.app import App

from engine.space import Space
from tests.tui.helpers import screen_text
from tui.app import make_app
from tui.screens.editor import EditorScreen
from tui.screens.space import SpaceScreen
from tui.widgets.space_tree import SpaceTree

pytestmark = pytest.mark.asyncio

LAYERS = """
architecture:
  layers:
    - {nodes: 64, activation: linear}
    - {nodes: [64, 100, 128], dropout: 0.5}
"""


def layer_node(app: App, layer: int) -> Any:
    """The tree's node of a hidden layer (found through its `nodes` setting)."""
    node = app.screen.query_one(SpaceTree)._params[f"layer_{layer}_nodes"].parent
    assert node is not None
    return node


async def test_per_layer_nodes_show_under_their_layer_and_edit(workdir: Path) -> None:
    app = make_app(Space.from_dict(yaml.safe_load(LAYERS)))
    async with app.run_test(size=(80, 40)) as pilot:
        await pilot.pause()
        tree = app.screen.query_one(SpaceTree)
        node = tree._params["layer_2_nodes"]
        assert node.parent is not None and str(node.parent.label) == "layer 2"
        assert str(node.label).startswith("nodes  [64, 100, 128]")
        assert str(tree._params["layer_1_nodes"].label).startswith("nodes  = 64")

        await pilot.press("slash", *"layer_2_nodes", "enter")
        await pilot.pause()
        assert "[64, 100, 128]" in screen_text(app)
        await pilot.press("j", "space")  # the first value, 64, off
        await pilot.pause()
        screen = app.screen_stack[1]
        assert isinstance(screen, SpaceScreen)
        assert screen.space.params["layer_2_nodes"].values() == (100, 128)
        assert "64 (off)" in screen_text(app)
        saved = screen.space.to_dict()["architecture"]["layers"]
        assert saved[1]["nodes"] == {"values": [100, 128], "disabled": [64]}

        await pilot.press("k", "enter")  # the parameter itself: its editor, named by its path
        await pilot.pause()
        assert isinstance(app.screen, EditorScreen)
        assert "Edit architecture.layers[1].nodes (int)" in screen_text(app)
        await pilot.press("escape")


async def test_layers_are_inserted_and_removed_in_the_tree(workdir: Path) -> None:
    space = Space.from_dict(yaml.safe_load(LAYERS))
    app = make_app(space)
    async with app.run_test(size=(80, 40)) as pilot:
        screen = app.screen_stack[1]
        assert isinstance(screen, SpaceScreen)
        app.screen.query_one(SpaceTree).move_cursor(layer_node(app, 1))
        await pilot.press("plus")  # a layer with the shared settings after layer 1
        await pilot.pause()
        assert screen.space.params["layers"].default == 3
        assert screen.space.to_dict()["architecture"]["layers"][1] == {}
        assert screen.space.params["layer_3_nodes"].values() == (64, 100, 128)
        assert "layer 2  shared settings" in screen_text(app)

        app.screen.query_one(SpaceTree).move_cursor(layer_node(app, 1))
        await pilot.press("delete")  # layer 1 and its own settings gone
        await pilot.pause()
        layers = screen.space.to_dict()["architecture"]["layers"]
        assert layers == [{}, {"nodes": [64, 100, 128], "dropout": 0.5}]
        assert "layer_3_nodes" not in screen.space.params

        await pilot.press("u", "u")
        await pilot.pause()
        assert screen.space == space

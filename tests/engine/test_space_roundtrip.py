"""`Space.save_over`: a user's file keeps its comments, order and style, gains only what changed
and never the catalogue defaults it did not write; JSON keeps its order; the console's settings
are a checked `console:` mapping."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from engine.errors import SpaceError
from engine.space import Space
from engine.space.hyperparameters import Choice, Fixed

MINE = """\
# kept small
optimizer:
  name: [adam, sgd]   # the two I trust
training:
  epochs: 3
"""


def test_unchanged_is_byte_for_byte_and_a_change_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(MINE)
    Space.load(path).save_over(path)
    assert path.read_text() == MINE  # not 22 lines of defaults
    Space.load(path).with_param("epochs", Fixed(5)).save_over(path)
    assert path.read_text() == MINE.replace("epochs: 3", "epochs: 5")
    space = Space.load(path).with_param("optimizer", Choice(("adam",), None, ("sgd",)))
    space.save_over(path)
    assert "  name: {values: [adam], disabled: [sgd]} # the two I trust\n" in path.read_text()
    assert Space.load(path) == space


def test_json_keeps_its_order_and_a_converted_file_is_written_whole(tmp_path: Path) -> None:
    path = tmp_path / "mine.json"
    path.write_text(json.dumps({"training": {"epochs": 3}, "optimizer": {"name": ["adam"]}}))
    Space.load(path).with_param("epochs", Fixed(4)).save_over(path)
    assert json.loads(path.read_text()) == {
        "training": {"epochs": 4},
        "optimizer": {"name": ["adam"]},
    }
    sweep = tmp_path / "sweep.yaml"
    sweep.write_text("method: grid\nparameters:\n  lr: {values: [0.1, 0.01]}\n")
    Space.load(sweep).save_over(sweep)  # a W&B sweep is converted: written as a space
    assert "optimizer:" in sweep.read_text() and Space.load(sweep).note == ""


def test_console_settings_are_kept_and_checked(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(MINE)
    replace(Space.load(path), console={"backend": "sklearn", "cv": 5}).save_over(path)
    assert path.read_text() == MINE + "console:\n  backend: sklearn\n  cv: 5\n"
    assert Space.load(path).console == {"backend": "sklearn", "cv": 5}
    with pytest.raises(SpaceError, match="console.budget: unknown setting"):
        Space.from_dict({"console": {"budget": 3}})
    with pytest.raises(SpaceError, match="console.cv: expected a single value"):
        Space.from_dict({"console": {"cv": [3, 5]}})

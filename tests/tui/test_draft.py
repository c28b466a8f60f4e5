"""The editor's model: every edit validated by the engine, switched-off values kept."""

from __future__ import annotations

import pytest

from engine.errors import SpaceError
from engine.space import default_space
from engine.space.hyperparameters import Choice, Float
from tui.draft import Draft, parse_list


def test_draft_edits_are_validated_by_the_engine() -> None:
    draft = Draft(default_space())
    with pytest.raises(SpaceError, match="duplicate value"):
        draft.add("batch_size", "32")
    with pytest.raises(SpaceError, match="unknown optimizer"):
        draft.add("optimizer", "adamm")
    off = draft.toggle("optimizer", "sgd")
    assert off.space.params["optimizer"].values() == ("adam", "adagrad")
    assert off.values("optimizer") == [("adam", True), ("sgd", False), ("adagrad", True)]
    gone = off.remove("optimizer", "sgd")
    assert gone.values("optimizer") == [("adam", True), ("adagrad", True)]
    assert off.add("layers", "2").space.params["layers"] == Choice((1, 2))


def test_switched_off_values_survive_an_edit_that_keeps_a_choice() -> None:
    draft = Draft(default_space()).toggle("nodes", 64)
    edited = draft.set("nodes", Choice((16, 32, 128)))
    assert edited.values("nodes") == [(16, True), (32, True), (128, True), (64, False)]
    ranged = edited.set("nodes", default_space().parse_value("nodes", {"min": 8, "max": 64}))
    assert ranged.values("nodes") == [] and "nodes" not in ranged.order


def test_typed_values_take_the_parameter_type() -> None:
    assert parse_list("[0.1, 1e-3]") == [0.1, "1e-3"]
    hp = default_space().parse_value(
        "learning_rate", {"min": "1e-4", "max": 0.1, "sampling": "log"}
    )
    assert hp == Float(0.0001, 0.1, None, "log")
    with pytest.raises(SpaceError, match="expected an integer"):
        default_space().parse_value("batch_size", parse_list("16, big"))

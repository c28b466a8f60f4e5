"""The one atomic writer: whole files or nothing, for text, copies and Keras' own saves."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from engine.atomic import copy_file, replacing, write_text


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "best.yaml"
    write_text(target, "old\n")
    with pytest.raises(RuntimeError), replacing(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("killed mid-write")
    assert target.read_text() == "old\n"
    assert os.listdir(tmp_path) == ["best.yaml"]


def test_the_temporary_keeps_the_suffix_and_the_file_the_default_mode(tmp_path: Path) -> None:
    """Keras saves only to a `.keras` name; the result is a file like any `open` makes."""
    target = tmp_path / "best_model.keras"
    with replacing(target) as tmp:
        assert tmp.parent == tmp_path and tmp.suffix == ".keras" and tmp.name.startswith(".")
        tmp.write_bytes(b"model")
    plain = tmp_path / "plain"
    plain.write_text("x")
    assert target.stat().st_mode == plain.stat().st_mode
    copy_file(target, tmp_path / "copy.keras")
    assert (tmp_path / "copy.keras").read_bytes() == b"model"

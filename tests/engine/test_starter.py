"""`tunedeck init`: starter files that load as they are and never overwrite the user's."""

from __future__ import annotations

import pytest

from engine.errors import InputError
from engine.space import Space
from engine.user.starter import write_starter


def test_the_starter_space_names_the_starter_model(tmp_path) -> None:
    written = write_starter(tmp_path / "proj")
    assert sorted(p.name for p in written) == ["model.py", "space.yaml"]
    space = Space.load(tmp_path / "proj" / "space.yaml").resolved()
    assert space.source.model.target == str(tmp_path / "proj" / "model.py")
    assert space.source.data.function == "load"
    assert set(space.tuned()) == {
        "layers",
        "units",
        "activation",
        "dropout",
        "batch_size",
        "learning_rate",
    }
    compile(written[0].read_text(), "model.py", "exec")  # valid Python


def test_existing_files_are_kept(tmp_path) -> None:
    (tmp_path / "model.py").write_text("mine")
    with pytest.raises(InputError, match="model.py: already exists"):
        write_starter(tmp_path)
    assert (tmp_path / "model.py").read_text() == "mine"
    assert not (tmp_path / "space.yaml").exists()
    write_starter(tmp_path, force=True)
    assert (tmp_path / "model.py").read_text() != "mine"


def test_a_file_in_the_way_is_refused(tmp_path) -> None:
    (tmp_path / "f").write_text("x")
    with pytest.raises(InputError, match="not a folder"):
        write_starter(tmp_path / "f")

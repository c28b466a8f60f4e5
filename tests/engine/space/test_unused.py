"""The optimizer and schedule settings a self-compiling user model never sees, read from its
file's syntax tree (nothing imported: the files below would fail to import)."""

from __future__ import annotations

from pathlib import Path

from engine.space import Space
from engine.space.unused import unused_settings

OPTIMIZER = ("optimizer", "learning_rate", "beta_1", "momentum")
SCHEDULE = ("schedule", "first_decay_steps", "decay_steps", "decay_rate")
CODE = """import not_installed_anywhere

def compiles(hp):
    model = make(hp["units"])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    return model

def reads_the_rate(hp):
    model = make()
    model.compile(optimizer=Adam(hp.get("learning_rate", 1e-3)), loss="mse")
    return model

def by_name(units=8, learning_rate=1e-3):
    model = make(units)
    model.compile(optimizer=Adam(learning_rate), loss="mse")
    return model

def plain(hp):
    return make(hp["units"])

class Tuned:
    def build(self, hp):
        model = make()
        model.compile("adam", "mse")
        return model
"""


def unused(tmp_path: Path, model: str, **groups: object) -> tuple[str, ...]:
    (tmp_path / "net.py").write_text(CODE)
    space = Space.from_dict({"model": model, "params": {"units": 8}, **groups}, str(tmp_path))
    return unused_settings(space)


def test_a_model_that_compiles_itself_uses_none_of_them(tmp_path: Path) -> None:
    assert unused(tmp_path, "net.py:compiles") == (*OPTIMIZER, *SCHEDULE)
    assert unused(tmp_path, "net.py:Tuned") == (*OPTIMIZER, *SCHEDULE)  # a HyperModel's build


def test_those_its_code_reads_are_used(tmp_path: Path) -> None:
    rest = tuple(n for n in (*OPTIMIZER, *SCHEDULE) if n != "learning_rate")
    assert unused(tmp_path, "net.py:reads_the_rate") == rest
    assert unused(tmp_path, "net.py:by_name") == rest


def test_tuning_one_recompiles_the_model_with_them_all(tmp_path: Path) -> None:
    assert unused(tmp_path, "net.py:compiles", optimizer={"learning_rate": [0.01, 0.1]}) == ()


def test_an_uncompiled_model_or_one_not_read_uses_them(tmp_path: Path) -> None:
    assert unused(tmp_path, "net.py:plain") == ()
    assert unused(tmp_path, "mypackage.models:compiles") == ()  # a module: not read
    assert unused(tmp_path, "missing.py:compiles") == ()

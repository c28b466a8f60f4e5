"""A space's `data:` may be a CSV/Parquet/NPZ file, with the table's `target:` column: read
against the space file's folder, checked only when a run loads it, kept when the space is
saved, and shown by the console as the dataset."""

from __future__ import annotations

from argparse import Namespace
from pathlib import Path

import pytest
from rich.console import Console

from engine.errors import SpaceError
from engine.run.rundir import RunDir
from engine.space import Space
from engine.space.model_source import DataFile
from tests.engine.cli_helpers import isolated_cli, tunedeck  # noqa: F401 - fixture
from tui.launch import launch
from tui.widgets.side_panel import render_panel

TABLE = "a,b,label\n" + "".join(
    f"{i % 7},{(i * 3) % 5},{'yes' if i % 2 else 'no'}\n" for i in range(60)
)
SPACE = "data: tables/people.csv\ntarget: label\ntraining: {epochs: 1, batch_size: [16, 32]}\n"


@pytest.fixture
def space_file(tmp_path: Path) -> Path:
    (tmp_path / "tables").mkdir()
    (tmp_path / "tables" / "people.csv").write_text(TABLE)
    (tmp_path / "space.yaml").write_text(SPACE)
    return tmp_path / "space.yaml"


def test_read_against_the_space_file_and_kept_when_saved(space_file: Path) -> None:
    space = Space.load(space_file)
    assert space.source.data == DataFile("tables/people.csv") and space.source.target == "label"
    resolved = space.resolved().source
    assert str(resolved.data) == str(space_file.parent / "tables" / "people.csv")
    space.save(space_file.with_name("again.yaml"))
    assert Space.load(space_file.with_name("again.yaml")) == space
    assert "data: tables/people.csv\ntarget: label\n" in space.to_yaml()


@pytest.mark.parametrize(
    ("source", "words"),
    [
        ({"data": "net.py:load", "target": "label"}, "target: names a column of data"),
        ({"data": "people.npz", "target": "label"}, "target: names a column of data"),
        ({"target": "label"}, "target: names a column of data"),
        ({"data": "people.csv", "target": ""}, "target: must be a column name"),
        ({"data": "digits"}, "data: expected a loader FILE.py:FUNCTION or a .csv, .parquet"),
    ],
)
def test_checked_without_opening_anything(source: dict, words: str) -> None:
    with pytest.raises(SpaceError, match=words):
        Space.from_dict(source)
    assert Space.from_dict({"data": "nowhere.parquet"}).source.data == DataFile("nowhere.parquet")


@pytest.mark.usefixtures("isolated_cli")
@pytest.mark.timeout(180)
def test_a_run_trains_on_the_spaces_table(space_file: Path, capsys: pytest.CaptureFixture) -> None:
    code, out, err = tunedeck(
        capsys,
        "run",
        str(space_file),
        "--backend",
        "keras-tuner",
        "--algorithm",
        "grid",
        "--run-dir",
        "r",
    )
    assert code == 0, err
    settings = RunDir.open("r").settings()
    assert settings.dataset == str(space_file.parent / "tables" / "people.csv")
    assert settings.target == "label"
    assert "finished: 2/2 trials" in out


@pytest.mark.usefixtures("isolated_cli")
def test_a_missing_table_is_one_line_at_run_time(
    space_file: Path, capsys: pytest.CaptureFixture
) -> None:
    (space_file.parent / "tables" / "people.csv").unlink()
    code, out, _ = tunedeck(capsys, "validate", str(space_file))
    assert code == 0 and "valid" in out  # a space may be written before its data
    code, out, err = tunedeck(capsys, "run", str(space_file), "--backend", "fake", "--run-dir", "r")
    assert (code, out) == (2, "")
    assert err == f"tunedeck: error: {space_file.parent}/tables/people.csv: no such file\n"
    assert not Path("r").exists()


def test_the_console_shows_it_as_the_dataset(space_file: Path, monkeypatch) -> None:
    seen = {}
    monkeypatch.setattr(
        "tui.app.make_app",
        lambda space, settings, **kw: seen.update(space=space, settings=settings) or _Stop(),
    )
    with pytest.raises(_Stopped):
        launch(Namespace(command="open", space=str(space_file), dataset=None))
    space, settings = seen["space"], seen["settings"]
    assert settings.target == "label"
    console = Console(width=100, record=True, color_system=None)
    console.print(render_panel(space, settings))
    text = console.export_text()
    assert "tables/people.csv (the space's)" in text and "label" in text


class _Stopped(Exception):
    pass


class _Stop:
    def run(self) -> None:
        raise _Stopped

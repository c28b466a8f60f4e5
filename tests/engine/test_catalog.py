"""Dataset names as a run directory records them: files and loaders by their full path."""

from __future__ import annotations

from pathlib import Path

from engine.data.catalog import absolute_dataset, dataset_spec


def test_files_and_loader_files_become_absolute(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert absolute_dataset("data/x.csv") == str(tmp_path / "data" / "x.csv")
    assert absolute_dataset("proj/net.py:load") == f"{tmp_path / 'proj' / 'net.py'}:load"
    assert absolute_dataset("/abs/net.py:load") == "/abs/net.py:load"
    assert absolute_dataset("mypkg.data:load") == "mypkg.data:load"  # a module stays a module
    assert absolute_dataset("digits") == "digits"


def test_the_command_line_wins_over_the_spaces_data_which_wins_over_digits() -> None:
    assert dataset_spec("iris", "/p/net.py:load") == "iris"
    assert dataset_spec(None, "/p/net.py:load") == "/p/net.py:load"
    assert dataset_spec(None, None) == "digits"


def test_the_panel_split_sizes_are_the_ones_loading_makes(tmp_path: Path) -> None:
    from engine.data.catalog import describe_table, profile_csv
    from engine.data.datasets import load_dataset

    data = tmp_path / "flowers.csv"
    data.write_text("petal,sepal,Kind\n" + "".join(f"{i},{i % 7},k{i % 3}\n" for i in range(101)))
    for subsample in (None, 60):
        loaded = load_dataset(str(data), subsample=subsample, validation_split=0.25)
        sizes = (len(loaded.y_train), len(loaded.y_val), len(loaded.y_test))
        said = describe_table(profile_csv(data), 0.2, 0.25, subsample)
        assert said.endswith(f"train {sizes[0]} · val {sizes[1]} · test {sizes[2]}")

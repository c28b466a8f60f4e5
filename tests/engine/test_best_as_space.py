"""best.yaml stays loadable as a space: every parameter fixed at the winner's value."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from engine.space import Space
from engine.space.hyperparameters import Fixed
from tests.engine.cli_helpers import isolated_cli, tunedeck  # noqa: F401

pytestmark = pytest.mark.usefixtures("isolated_cli")


def test_best_yaml_loads_as_the_winners_fixed_space(capsys, tmp_path: Path) -> None:
    run = tmp_path / "run"
    flags = ("--backend", "fake", "--max-trials", "3", "--run-dir", str(run), "--quiet")
    assert tunedeck(capsys, "run", *flags)[0] == 0
    record = yaml.safe_load((run / "best.yaml").read_text())
    space = Space.load(run / "best.yaml")
    assert "trial" in space.note and space.tuned() == ()
    for name, value in record["hyperparameters"].items():
        assert space.params[name] == Fixed(value), name
    code, out, _ = tunedeck(capsys, "validate", str(run / "best.yaml"))
    assert code == 0 and "0 tuned, grid of 1 configuration" in out

    again = tmp_path / "again"
    assert (
        tunedeck(
            capsys,
            "run",
            str(run / "best.yaml"),
            "--backend",
            "fake",
            "--run-dir",
            str(again),
            "--quiet",
        )[0]
        == 0
    )
    rerun = yaml.safe_load((again / "best.yaml").read_text())
    assert rerun["hyperparameters"] == record["hyperparameters"]


def test_a_user_models_record_keeps_its_model_and_objective(tmp_path: Path) -> None:
    (tmp_path / "net.py").write_text("def build(hp):\n    pass\n")
    record = {
        "trial_id": "004",
        "score": 0.5,
        "model": str(tmp_path / "net.py") + ":build",
        "task": "regression",
        "objective": {"metric": "val_mae", "direction": "min"},
        "hyperparameters": {"units": 32, "learning_rate": 0.01},
    }
    (tmp_path / "best.yaml").write_text(yaml.safe_dump(record))
    space = Space.load(tmp_path / "best.yaml")
    assert str(space.source.model).endswith("net.py:build")
    assert space.source.task == "regression" and space.source.objective.metric == "val_mae"
    assert space.params["units"] == Fixed(32) and space.params["learning_rate"] == Fixed(0.01)

"""Whole numbers taken as class labels: many distinct ones look like quantities, and the plan
says how to ask for regression instead (a sentence of the plan, not an error)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from engine.data.regression import quantity_hint
from engine.run.kept import load_results
from tests.engine.cli_helpers import isolated_cli, tunedeck  # noqa: F401 - fixture


@pytest.mark.parametrize(
    ("y", "hinted"),
    [
        (np.arange(1.0, 22.0).repeat(3), True),  # 21 distinct: more than 20
        (np.arange(1.0, 12.0).repeat(3), True),  # 11 distinct in 33 rows: a third of them
        (np.arange(1.0, 12.0).repeat(30), False),  # 11 distinct in 330 rows: classes
        (np.arange(0.0, 10.0).repeat(2), False),  # ten classes, however few rows
        (np.arange(21).repeat(3), False),  # integers: the loader's own class labels
        (np.linspace(0, 1, 63), False),  # not whole: regression is inferred already
    ],
)
def test_the_rule(y: np.ndarray, hinted: bool) -> None:
    assert bool(quantity_hint(y, None)) is hinted
    assert quantity_hint(y, "classification") == ""  # the user said so: nothing to add


@pytest.mark.usefixtures("isolated_cli")
@pytest.mark.timeout(180)
def test_the_plan_suggests_regression_once(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    rows = "".join(f"{i % 5},{i % 3},{float(i % 25 + 1)}\n" for i in range(300))
    (tmp_path / "counts.csv").write_text("a,b,count\n" + rows)
    base = (
        "run",
        "--dataset",
        "counts.csv",
        "--backend",
        "keras-tuner",
        "--algorithm",
        "random",
        "--max-trials",
        "1",
        "--epochs",
        "1",
    )
    code, out, err = tunedeck(capsys, *base, "--run-dir", "classes")
    assert code == 0, err
    hint = "the target's 25 distinct whole numbers are taken as 25 classes: if they are quantities, use --task regression"
    assert load_results(tmp_path / "classes").reason.count(hint) == 1
    assert out.splitlines()[0].endswith(hint) and (out + err).count(hint) == 1
    code, out, err = tunedeck(capsys, *base, "--task", "regression", "--run-dir", "quantities")
    assert code == 0, err
    assert "quantities" not in load_results(tmp_path / "quantities").reason

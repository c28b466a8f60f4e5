"""Exports of a real Keras Tuner search: the standalone script runs and the model loads, and
a crafted dataset name cannot inject code into the script."""

from __future__ import annotations

import ast
import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
CRAFTED = "evil\"'; import os; os.system('touch PWNED') #.csv"


def tunedeck(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "engine", *args],
        cwd=cwd,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="module")
def finished(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from sklearn.datasets import load_iris

    root = tmp_path_factory.mktemp("export")
    iris = load_iris()
    with open(root / CRAFTED, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([*iris.feature_names, "species"])
        for row, label in zip(iris.data, iris.target, strict=True):
            writer.writerow([*row, iris.target_names[label]])
    result = tunedeck(
        "run",
        "--dataset",
        CRAFTED,
        "--target",
        "species",
        "--backend",
        "keras-tuner",
        "--algorithm",
        "random",
        "--max-trials",
        "2",
        "--epochs",
        "3",
        "--run-dir",
        "run",
        "--quiet",
        cwd=root,
    )
    assert result.returncode == 0, result.stderr
    return root


def test_the_exported_script_runs_alone_and_prints_its_test_accuracy(finished: Path) -> None:
    assert (
        tunedeck("export", "run", "--format", "python", "-o", "train.py", cwd=finished).returncode
        == 0
    )
    script = (finished / "train.py").read_text()
    tree = ast.parse(script)
    imported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert not imported & {"engine", "tui", "tunedeck"}, imported
    dataset = next(
        n.value
        for n in tree.body
        if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", "") == "DATASET"
    )
    assert isinstance(dataset, ast.Constant) and dataset.value == str(finished / CRAFTED)
    env = {k: v for k, v in ENV.items() if k != "PYTHONPATH"}
    run = subprocess.run(
        [sys.executable, "train.py"],
        cwd=finished,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr
    accuracy = float(run.stdout.strip().splitlines()[-1].removeprefix("test accuracy: "))
    assert 0.0 <= accuracy <= 1.0
    assert not (finished / "PWNED").exists()


def test_the_exported_model_loads_and_predicts(finished: Path) -> None:
    assert (
        tunedeck("export", "run", "--format", "keras", "-o", "best.keras", cwd=finished).returncode
        == 0
    )
    code = (
        "import keras, numpy as np\n"
        "m = keras.saving.load_model('best.keras')\n"
        "print(m.predict(np.zeros((5, 4), 'float32'), verbose=0).shape)\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code],
        cwd=finished,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip().splitlines()[-1] == "(5, 3)"

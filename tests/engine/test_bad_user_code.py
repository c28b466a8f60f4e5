"""The bad-input corpus for a user's own code (`tests/bad_inputs/user/`): a model, a loader or
an objective that cannot work is one line, exit code 2, before any run directory exists, and
nothing of the user's changes (not even a `__pycache__` beside their files)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.engine.cli_helpers import isolated_cli, tunedeck  # noqa: F401 - fixture
from tests.engine.corpus import CORPUS, Case, check_case

pytestmark = pytest.mark.usefixtures("isolated_cli")

USER = (
    "run",
    "--backend",
    "keras-tuner",
    "--max-trials",
    "1",
    "--epochs",
    "1",
    "--run-dir",
    "{tmp}/run",
)
# the user's own code (tests/bad_inputs/user/): file -> words its one-line error must hold
USER_FILES: dict[str, tuple[str, ...]] = {
    "no_file.yaml": ("model: no such file", "missing.py"),
    "no_function.yaml": ("net.py has no function 'nope'",),
    "import_raises.yaml": ("broken.py raised RuntimeError: set CUDA_VISIBLE_DEVICES first",),
    "not_a_model.yaml": ("net.py:not_a_model returned dict, not a Keras model",),
    "three_units.yaml": ("3 output units, but the data has 10 classes",),
    "param_clash.yaml": ("params.epochs: clashes with the built-in parameter training.epochs",),
    "bad_direction.yaml": ("objective.direction: must be min or max",),
    "unknown_metric.yaml": ("objective: cannot tell whether val_goodness",),
    "not_reported.yaml": ("the model does not report val_auc",),
    "loader_mismatched.yaml": ("data.py:mismatched", "100 samples", "90"),
    "loader_with_nan.yaml": ("data.py:with_nan", "NaN"),
    "loader_objects.yaml": ("data.py:objects", "object"),
    "loader_one_class.yaml": ("data.py:one_class", "one class"),
    "loader_raises.yaml": ("data.py:raises raised FileNotFoundError", "train.parquet"),
}


@pytest.mark.parametrize(("name", "words"), USER_FILES.items(), ids=list(USER_FILES))
def test_bad_user_code_is_one_line_exit_2_and_touches_nothing(
    name: str, words: tuple[str, ...], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case = Case(f"user_{name}", (*USER, f"{{bad}}/user/{name}"), words)
    check_case(case, tmp_path, lambda argv: tunedeck(capsys, *argv))


def test_every_user_corpus_space_is_used() -> None:
    assert {p.name for p in (CORPUS / "user").glob("*.yaml")} == set(USER_FILES)

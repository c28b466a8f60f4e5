"""Bad flags and settings: unknown names, impossible combinations, numbers out of range."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.engine.cli_helpers import isolated_cli  # noqa: F401 - fixture
from tests.engine.corpus import EXPORT, RUN, Case, finished, params, run_case, write

pytestmark = [pytest.mark.usefixtures("isolated_cli"), pytest.mark.timeout(60)]

CONTINUOUS = "optimizer:\n  learning_rate: {min: 0.0001, max: 0.1, sampling: log}\n"

CASES: list[Case] = [
    # ---- flags and settings
    Case("unknown_backend", (*RUN, "--backend", "tensorflow"), ("--backend", "'tensorflow'")),
    Case("unknown_algorithm", (*RUN, "--algorithm", "annealing"), ("--algorithm", "'annealing'")),
    Case("unknown_format", (*EXPORT, "xml"), ("--format", "'xml'"), finished()),
    Case(
        "algorithm_not_on_backend",
        (*RUN, "--backend", "sklearn", "--algorithm", "bayesian"),
        ("algorithm", "bayesian", "sklearn"),
    ),
    Case("fake_has_no_hyperband", (*RUN, "--algorithm", "hyperband"), ("algorithm", "hyperband")),
    Case(
        "grid_on_continuous_space",
        (*RUN, "--algorithm", "grid", "{tmp}/continuous.yaml"),
        ("optimizer.learning_rate", "continuous"),
        write("continuous.yaml", CONTINUOUS),
    ),
    Case("max_trials_zero", (*RUN, "--max-trials", "0"), ("--max-trials", "0")),
    Case("max_trials_negative", (*RUN, "--max-trials", "-4"), ("--max-trials", "-4")),
    Case("max_trials_text", (*RUN, "--max-trials", "ten"), ("--max-trials", "'ten'")),
    Case("cv_one", (*RUN, "--cv", "1"), ("cv", ">= 2")),
    Case("seed_text", (*RUN, "--seed", "abc"), ("--seed", "'abc'")),
    Case("seed_float", (*RUN, "--seed", "1.5"), ("--seed", "'1.5'")),
    Case("epochs_zero", (*RUN, "--epochs", "0"), ("--epochs",)),
    Case("subsample_zero", (*RUN, "--subsample", "0"), ("--subsample",)),
]


@pytest.mark.parametrize("case", params(CASES))
def test_bad_flags_are_one_line_exit_2_and_touch_nothing(
    case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_case(case, tmp_path, capsys)

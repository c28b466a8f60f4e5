"""The bad-input corpus as a whole: every class's cases (test_bad_spaces, test_bad_datasets,
test_bad_flags, test_bad_run_dirs, test_bad_exports, test_bad_files), some through the real binary, and every
file of `tests/bad_inputs/` used. The rule each case is held to is in `tests/engine/corpus.py`.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.engine import (
    test_bad_datasets,
    test_bad_exports,
    test_bad_files,
    test_bad_flags,
    test_bad_run_dirs,
    test_bad_spaces,
)
from tests.engine.cli_helpers import isolated_cli  # noqa: F401 - fixture
from tests.engine.corpus import CORPUS, Case, binary, check_case, fill

CASES: list[Case] = [
    *test_bad_spaces.CASES,
    *test_bad_datasets.CASES,
    *test_bad_flags.CASES,
    *test_bad_run_dirs.CASES,
    *test_bad_exports.CASES,
    *test_bad_files.CASES,
]
BY_ID = {case.id: case for case in CASES}

pytestmark = [pytest.mark.usefixtures("isolated_cli"), pytest.mark.timeout(120)]

THROUGH_THE_BINARY = [
    "malformed.json",
    "python_object_apply.yaml",
    "binary_garbage.yaml",
    "max_trials_zero",
    "run_dir_is_a_file",
    "export_csv_exists",
    "dataset_unknown_name_fake",
    "python_file_opened_in_the_console",
]


@pytest.mark.parametrize("case_id", THROUGH_THE_BINARY)
def test_bad_input_through_the_real_binary(case_id: str, tmp_path: Path) -> None:
    def run(argv: list[str]) -> tuple[int, str, str]:
        done = binary(*argv, cwd=tmp_path)
        return done.returncode, done.stdout, done.stderr

    check_case(BY_ID[case_id], tmp_path, run)


def test_case_ids_are_unique() -> None:
    assert len(BY_ID) == len(CASES)


def test_every_corpus_file_is_used() -> None:
    used = {Path(fill(arg, Path("/tmp"))).name for case in CASES for arg in case.argv}
    for suite in Path(__file__).parent.glob("test_bad_*.py"):  # files a setup copies in
        used |= set(re.findall(r"\{bad\}/([\w.]+)", suite.read_text()))
    files = {p.name for p in CORPUS.iterdir()}
    # `bring/` is the corpus of foreign space formats: tests/engine/test_bring_bad_inputs.py
    assert files - used == {"empty.yaml", "user", "bring"}  # the one valid file: test_bad_spaces
    assert len(CASES) >= 150

"""Bad exports: existing targets, missing folders, nothing to export yet."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.engine.cli_helpers import isolated_cli  # noqa: F401 - fixture
from tests.engine.corpus import (
    EXPORT,
    Case,
    fifo,
    finished,
    finished_and,
    link,
    mkdir,
    new_run,
    params,
    run_case,
    write,
)

pytestmark = [pytest.mark.usefixtures("isolated_cli"), pytest.mark.timeout(60)]


CASES: list[Case] = [
    # ---- exports
    Case(
        "export_csv_exists",
        (*EXPORT, "csv", "-o", "{tmp}/out.csv"),
        ("{tmp}/out.csv", "--force"),
        finished_and(write("out.csv", "precious\n")),
    ),
    Case(
        "export_yaml_exists",
        (*EXPORT, "yaml", "-o", "{tmp}/best.yaml"),
        ("{tmp}/best.yaml", "--force"),
        finished_and(write("best.yaml", "mine: 1\n")),
    ),
    Case(
        "export_python_exists",
        (*EXPORT, "python", "--output", "{tmp}/train.py"),
        ("{tmp}/train.py", "--force"),
        finished_and(write("train.py", "print(1)\n")),
    ),
    Case(
        "export_folder_missing",
        (*EXPORT, "csv", "-o", "{tmp}/nofolder/out.csv"),
        ("{tmp}/nofolder", "does not exist"),
        finished(),
    ),
    Case(
        "export_under_a_file",
        (*EXPORT, "json", "-o", "{tmp}/afile/out.json"),
        ("{tmp}/afile/out.json", "cannot write"),
        finished_and(write("afile")),
    ),
    Case(
        "export_to_a_directory",
        (*EXPORT, "csv", "-o", "{tmp}/outdir"),
        ("{tmp}/outdir", "is a directory"),
        finished_and(mkdir("outdir")),
    ),
    Case(
        "export_nothing_completed",
        (*EXPORT, "yaml", "-o", "{tmp}/best.yaml"),
        ("{tmp}/run", "nothing to export"),
        new_run,
    ),
    Case(
        "export_csv_no_trials",
        (*EXPORT, "csv", "-o", "{tmp}/t.csv"),
        ("{tmp}/run", "no trials"),
        new_run,
    ),
    Case(
        "export_keras_without_model",
        (*EXPORT, "keras", "-o", "{tmp}/m.keras"),
        ("{tmp}/run", "best_model.keras"),
        finished(),
    ),
    Case(
        "export_to_a_fifo",
        (*EXPORT, "csv", "-o", "{tmp}/pipe"),
        ("{tmp}/pipe", "--force"),
        finished_and(fifo("pipe")),
    ),
    Case(
        "export_to_dev_null",
        (*EXPORT, "csv", "-o", "/dev/null"),
        ("/dev/null", "--force"),
        finished(),
    ),
    Case(
        "export_name_with_a_newline_exists",
        (*EXPORT, "yaml", "-o", "{tmp}/b\nest.yaml"),
        ("b\\nest.yaml", "--force"),
        finished_and(write("b\nest.yaml")),
    ),
    Case(
        "export_under_a_symlink_loop",
        (*EXPORT, "csv", "-o", "{tmp}/loop/out.csv"),
        ("{tmp}/loop",),
        finished_and(link("loop", "loop")),
    ),
]


@pytest.mark.parametrize("case", params(CASES))
def test_bad_exports_are_one_line_exit_2_and_touch_nothing(
    case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_case(case, tmp_path, capsys)

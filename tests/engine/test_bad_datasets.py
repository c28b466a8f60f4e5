"""Bad datasets: checked, and refused in one line, before any run directory exists."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.engine.cli_helpers import isolated_cli  # noqa: F401 - fixture
from tests.engine.corpus import CORPUS, DATA, RUN, Case, fifo, link, mkdir, params, run_case, write

pytestmark = [pytest.mark.usefixtures("isolated_cli"), pytest.mark.timeout(60)]

CASES: list[Case] = [
    # ---- datasets: checked before any run directory exists
    Case(
        "dataset_missing",
        (*DATA, "{bad}/does_not_exist.csv"),
        ("does_not_exist.csv", "no such file"),
    ),
    Case(
        "dataset_text_feature",
        (*DATA, "{bad}/text_feature.csv"),
        ("text_feature.csv", "column 'b'", "'cat'"),
    ),
    Case(
        "dataset_missing_labels",
        (*DATA, "{bad}/missing_labels.csv"),
        ("missing_labels.csv", "target column 'target'", "missing values", "line 3"),
    ),
    Case(
        "dataset_empty_column",
        (*DATA, "{bad}/empty_column.csv"),
        ("empty_column.csv", "column 'b'", "no values"),
    ),
    Case(
        "dataset_inf_values",
        (*DATA, "{bad}/inf_values.csv"),
        ("inf_values.csv", "column 'b'", "inf"),
    ),
    Case("dataset_one_class", (*DATA, "{bad}/one_class.csv"), ("one_class.csv", "one class")),
    Case(
        "dataset_target_missing",
        (*DATA, "{bad}/target_nope.csv", "--target", "nope"),
        ("target_nope.csv", "'nope'"),
    ),
    Case("dataset_ragged", (*DATA, "{bad}/ragged.csv"), ("ragged.csv", "line 3")),
    Case(
        "dataset_header_only", (*DATA, "{bad}/header_only.csv"), ("header_only.csv", "no data rows")
    ),
    Case("dataset_empty_csv", (*DATA, "{bad}/empty.csv"), ("empty.csv", "empty file")),
    Case("dataset_corrupt_npz", (*DATA, "{bad}/corrupt.npz"), ("corrupt.npz", "not a valid .npz")),
    Case(
        "dataset_not_a_zip", (*DATA, "{bad}/not_a_zip.npz"), ("not_a_zip.npz", "not a valid .npz")
    ),
    Case("dataset_pickled_npz", (*DATA, "{bad}/object_array.npz"), ("object_array.npz", "pickle")),
    Case(
        "dataset_npz_without_y_train",
        (*DATA, "{bad}/no_y_train.npz"),
        ("no_y_train.npz", "y_train"),
    ),
    Case(
        "dataset_npz_length_mismatch",
        (*DATA, "{bad}/length_mismatch.npz"),
        ("length_mismatch.npz", "x_train has 10 samples"),
    ),
    Case(
        "dataset_unsupported_suffix",
        (*DATA, "{bad}/dataset.txt"),
        ("dataset.txt", "unsupported file type"),
    ),
    Case("dataset_unknown_name", (*DATA, "mnist_6k"), ("mnist_6k", "unknown dataset")),
    Case("dataset_unknown_name_fake", (*RUN, "--dataset", "mnist_6k"), ("mnist_6k", "unknown")),
    Case(
        "target_on_a_builtin",
        (*RUN, "--dataset", "iris", "--target", "species"),
        ("--target", "iris"),
    ),
    # ---- hostile files: empty, bombs, devices, FIFOs
    Case(
        "dataset_npz_zero_samples",
        (*DATA, "{bad}/zero_samples.npz"),
        ("zero_samples.npz", "x_train has no samples"),
    ),
    Case(
        "dataset_npz_decompression_bomb",
        (*DATA, "{bad}/decompression_bomb.npz"),
        ("decompression_bomb.npz", "GB of memory unpacked", "is available"),
    ),
    # ---- declared sizes read before anything is allocated: the array, its size, what is free
    Case(
        "dataset_bare_npy_bomb_under_an_npz_name",
        (*DATA, "{bad}/bare_npy_bomb.npz"),
        ("bare_npy_bomb.npz", "x_train (float64, 1,000,000,000,000 values)", "7,451 GB"),
    ),
    Case(
        "dataset_npz_bomb_behind_a_text_member",
        (*DATA, "{bad}/bomb_behind_a_text_member.npz"),
        ("bomb_behind_a_text_member.npz", "x_train (float64", "745 GB of memory unpacked"),
    ),
    Case("dataset_csv_fifo", (*DATA, "{tmp}/d.csv"), ("d.csv", "not a file"), fifo("d.csv")),
    Case("dataset_npz_fifo", (*DATA, "{tmp}/d.npz"), ("d.npz", "not a file"), fifo("d.npz")),
    Case(
        "dataset_link_to_dev_zero",
        (*DATA, "{tmp}/z.csv"),
        ("z.csv", "not a file"),
        link("z.csv", "/dev/zero"),
    ),
    Case(
        "dataset_symlink_loop",
        (*DATA, "{tmp}/loop.npz"),
        ("loop.npz",),
        link("loop.npz", "loop.npz"),
    ),
    Case("dataset_name_with_a_newline", (*DATA, "{tmp}/a\nb.csv"), ("a\\nb.csv",)),
    Case(
        "dataset_a_folder",
        (*DATA, "{tmp}/folder.csv"),
        ("folder.csv", "not a file"),
        mkdir("folder.csv"),
    ),
    # ---- a validation fraction that leaves nothing to train on: the field is named
    Case(
        "validation_split_leaves_no_training_data",
        (*DATA, "digits", "--subsample", "200", "{tmp}/val.yaml"),
        ("training.validation_split=0.99", "lower it"),
        write("val.yaml", "training:\n  validation_split: 0.99\n"),
    ),
    # ---- whole-number quantities taken as classes, too many for the split: the task is named
    Case(
        "whole_number_quantities_taken_as_classes",
        (*DATA, "{tmp}/counts.csv"),
        ("counts.csv", "has only 1 samples", "40 distinct whole numbers", "--task regression"),
        write("counts.csv", "x,y\n" + "".join(f"{i % 7},{float(i)}\n" for i in range(1, 41))),
    ),
]


def parquet(relative: str, rows: int) -> Callable[[Path], None]:
    """A Parquet table of `rows` rows of one repeated value: a few kB on disk at any size."""

    def setup(tmp: Path) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.table({"x": pa.repeat(pa.scalar(0.5), rows), "target": pa.repeat(1, rows)})
        pq.write_table(table, tmp / relative)

    return setup


AVAILABLE = 16 * 2**20
# Data the machine has no room for (`engine.data.memory.available_bytes` reports 16 MB: a test
# seam, as no test can take a machine's memory away); each refused before it is read.
LOW_MEMORY: list[Case] = [
    Case(
        "dataset_npz_past_the_available_memory",
        (*DATA, "{bad}/three_gb_declared.npz"),
        (
            "three_gb_declared.npz",
            "x_train (float64, 375,000,000 values)",
            "2.8 GB of memory",
            "16 MB is available",
        ),
    ),
    Case(
        "dataset_csv_rows_past_the_available_memory",
        (*DATA, "{tmp}/long.csv"),
        ("long.csv", "its 100,001 rows × 3 columns", "16 MB is available"),
        write("long.csv", "a,b,target\n" + "1,2,0\n3,4,1\n" * 50_000),
    ),
    Case(
        "dataset_parquet_rows_past_the_available_memory",
        (*DATA, "{tmp}/long.parquet"),
        ("long.parquet", "its 1,000,000 rows × 2 columns", "16 MB is available"),
        parquet("long.parquet", 1_000_000),
    ),
]


@pytest.mark.parametrize("case", params(LOW_MEMORY))
def test_data_past_the_available_memory_is_refused_before_it_loads(
    case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("engine.data.memory.available_bytes", lambda: AVAILABLE)
    run_case(case, tmp_path, capsys)


@pytest.mark.parametrize("case", params(CASES))
def test_bad_datasets_are_one_line_exit_2_and_touch_nothing(
    case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_case(case, tmp_path, capsys)


def test_a_dataset_error_fails_fast_without_loading_tensorflow(tmp_path: Path) -> None:
    argv = [
        "run",
        "--backend",
        "keras-tuner",
        "--run-dir",
        str(tmp_path / "run"),
        "--dataset",
        str(CORPUS / "text_feature.csv"),
    ]
    probe = (
        f"import sys\nfrom engine.cli import main\ncode = main({argv!r})\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'tensorflow', 'keras'}))\n"
        "sys.exit(code)\n"
    )
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path, timeout=120
    )
    assert done.returncode == 2, done.stderr
    assert "column 'b'" in done.stderr and len(done.stderr.splitlines()) == 1
    assert not (tmp_path / "run").exists()
    assert done.stdout.strip() == "[]"  # neither TensorFlow nor Keras was imported
    assert time.monotonic() - started < 30

"""The bad-input corpus: every bad file, flag or folder a user can hand the CLI.

The product's rule, checked case by case: bad input gets exactly ONE line on stderr that names
the file or field, exit code 2, no traceback, and nothing of the user's is lost, overwritten or
left behind (every file under the test's folder and the corpus is hashed before and after).

The bad files live in `tests/bad_inputs/`; cases that need a folder, an existing export or a run
build it in tmp_path. Most run in-process through `engine.cli.main` (fast); a few run the real
`tunedeck` binary. A run that would start uses `--backend fake` (no TensorFlow); dataset errors
use `--backend keras-tuner`, whose data is loaded (scikit-learn, no TensorFlow) before anything
is written.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from engine.errors import RunDirError
from engine.prepare import prepare
from engine.run.rundir import SETTINGS, SPACE, RunDir
from engine.run.settings import RunSettings
from engine.runner import run_search
from engine.space import Space
from tests.engine.cli_helpers import isolated_cli, tunedeck  # noqa: F401 - fixture

CORPUS = Path(__file__).resolve().parents[1] / "bad_inputs"
TUNEDECK = Path(sys.executable).with_name("tunedeck")
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
MARKER = "tunedeck-pwned"  # what the python-tag YAML files would create if code ran


# ---- helpers -------------------------------------------------------------------------------
pytestmark = pytest.mark.usefixtures("isolated_cli")  # each test in its own folder


def binary(*argv: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    command = [str(TUNEDECK)] if TUNEDECK.exists() else [sys.executable, "-m", "engine"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("TUNEDECK_")}
    return subprocess.run(
        [*command, *argv], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def snapshot(*roots: Path) -> dict[str, tuple]:
    """Every path under `roots` with its kind, mode and content hash."""
    out: dict[str, tuple] = {}
    for root in roots:
        for path in sorted(root.rglob("*")):
            info = path.lstat()
            if path.is_symlink():
                out[str(path)] = ("link", os.readlink(path))
            elif path.is_dir():
                out[str(path)] = ("dir", info.st_mode)
            elif not path.is_file():  # a FIFO or a device: never opened
                out[str(path)] = ("special", info.st_mode)
            else:
                out[str(path)] = ("file", info.st_mode, hashlib.sha256(path.read_bytes()).digest())
    return out


def assert_one_line_error(code: int, out: str, err: str, needles: list[str]) -> str:
    assert code == 2, (code, out, err)
    assert "Traceback" not in err and "Traceback" not in out
    assert out == "", out
    lines = err.splitlines()
    assert len(lines) == 1 and err.endswith("\n"), err
    line = lines[0]
    assert line.startswith("tunedeck"), line
    for needle in needles:
        assert needle in line, (needle, line)
    return line


def small_space() -> Space:
    return Space.from_dict({"training": {"batch_size": [16, 32], "epochs": 1}})


def finished_run(path: Path) -> RunDir:
    settings = RunSettings(backend="fake", algorithm="grid", max_trials=2, epochs=1)
    run = prepare(path, small_space(), settings)
    run_search(run)
    return run


# ---- the cases -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Case:
    id: str
    argv: tuple[str, ...]  # "{bad}" is the corpus folder, "{tmp}" the test's tmp_path
    needles: tuple[str, ...]  # each must appear in the one error line (same placeholders)
    setup: Callable[[Path], object] | None = None
    marks: tuple = ()


RUN = ("run", "--backend", "fake", "--max-trials", "1", "--epochs", "1", "--run-dir", "{tmp}/run")
DATA = ("run", "--backend", "keras-tuner", "--max-trials", "1", "--epochs", "1",
        "--run-dir", "{tmp}/run", "--dataset")  # fmt: skip

# file in the corpus -> the node path (or words) its one-line error must name
SPACE_FILES: dict[str, str] = {
    "malformed.yaml": "malformed YAML at line 3",
    "malformed.json": "malformed JSON",
    "truncated.json": "malformed JSON",
    "wrong_type.yaml": "training.batch_size",
    "wrong_type_in_range.json": "architecture.nodes.min",
    "unknown_key.yaml": "optimizer.learnig_rate",
    "unknown_group.yaml": "optimiser",
    "min_greater_than_max.yaml": "optimizer.learning_rate",
    "log_min_zero.yaml": "regularization.kernel_strength.min",
    "step_zero.yaml": "architecture.nodes.step",
    "step_negative.json": "optimizer.learning_rate.step",
    "empty_choice.yaml": "architecture.nodes",
    "empty_choice_values.json": "optimizer.name",
    "duplicate_values.yaml": "training.batch_size[2]",
    "dropout_one.yaml": "regularization.dropout",
    "dropout_range_above_one.yaml": "regularization.dropout.max",
    "batch_size_zero.yaml": "training.batch_size[0]",
    "learning_rate_negative.yaml": "optimizer.learning_rate",
    "learning_rate_nan.yaml": "optimizer.learning_rate",
    "unknown_optimizer.yaml": "optimizer.name[1]",
    "unknown_activation.yaml": "architecture.activation[1]",
    "unknown_initializer.yaml": "architecture.initializer",
    "unknown_regularizer.yaml": "regularization.kernel_regularizer",
    "unknown_monitor.json": "early_stopping.monitor",
    "python_object_apply.yaml": "python/object",
    "python_object_new.yaml": "python/object",
    "binary_garbage.yaml": "not a UTF-8 text file",
    "nul_bytes.yaml": "YAML",
    "top_level_list.yaml": "mapping of groups",
    "group_not_mapping.yaml": "training",
    "range_missing_max.yaml": "needs 'max'",
    "choice_default_not_in_values.yaml": "optimizer.name.default",
    "bad_sampling.yaml": "optimizer.learning_rate.sampling",
    "boolean_as_text.yaml": "early_stopping.enabled",
    "deep_nesting.json": "nested",
    "deep_nesting.yaml": "nested",
}


def _space_case(name: str, words: str) -> Case:
    return Case(name, (*RUN, f"{{bad}}/{name}"), (name, words))


def _write(relative: str, data: str = "mine\n") -> Callable[[Path], None]:
    def setup(tmp: Path) -> None:
        path = tmp / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(data)

    return setup


def _mkdir(relative: str) -> Callable[[Path], None]:
    return lambda tmp: (tmp / relative).mkdir(parents=True)


def _finished(relative: str = "run") -> Callable[[Path], None]:
    return lambda tmp: finished_run(tmp / relative)


def _new_run(tmp: Path) -> None:
    RunDir.create(tmp / "run", small_space(), RunSettings(backend="fake", max_trials=2))


def _finished_then(name: str, text: str) -> Callable[[Path], None]:
    """A finished run whose file `name` the user then edited by hand."""

    def setup(tmp: Path) -> None:
        finished_run(tmp / "run")
        (tmp / "run" / name).write_text(text)

    return setup


def _finished_and(*others: Callable[[Path], None]) -> Callable[[Path], None]:
    def setup(tmp: Path) -> None:
        finished_run(tmp / "run")
        for other in others:
            other(tmp)

    return setup


def _locked_parent(tmp: Path) -> None:
    (tmp / "locked").mkdir()
    (tmp / "locked").chmod(0o500)


CONTINUOUS = "optimizer:\n  learning_rate: {min: 0.0001, max: 0.1, sampling: log}\n"
EXPORT = ("export", "{tmp}/run", "--format")

CASES: list[Case] = [
    *(_space_case(name, words) for name, words in SPACE_FILES.items()),
    # ---- space files that are not there or not files
    Case("space_missing", (*RUN, "{tmp}/nowhere.yaml"), ("nowhere.yaml", "no such file")),
    Case(
        "space_is_a_directory",
        (*RUN, "{tmp}/folder.yaml"),
        ("folder.yaml", "cannot read"),
        _mkdir("folder.yaml"),
    ),
    Case("validate_missing", ("validate", "{tmp}/nowhere.json"), ("nowhere.json", "no such file")),
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
        "dataset_missing_cells",
        (*DATA, "{bad}/missing_cells.csv"),
        ("missing_cells.csv", "column 'b'", "missing values"),
    ),
    Case(
        "dataset_nan_cells",
        (*DATA, "{bad}/nan_cells.csv"),
        ("nan_cells.csv", "column 'b'", "missing values"),
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
    # ---- flags and settings
    Case("unknown_backend", (*RUN, "--backend", "tensorflow"), ("--backend", "'tensorflow'")),
    Case("unknown_algorithm", (*RUN, "--algorithm", "annealing"), ("--algorithm", "'annealing'")),
    Case("unknown_format", (*EXPORT, "xml"), ("--format", "'xml'"), _finished()),
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
        _write("continuous.yaml", CONTINUOUS),
    ),
    Case("max_trials_zero", (*RUN, "--max-trials", "0"), ("--max-trials", "0")),
    Case("max_trials_negative", (*RUN, "--max-trials", "-4"), ("--max-trials", "-4")),
    Case("max_trials_text", (*RUN, "--max-trials", "ten"), ("--max-trials", "'ten'")),
    Case("cv_one", (*RUN, "--cv", "1"), ("cv", ">= 2")),
    Case("seed_text", (*RUN, "--seed", "abc"), ("--seed", "'abc'")),
    Case("seed_float", (*RUN, "--seed", "1.5"), ("--seed", "'1.5'")),
    Case("epochs_zero", (*RUN, "--epochs", "0"), ("--epochs",)),
    Case("subsample_zero", (*RUN, "--subsample", "0"), ("--subsample",)),
    # ---- run directories
    Case(
        "run_dir_under_a_file",
        (*RUN[:-1], "{tmp}/afile/run"),
        ("{tmp}/afile/run", "cannot write"),
        _write("afile"),
    ),
    Case(
        "run_dir_unwritable_parent",
        (*RUN[:-1], "{tmp}/locked/run"),
        ("{tmp}/locked/run", "cannot write"),
        _locked_parent,
        (pytest.mark.skipif(IS_ROOT, reason="root writes through chmod 0o500"),),
    ),
    Case("run_dir_holds_a_run", RUN, ("{tmp}/run", "already holds a run"), _finished()),
    Case("run_dir_is_a_file", RUN, ("{tmp}/run", "not a directory"), _write("run")),
    Case("run_dir_not_empty", RUN, ("{tmp}/run", "not empty"), _write("run/notes.txt")),
    Case(
        "resume_not_a_run_dir",
        ("resume", "{tmp}/mine"),
        ("{tmp}/mine", "not a run directory"),
        _write("mine/notes.txt"),
    ),
    Case("resume_missing_dir", ("resume", "{tmp}/nowhere"), ("{tmp}/nowhere", "no such")),
    Case(
        "resume_a_file",
        ("resume", "{tmp}/afile"),
        ("{tmp}/afile", "not a directory"),
        _write("afile"),
    ),
    Case(
        "resume_settings_typo",
        ("resume", "{tmp}/run"),
        (SETTINGS, "max_trails"),
        _finished_then(SETTINGS, "backend: fake\nmax_trails: 5\n"),
    ),
    Case(
        "resume_space_malformed",
        ("resume", "{tmp}/run"),
        (SPACE, "malformed YAML"),
        _finished_then(SPACE, "training: [1, 2\n"),
    ),
    Case(
        "export_not_a_run_dir",
        ("export", "{tmp}/mine", "--format", "csv"),
        ("{tmp}/mine", "not a run directory"),
        _write("mine/notes.txt"),
    ),
    Case(
        "stop_not_a_run_dir",
        ("stop", "{tmp}/mine"),
        ("{tmp}/mine", "not a run directory"),
        _write("mine/notes.txt"),
    ),
    Case(
        "stop_not_running",
        ("stop", "{tmp}/run"),
        ("{tmp}/run", "no search is running"),
        _finished(),
    ),
    Case("ls_missing_dir", ("ls", "{tmp}/nowhere"), ("{tmp}/nowhere", "no such directory")),
    Case("ls_a_file", ("ls", "{tmp}/afile"), ("{tmp}/afile", "not a directory"), _write("afile")),
    # ---- exports
    Case(
        "export_csv_exists",
        (*EXPORT, "csv", "-o", "{tmp}/out.csv"),
        ("{tmp}/out.csv", "--force"),
        _finished_and(_write("out.csv", "precious\n")),
    ),
    Case(
        "export_yaml_exists",
        (*EXPORT, "yaml", "-o", "{tmp}/best.yaml"),
        ("{tmp}/best.yaml", "--force"),
        _finished_and(_write("best.yaml", "mine: 1\n")),
    ),
    Case(
        "export_python_exists",
        (*EXPORT, "python", "--output", "{tmp}/train.py"),
        ("{tmp}/train.py", "--force"),
        _finished_and(_write("train.py", "print(1)\n")),
    ),
    Case(
        "export_folder_missing",
        (*EXPORT, "csv", "-o", "{tmp}/nofolder/out.csv"),
        ("{tmp}/nofolder", "does not exist"),
        _finished(),
    ),
    Case(
        "export_under_a_file",
        (*EXPORT, "json", "-o", "{tmp}/afile/out.json"),
        ("{tmp}/afile/out.json", "cannot write"),
        _finished_and(_write("afile")),
    ),
    Case(
        "export_to_a_directory",
        (*EXPORT, "csv", "-o", "{tmp}/outdir"),
        ("{tmp}/outdir", "is a directory"),
        _finished_and(_mkdir("outdir")),
    ),
    Case(
        "export_nothing_completed",
        (*EXPORT, "yaml", "-o", "{tmp}/best.yaml"),
        ("{tmp}/run", "nothing to export"),
        _new_run,
    ),
    Case(
        "export_csv_no_trials",
        (*EXPORT, "csv", "-o", "{tmp}/t.csv"),
        ("{tmp}/run", "no trials"),
        _new_run,
    ),
    Case(
        "export_keras_without_model",
        (*EXPORT, "keras", "-o", "{tmp}/m.keras"),
        ("{tmp}/run", "best_model.keras"),
        _finished(),
    ),
]
BY_ID = {case.id: case for case in CASES}
assert len(BY_ID) == len(CASES), "case ids must be unique"


def _fill(text: str, tmp: Path) -> str:
    return text.replace("{bad}", str(CORPUS)).replace("{tmp}", str(tmp))


def _params(cases: list[Case]) -> list:
    return [pytest.param(case, id=case.id, marks=case.marks) for case in cases]


def check_case(case: Case, tmp_path: Path, run: Callable[[list[str]], tuple[int, str, str]]):
    if case.setup is not None:
        case.setup(tmp_path)
    before = snapshot(tmp_path, CORPUS)
    try:
        code, out, err = run([_fill(arg, tmp_path) for arg in case.argv])
        after = snapshot(tmp_path, CORPUS)
    finally:
        if (tmp_path / "locked").exists():
            (tmp_path / "locked").chmod(0o700)
    assert_one_line_error(code, out, err, [_fill(n, tmp_path) for n in case.needles])
    assert after == before, "the command changed, left or removed files"
    assert not (tmp_path / MARKER).exists()


# ---- the tests -----------------------------------------------------------------------------
@pytest.mark.parametrize("case", _params(CASES))
def test_bad_input_is_one_line_exit_2_and_touches_nothing(
    case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    check_case(case, tmp_path, lambda argv: tunedeck(capsys, *argv))


@pytest.mark.parametrize(
    "case", _params([c for c in CASES if c.argv[0] == "run" and c.id in SPACE_FILES])
)
def test_validate_reports_the_same_bad_space(
    case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    check_case(
        Case(case.id, ("validate", case.argv[-1]), case.needles), tmp_path,
        lambda argv: tunedeck(capsys, *argv),
    )  # fmt: skip


THROUGH_THE_BINARY = ["malformed.json", "python_object_apply.yaml", "binary_garbage.yaml",
                      "max_trials_zero", "run_dir_is_a_file", "export_csv_exists",
                      "dataset_unknown_name_fake"]  # fmt: skip


@pytest.mark.parametrize("case_id", THROUGH_THE_BINARY)
def test_bad_input_through_the_real_binary(case_id: str, tmp_path: Path) -> None:
    def run(argv: list[str]) -> tuple[int, str, str]:
        done = binary(*argv, cwd=tmp_path)
        return done.returncode, done.stdout, done.stderr

    check_case(BY_ID[case_id], tmp_path, run)


def test_every_corpus_file_is_used() -> None:
    used = {Path(_fill(arg, Path("/tmp"))).name for case in CASES for arg in case.argv}
    files = {p.name for p in CORPUS.iterdir()}
    assert files - used == {"empty.yaml", "user"}  # the one valid file: see the next test
    assert len(CASES) >= 30


def test_an_empty_space_file_is_valid_every_parameter_fixed_at_its_default(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = tunedeck(capsys, "validate", str(CORPUS / "empty.yaml"))
    assert (code, err) == (0, "")
    assert "0 tuned" in out and "grid of 1 configuration" in out
    assert Space.load(CORPUS / "empty.yaml") == Space.from_dict({})


def test_python_tags_are_refused_without_running_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("python_object_apply.yaml", "python_object_new.yaml"):
        assert MARKER in (CORPUS / name).read_text()  # the file really tries to run a command
        code, _, err = tunedeck(capsys, "validate", str(CORPUS / name))
        assert code == 2 and "python/object" in err
    time.sleep(0.05)  # a spawned process would have touched the marker by now
    assert not (tmp_path / MARKER).exists()


def test_a_dataset_error_fails_fast_without_loading_tensorflow(tmp_path: Path) -> None:
    argv = ["run", "--backend", "keras-tuner", "--run-dir", str(tmp_path / "run"),
            "--dataset", str(CORPUS / "text_feature.csv")]  # fmt: skip
    probe = (
        f"import sys\nfrom engine.cli import main\ncode = main({argv!r})\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'tensorflow', 'keras'}))\n"
        "sys.exit(code)\n"
    )
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          cwd=tmp_path, timeout=120)  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert "column 'b'" in done.stderr and len(done.stderr.splitlines()) == 1
    assert not (tmp_path / "run").exists()
    assert done.stdout.strip() == "[]"  # neither TensorFlow nor Keras was imported
    assert time.monotonic() - started < 30


# ---- unwritable places, simulated (tests run as root, where chmod does not stop writes) ----
def _refuse_writes(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(path, data) -> None:  # noqa: ANN001
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr("engine.atomic.write_bytes", refuse)
    monkeypatch.setattr("engine.run.rundir.write_text", lambda path, text: refuse(path, text))


def test_an_unwritable_new_run_dir_is_an_error_and_leaves_nothing_behind(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _refuse_writes(monkeypatch)
    code, out, err = tunedeck(capsys, *RUN[:-1], str(tmp_path / "new" / "run"))
    assert_one_line_error(code, out, err, [str(tmp_path / "new" / "run"), "Permission denied"])
    assert list(tmp_path.iterdir()) == []


def test_resume_in_an_unwritable_run_dir_is_an_error_and_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    run = finished_run(tmp_path / "run")
    before = snapshot(tmp_path)
    _refuse_writes(monkeypatch)
    code, out, err = tunedeck(capsys, "resume", str(run.path))
    assert_one_line_error(code, out, err, [str(run.path), "Permission denied"])
    assert snapshot(tmp_path) == before


def test_a_run_that_fails_before_its_first_event_leaves_no_run_dir(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def cannot_lock(self: RunDir):  # noqa: ANN202
        raise RunDirError("cannot lock (Read-only file system)", source=str(self.path))

    monkeypatch.setattr(RunDir, "lock", cannot_lock)
    code, out, err = tunedeck(capsys, *[_fill(arg, tmp_path) for arg in RUN])
    assert_one_line_error(code, out, err, [str(tmp_path / "run"), "cannot lock"])
    assert list(tmp_path.iterdir()) == []


def test_a_run_dir_the_user_made_empty_is_left_empty_after_a_failed_start(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "run").mkdir()

    def cannot_lock(self: RunDir):  # noqa: ANN202
        raise RunDirError("cannot lock (Read-only file system)", source=str(self.path))

    monkeypatch.setattr(RunDir, "lock", cannot_lock)
    code, out, err = tunedeck(capsys, *[_fill(arg, tmp_path) for arg in RUN])
    assert code == 2
    assert [p.name for p in tmp_path.iterdir()] == ["run"]
    assert list((tmp_path / "run").iterdir()) == []

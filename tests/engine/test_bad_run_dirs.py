"""Bad run directories: not there, not a run, not empty, not writable, hand-edited."""

from __future__ import annotations

import errno
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from engine.errors import RunDirError
from engine.run.rundir import JOURNAL, SETTINGS, SPACE, RunDir
from tests.engine.cli_helpers import isolated_cli, tunedeck  # noqa: F401 - fixture
from tests.engine.corpus import (
    IS_ROOT,
    RUN,
    Case,
    assert_one_line_error,
    copy,
    fifo,
    fill,
    finished,
    finished_and,
    finished_run,
    finished_then,
    locked_parent,
    mkdir,
    params,
    replaced,
    run_case,
    snapshot,
    write,
)

pytestmark = [pytest.mark.usefixtures("isolated_cli"), pytest.mark.timeout(60)]

CASES: list[Case] = [
    # ---- run directories
    Case(
        "run_dir_under_a_file",
        (*RUN[:-1], "{tmp}/afile/run"),
        ("{tmp}/afile/run", "cannot write"),
        write("afile"),
    ),
    Case(
        "run_dir_unwritable_parent",
        (*RUN[:-1], "{tmp}/locked/run"),
        ("{tmp}/locked/run", "cannot write"),
        locked_parent,
        (pytest.mark.skipif(IS_ROOT, reason="root writes through chmod 0o500"),),
    ),
    Case("run_dir_holds_a_run", RUN, ("{tmp}/run", "already holds a run"), finished()),
    Case("run_dir_is_a_file", RUN, ("{tmp}/run", "not a directory"), write("run")),
    Case("run_dir_not_empty", RUN, ("{tmp}/run", "not empty"), write("run/notes.txt")),
    Case(
        "resume_not_a_run_dir",
        ("resume", "{tmp}/mine"),
        ("{tmp}/mine", "not a run directory"),
        write("mine/notes.txt"),
    ),
    Case("resume_missing_dir", ("resume", "{tmp}/nowhere"), ("{tmp}/nowhere", "no such")),
    Case(
        "resume_a_file",
        ("resume", "{tmp}/afile"),
        ("{tmp}/afile", "not a directory"),
        write("afile"),
    ),
    Case(
        "resume_settings_typo",
        ("resume", "{tmp}/run"),
        (SETTINGS, "max_trails"),
        finished_then(SETTINGS, "backend: fake\nmax_trails: 5\n"),
    ),
    Case(
        "resume_space_malformed",
        ("resume", "{tmp}/run"),
        (SPACE, "malformed YAML"),
        finished_then(SPACE, "training: [1, 2\n"),
    ),
    Case(
        "export_not_a_run_dir",
        ("export", "{tmp}/mine", "--format", "csv"),
        ("{tmp}/mine", "not a run directory"),
        write("mine/notes.txt"),
    ),
    Case(
        "stop_not_a_run_dir",
        ("stop", "{tmp}/mine"),
        ("{tmp}/mine", "not a run directory"),
        write("mine/notes.txt"),
    ),
    Case(
        "stop_not_running",
        ("stop", "{tmp}/run"),
        ("{tmp}/run", "no search is running"),
        finished(),
    ),
    Case("ls_missing_dir", ("ls", "{tmp}/nowhere"), ("{tmp}/nowhere", "no such directory")),
    Case("ls_a_file", ("ls", "{tmp}/afile"), ("{tmp}/afile", "not a directory"), write("afile")),
    # ---- hand-edited or planted files in a run directory
    Case(
        "resume_binary_settings",
        ("resume", "{tmp}/run"),
        (SETTINGS, "not a UTF-8 text file"),
        finished_and(copy("{bad}/binary_settings.yaml", f"run/{SETTINGS}")),
    ),
    Case(
        "resume_settings_duplicate_key",
        ("resume", "{tmp}/run"),
        (SETTINGS, "given twice"),
        finished_then(SETTINGS, "backend: fake\nseed: 1\nseed: 2\n"),
    ),
    Case(
        "resume_settings_alias_bomb",
        ("resume", "{tmp}/run"),
        (SETTINGS, "alias bomb"),
        finished_and(copy("{bad}/alias_bomb.yaml", f"run/{SETTINGS}")),
    ),
    Case(
        "resume_settings_seed_out_of_range",
        ("resume", "{tmp}/run"),
        (SETTINGS, "seed"),
        finished_then(SETTINGS, "backend: fake\nseed: -3\n"),
    ),
    Case(
        "resume_settings_a_fifo",
        ("resume", "{tmp}/run"),
        ("{tmp}/run", "not a run directory"),
        finished_and(replaced(f"run/{SETTINGS}", fifo)),
    ),
    Case(
        "resume_space_a_fifo",
        ("resume", "{tmp}/run"),
        ("{tmp}/run", "not a run directory"),
        finished_and(replaced(f"run/{SPACE}", fifo)),
    ),
    Case(
        "resume_space_duplicate_key",
        ("resume", "{tmp}/run"),
        (SPACE, "given twice"),
        finished_then(SPACE, "training:\n  epochs: 1\n  epochs: 2\n"),
    ),
    Case(
        "resume_journal_a_directory",
        ("resume", "{tmp}/run"),
        (JOURNAL, "not a regular file"),
        finished_and(replaced(f"run/{JOURNAL}", mkdir)),
    ),
    Case(
        "resume_journal_a_fifo",
        ("resume", "{tmp}/run"),
        (JOURNAL, "not a regular file"),
        finished_and(replaced(f"run/{JOURNAL}", fifo)),
    ),
    Case(
        "export_journal_a_directory",
        ("export", "{tmp}/run", "--format", "yaml"),
        ("{tmp}/run", "nothing to export"),
        finished_and(replaced(f"run/{JOURNAL}", mkdir)),
    ),
    Case(
        "run_dir_with_a_newline_holds_a_run",
        (*RUN[:-1], "{tmp}/a\nb"),
        ("a\\nb", "already holds a run", "tunedeck resume $'"),
        finished("a\nb"),
    ),
    Case(
        "resume_name_with_an_escape",
        ("resume", "{tmp}/\x1b[2Jgone"),
        ("\\x1b[2Jgone", "no such run directory"),
    ),
]


@pytest.mark.parametrize("case", params(CASES))
def test_bad_run_dirs_are_one_line_exit_2_and_touch_nothing(
    case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_case(case, tmp_path, capsys)


# ---- unwritable places, simulated (tests run as root, where chmod does not stop writes) ----
def _refuse_writes(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(path, data) -> None:  # noqa: ANN001
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr("engine.system.atomic.write_bytes", refuse)
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
    code, out, err = tunedeck(capsys, *[fill(arg, tmp_path) for arg in RUN])
    assert_one_line_error(code, out, err, [str(tmp_path / "run"), "cannot lock"])
    assert list(tmp_path.iterdir()) == []


def test_a_run_dir_the_user_made_empty_is_left_empty_after_a_failed_start(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "run").mkdir()

    def cannot_lock(self: RunDir):  # noqa: ANN202
        raise RunDirError("cannot lock (Read-only file system)", source=str(self.path))

    monkeypatch.setattr(RunDir, "lock", cannot_lock)
    code, out, err = tunedeck(capsys, *[fill(arg, tmp_path) for arg in RUN])
    assert code == 2
    assert [p.name for p in tmp_path.iterdir()] == ["run"]
    assert list((tmp_path / "run").iterdir()) == []


# ---- a disk that cannot take a run, an export or a download: refused before anything starts ----
# The file system is asked in one place (`engine.run.writable._probe`); these cases make the
# folder `disk` read-only, forbidden or full there (an injected errno: a test seam, as tests
# cannot count on mounting). The real read-only mount and the real full disk are checked below.
DISK_FULL = 2**20
UNWRITABLE: list[tuple[Case, int]] = [
    (
        Case(
            "new_run_dir_on_a_read_only_disk",
            (*RUN[:-1], "{tmp}/disk/run"),
            ("{tmp}/disk/run", "cannot write (Read-only file system)"),
            mkdir("disk"),
        ),
        errno.EROFS,
    ),
    (
        Case(
            "empty_run_dir_on_a_read_only_disk",
            (*RUN[:-1], "{tmp}/disk/run"),
            ("{tmp}/disk/run", "cannot write (Read-only file system)"),
            mkdir("disk/run"),
        ),
        errno.EROFS,
    ),
    (
        Case(
            "run_dir_without_permission",
            (*RUN[:-1], "{tmp}/disk/run"),
            ("{tmp}/disk/run", "cannot write (Permission denied)"),
            mkdir("disk"),
        ),
        errno.EACCES,
    ),
    (
        Case(
            "run_dir_on_a_full_disk",
            (*RUN[:-1], "{tmp}/disk/run"),
            ("{tmp}/disk/run", "No space left on device: 1.0 MB free, 16 MB needed"),
            mkdir("disk"),
        ),
        errno.ENOSPC,
    ),
    (
        Case(
            "resume_on_a_read_only_disk",
            ("resume", "{tmp}/disk/run"),
            ("{tmp}/disk/run", "Read-only file system"),
            finished("disk/run"),
        ),
        errno.EROFS,
    ),
    (
        Case(
            "export_to_a_full_disk",
            ("export", "{tmp}/run", "--format", "yaml", "-o", "{tmp}/disk/best.yaml"),
            ("{tmp}/disk/best.yaml", "No space left on device"),
            finished_and(mkdir("disk")),
        ),
        errno.ENOSPC,
    ),
    (
        Case(
            "report_to_a_read_only_disk",
            ("report", "{tmp}/run", "-o", "{tmp}/disk/r.html"),
            ("{tmp}/disk/r.html", "Read-only file system"),
            finished_and(mkdir("disk")),
        ),
        errno.EROFS,
    ),
    (
        Case(
            "datasets_cache_on_a_read_only_disk",
            ("run", "--backend", "keras-tuner", "--dataset", "mnist", "--run-dir", "{tmp}/run"),
            (
                "{tmp}/disk/keras/datasets",
                "datasets cache cannot take mnist",
                "Read-only file system",
            ),
            mkdir("disk"),
        ),
        errno.EROFS,
    ),
    (
        Case(
            "datasets_cache_on_a_full_disk",
            ("run", "--backend", "keras-tuner", "--dataset", "cifar10", "--run-dir", "{tmp}/run"),
            ("{tmp}/disk/keras/datasets", "cifar10", "1.0 MB free, 170 MB needed"),
            mkdir("disk"),
        ),
        errno.ENOSPC,
    ),
]


@pytest.mark.parametrize(("case", "code"), UNWRITABLE, ids=[c.id for c, _ in UNWRITABLE])
def test_an_unwritable_disk_is_one_line_before_anything_starts(
    case: Case,
    code: int,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from engine.run import writable

    if case.setup is not None:  # made on a disk that worked then
        case.setup(tmp_path)
    real = writable._probe

    def probe(folder: Path, need: int) -> tuple[int | None, int]:
        return (code, DISK_FULL) if "disk" in folder.parts else real(folder, need)

    monkeypatch.setattr(writable, "_probe", probe)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "disk" / "keras"))
    monkeypatch.setenv("TUNEDECK_DATASETS_ORIGIN", "http://127.0.0.1:9")  # never the network
    run_case(replace(case, setup=None), tmp_path, capsys)


MOUNTS = {
    "read-only bind mount": ('mount --bind -o ro "$1" "$1"', "Read-only file system"),
    "full tmpfs": (
        'mount -t tmpfs -o size=512k tmpfs "$1" && mkdir "$1/run" && '
        'dd if=/dev/zero of="$1/fill" bs=4k 2>/dev/null; true',
        "No space left on device",
    ),
}
PROBE = (
    "import sys\nfrom engine.cli import main\ncode = main(sys.argv[1:])\n"
    "print(sorted({m.split('.')[0] for m in sys.modules} & {'tensorflow', 'sklearn'}))\n"
    "sys.exit(code)\n"
)


@pytest.mark.parametrize("kind", list(MOUNTS))
def test_a_real_unwritable_disk_is_refused_before_the_data_or_tensorflow_load(
    tmp_path: Path, kind: str
) -> None:
    """A real read-only bind mount, or a real tmpfs filled up, in a mount namespace of the
    command's own (`unshare`: gone when it exits; skipped where none can be made). An empty run
    directory on a read-only disk once failed with an OSError traceback at the run lock, and a
    full disk was found only after the data and TensorFlow had loaded."""
    if shutil.which("unshare") is None:
        pytest.skip("no unshare")
    disk = tmp_path / "disk"
    (disk / "run").mkdir(parents=True)
    mount, needle = MOUNTS[kind]
    script = f'{mount} || exit 99; shift; exec "$@"'
    argv = [
        "run",
        "--backend",
        "keras-tuner",
        "--max-trials",
        "1",
        "--epochs",
        "1",
        "--run-dir",
        str(disk / "run"),
    ]
    done = subprocess.run(
        [
            "unshare",
            "--mount",
            "--map-root-user",
            "sh",
            "-c",
            script,
            "sh",
            str(disk),
            sys.executable,
            "-c",
            PROBE,
            *argv,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    if done.returncode == 99 or "unshare:" in done.stderr:
        pytest.skip(f"cannot mount here: {done.stderr.strip()}")
    assert_one_line_error(done.returncode, "", done.stderr, [str(disk / "run"), needle])
    assert done.stdout == "[]\n"  # neither scikit-learn's data nor TensorFlow was loaded
    assert [p.name for p in disk.iterdir()] == ["run"] and not any((disk / "run").iterdir())

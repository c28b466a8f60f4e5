"""Bad run directories: not there, not a run, not empty, not writable, hand-edited."""

from __future__ import annotations

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
    ),  # fmt: skip
    Case(
        "resume_settings_duplicate_key",
        ("resume", "{tmp}/run"),
        (SETTINGS, "given twice"),
        finished_then(SETTINGS, "backend: fake\nseed: 1\nseed: 2\n"),
    ),  # fmt: skip
    Case(
        "resume_settings_alias_bomb",
        ("resume", "{tmp}/run"),
        (SETTINGS, "alias bomb"),
        finished_and(copy("{bad}/alias_bomb.yaml", f"run/{SETTINGS}")),
    ),  # fmt: skip
    Case(
        "resume_settings_seed_out_of_range",
        ("resume", "{tmp}/run"),
        (SETTINGS, "seed"),
        finished_then(SETTINGS, "backend: fake\nseed: -3\n"),
    ),  # fmt: skip
    Case(
        "resume_settings_a_fifo",
        ("resume", "{tmp}/run"),
        ("{tmp}/run", "not a run directory"),
        finished_and(replaced(f"run/{SETTINGS}", fifo)),
    ),  # fmt: skip
    Case(
        "resume_space_a_fifo",
        ("resume", "{tmp}/run"),
        ("{tmp}/run", "not a run directory"),
        finished_and(replaced(f"run/{SPACE}", fifo)),
    ),  # fmt: skip
    Case(
        "resume_space_duplicate_key",
        ("resume", "{tmp}/run"),
        (SPACE, "given twice"),
        finished_then(SPACE, "training:\n  epochs: 1\n  epochs: 2\n"),
    ),  # fmt: skip
    Case(
        "resume_journal_a_directory",
        ("resume", "{tmp}/run"),
        (JOURNAL, "not a regular file"),
        finished_and(replaced(f"run/{JOURNAL}", mkdir)),
    ),  # fmt: skip
    Case(
        "resume_journal_a_fifo",
        ("resume", "{tmp}/run"),
        (JOURNAL, "not a regular file"),
        finished_and(replaced(f"run/{JOURNAL}", fifo)),
    ),  # fmt: skip
    Case(
        "export_journal_a_directory",
        ("export", "{tmp}/run", "--format", "yaml"),
        ("{tmp}/run", "nothing to export"),
        finished_and(replaced(f"run/{JOURNAL}", mkdir)),
    ),  # fmt: skip
    Case(
        "run_dir_with_a_newline_holds_a_run",
        (*RUN[:-1], "{tmp}/a\nb"),
        ("a\\nb", "already holds a run", "tunedeck resume $'"),
        finished("a\nb"),
    ),  # fmt: skip
    Case(
        "resume_name_with_an_escape",
        ("resume", "{tmp}/\x1b[2Jgone"),
        ("\\x1b[2Jgone", "no such run directory"),
    ),  # fmt: skip
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

"""A full disk is the machine's failure, not a trial's: the search ends with one line naming
the disk (exit 1, no traceback), the trial it was training is not recorded failed, and
`tunedeck resume` runs it again once there is room. Tested with an injected ENOSPC on every
machine and with a real full tmpfs where the tests may mount one (root)."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.backends.environment import mount_point
from engine.run import events as ev
from engine.run.journal import JournalWriter
from engine.run.kept import load_results
from engine.run.states import RunState, TrialStatus
from tests.engine.cli_helpers import isolated_cli, tunedeck  # noqa: F401 - fixture

pytestmark = [pytest.mark.usefixtures("isolated_cli"), pytest.mark.timeout(600), pytest.mark.slow]
SPACE = "training: {batch_size: [32, 64], epochs: 2}\narchitecture: {nodes: [8, 16]}\n"


def _argv(backend: str, run: Path, space: Path) -> list[str]:
    return [
        "run",
        str(space),
        "--backend",
        backend,
        "--algorithm",
        "grid",
        "--max-trials",
        "3",
        "--cv",
        "2",
        "--epochs",
        "2",
        "--subsample",
        "150",
        "--run-dir",
        str(run),
        "--quiet",
    ]


def _assert_resumed_to_the_end(run: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = tunedeck(capsys, "resume", str(run), "--quiet")
    assert code == 0, err
    results = load_results(run)
    assert results.state == RunState.FINISHED
    statuses = [t.status for t in results.trials.values()]
    assert statuses == [TrialStatus.COMPLETED] * 3, [
        (t.status, t.reason) for t in results.trials.values()
    ]


def _assert_one_line(code: int, err: str, disk: Path) -> None:
    assert code == 1, err
    assert "Traceback" not in err and err.count("\n") == 1, err
    assert err.startswith(
        f"tunedeck: search failed: no space left on the disk mounted at {disk} "
    ), err


@pytest.mark.parametrize("backend", ["sklearn", "keras-tuner"])
def test_an_injected_enospc_mid_trial_ends_the_search_and_resume_runs_it_again(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    backend: str,
) -> None:
    write = JournalWriter.__call__
    epochs = {"seen": 0}

    def full_at_the_fifth_epoch(self: JournalWriter, event: ev.Event) -> None:
        if isinstance(event, ev.EpochEnded):
            epochs["seen"] += 1
            if epochs["seen"] == 5:
                raise OSError(errno.ENOSPC, "No space left on device", str(self.path))
        write(self, event)

    (tmp_path / "space.yaml").write_text(SPACE)
    run = tmp_path / "run"
    with monkeypatch.context() as patch:
        patch.setattr(JournalWriter, "__call__", full_at_the_fifth_epoch)
        code, _, err = tunedeck(capsys, *_argv(backend, run, tmp_path / "space.yaml"))
    _assert_one_line(code, err, mount_point(run))
    before = load_results(run)
    assert before.state == RunState.RUNNING  # interrupted: neither failed nor finished
    assert not [t for t in before.trials.values() if t.status == TrialStatus.FAILED]
    assert [t.status for t in before.trials.values()].count(TrialStatus.RUNNING) == 1
    _assert_resumed_to_the_end(run, capsys)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    disk = tmp_path / "disk"
    disk.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root")
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", str(disk)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def test_sklearn_on_a_really_full_disk_says_so_in_one_line_and_resumes(
    small_disk: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The run directory on a 512 KiB tmpfs filled until only a few pages are free. The check
    before a search (`engine.run.writable`, 16 MB free at least) is told the disk has room, as
    it would have had before another process filled it: this is the disk filling mid-search."""
    from engine.prepare import prepare
    from engine.run import writable

    monkeypatch.setattr(writable, "_probe", lambda folder, need: (None, need))
    from engine.run.settings import RunSettings
    from engine.space import Space

    (tmp_path / "space.yaml").write_text(SPACE)
    space = Space.load(tmp_path / "space.yaml")
    settings = RunSettings(
        dataset="digits",
        backend="sklearn",
        algorithm="grid",
        max_trials=3,
        cv=2,
        epochs=2,
        subsample=150,
    )
    run = prepare(small_disk / "run", space, settings).path
    filler = small_disk / "filler"
    stat = os.statvfs(small_disk)
    filler.write_bytes(b"\0" * (stat.f_bavail * stat.f_frsize - 3 * 4096))
    code, _, err = tunedeck(capsys, "resume", str(run), "--quiet")
    _assert_one_line(code, err, small_disk)
    assert not [t for t in load_results(run).trials.values() if t.status == TrialStatus.FAILED]
    filler.unlink()
    _assert_resumed_to_the_end(run, capsys)

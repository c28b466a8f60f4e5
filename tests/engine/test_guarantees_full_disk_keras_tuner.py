"""README: "A full disk is not a trial's failure. The search ends with one line naming the
disk's mount point (exit 1), nothing is recorded against the running trial, and `tunedeck
resume` trains it once there is room (Keras Tuner and scikit-learn alike)."
tests/engine/test_full_disk.py fills the disk at the journal's writes; here it fills at Keras
Tuner's own: its trial and oracle state files (written through `compat.save_json_atomically`),
a trial's best-weights checkpoint (`checkpoint: true`) and best_model.keras. The disk fills once the
second trial has trained an epoch (best_model.keras: from the start) and stays full until the
resume; the OSError raised is the one a full disk gives (errno 28, checked on a tmpfs for
h5py's weights and Keras's .keras writer). Guards `engine.backends.environment` telling the
disk's error apart wherever Keras Tuner or Keras raise it from."""

from __future__ import annotations

import errno
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from engine.backends.environment import mount_point
from engine.backends.keras_tuner import compat as kt_compat
from engine.run import events as ev
from engine.run.journal import JournalWriter, read_run
from engine.run.kept import load_results
from engine.run.states import RunState, TrialStatus
from tests.engine.cli_helpers import isolated_cli, tunedeck  # noqa: F401 - fixture

pytestmark = [pytest.mark.usefixtures("isolated_cli"), pytest.mark.timeout(600), pytest.mark.slow]
SPACE = """training: {batch_size: [32, 64], epochs: 2}
architecture: {nodes: [8, 16]}
checkpoint: true
"""
ARGS = [
    "--backend",
    "keras-tuner",
    "--algorithm",
    "grid",
    "--max-trials",
    "3",
    "--epochs",
    "2",
    "--subsample",
    "150",
    "--quiet",
]


class Disk:
    """Full from `full` on: every write that `hits` a path raises ENOSPC (only the first, when
    `once`: a disk that was full for a moment)."""

    def __init__(self, hits: Callable[[str], bool], full: bool = False, once: bool = False) -> None:
        self.hits, self.full, self.once = hits, full, once
        self.refused: list[str] = []

    def refuse(self, path: Any) -> None:
        if self.full and self.hits(str(path)) and not (self.once and self.refused):
            self.refused.append(str(path))
            raise OSError(errno.ENOSPC, "No space left on device", str(path))


def _fill_during_the_second_trial(disk: Disk, patch: pytest.MonkeyPatch) -> None:
    write = JournalWriter.__call__
    trained: set[str] = set()

    def journal(self: JournalWriter, event: ev.Event) -> None:
        write(self, event)
        if isinstance(event, ev.EpochEnded):
            trained.add(event.trial_id)
            disk.full = disk.full or len(trained) == 2

    patch.setattr(JournalWriter, "__call__", journal)


def _state_files(name: str, once: bool = False) -> Callable[[Disk, pytest.MonkeyPatch], None]:
    def inject(disk: Disk, patch: pytest.MonkeyPatch) -> None:
        disk.once = once
        write_text = kt_compat.write_text  # Keras Tuner's JSON state goes through it

        def save(path: Any, text: str) -> None:
            disk.refuse(path)
            write_text(path, text)

        disk.hits = lambda path: path.endswith(name)
        patch.setattr(kt_compat, "write_text", save)
        _fill_during_the_second_trial(disk, patch)

    return inject


def _keras_writer(
    method: str, part: str, at_start: bool
) -> Callable[[Disk, pytest.MonkeyPatch], None]:
    def inject(disk: Disk, patch: pytest.MonkeyPatch) -> None:
        import keras

        original = getattr(keras.Model, method)

        def save(self: Any, filepath: Any, *args: Any, **kwargs: Any) -> Any:
            disk.refuse(filepath)
            return original(self, filepath, *args, **kwargs)

        disk.hits = lambda path: part in path
        disk.full = at_start
        patch.setattr(keras.Model, method, save)
        if not at_start:
            _fill_during_the_second_trial(disk, patch)

    return inject


WRITES = {
    "trial.json": _state_files("trial.json"),
    # Keras Tuner itself catches what its oracle's `update_trial` raises and records the trial
    # failed in its own state: a disk full only for that write must end the search too
    "trial.json once": _state_files("trial.json", once=True),
    "oracle.json": _state_files("oracle.json"),
    "checkpoint": _keras_writer("save_weights", "/trials/", at_start=False),
    "best_model.keras": _keras_writer("save", "best_model", at_start=True),
}


@pytest.mark.parametrize("where", sorted(WRITES))
def test_keras_tuners_own_writes_on_a_full_disk_end_the_search_and_resume_finishes(
    where: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "space.yaml").write_text(SPACE)
    run = tmp_path / "run"
    disk = Disk(lambda path: False)
    with pytest.MonkeyPatch.context() as patch:
        WRITES[where](disk, patch)
        code, _, err = tunedeck(
            capsys, "run", str(tmp_path / "space.yaml"), *ARGS, "--run-dir", str(run)
        )
    assert disk.refused, f"no write to {where} was refused: the test proves nothing"
    assert code == 1, err
    assert "Traceback" not in err and err.count("\n") == 1, err
    assert err.startswith(
        f"tunedeck: search failed: no space left on the disk mounted at {mount_point(run)} "
    ), err
    before = load_results(run)
    assert before.state == RunState.RUNNING  # neither failed nor finished: resumable
    assert not [
        t
        for t in before.trials.values()
        if t.status != TrialStatus.COMPLETED and t.status != TrialStatus.RUNNING
    ]

    code, _, err = tunedeck(capsys, "resume", str(run), "--quiet")
    assert code == 0, err
    results = load_results(run)
    assert results.state == RunState.FINISHED and (run / "best_model.keras").is_file()
    assert [t.status for t in results.trials.values()] == [TrialStatus.COMPLETED] * 3, [
        (t.status, t.reason) for t in results.trials.values()
    ]
    completed = [
        e.trial_id
        for e in read_run(run)
        if isinstance(e, ev.TrialEnded) and e.status == TrialStatus.COMPLETED
    ]
    assert sorted(completed) == sorted(results.trials), "a trial completed twice"
    for trial_id in results.trials:  # Keras Tuner's own state agrees: the oracle reloads it
        kept = json.loads(
            (run / "state" / "keras_tuner" / f"trial_{trial_id}" / "trial.json").read_text()
        )
        assert kept["status"] == "COMPLETED", (trial_id, kept["status"], kept.get("message"))

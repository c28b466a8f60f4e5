"""Run directories whose journal is not a journal: a directory or a FIFO by its name, or lines
whose fields have the wrong types. Never a hang, never a traceback: resume refuses a journal
it cannot append to with one line, skips foreign lines like torn ones, and `ls` lists the run."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from engine.run.kept import load_results
from engine.run.rundir import JOURNAL
from engine.run.states import RunState, TrialStatus
from tests.engine.cli_helpers import isolated_cli, tunedeck  # noqa: F401 - fixture
from tests.engine.corpus import assert_one_line_error, finished_run, snapshot

pytestmark = [pytest.mark.usefixtures("isolated_cli"), pytest.mark.timeout(60)]


def _plant(path: Path, kind: str) -> None:
    """A directory (with something of the user's in it) or a FIFO where a journal goes."""
    path.unlink(missing_ok=True)
    if kind == "directory":
        path.mkdir()
        (path / "inside").write_text("mine\n")
    else:
        os.mkfifo(path)


@pytest.mark.parametrize("kind", ["directory", "fifo"])
@pytest.mark.parametrize("worker", [False, True])
def test_a_journal_that_is_not_a_file_is_refused_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str, worker: bool
) -> None:
    run = finished_run(tmp_path / "run").path
    if worker:  # a worker's journal: read, never written by the resume
        os.rename(run / JOURNAL, run / "events-tuner0.jsonl")
        (run / JOURNAL).write_text("")
        _plant(run / "events-tuner1.jsonl", kind)
    else:
        _plant(run / JOURNAL, kind)
    code, out, err = tunedeck(capsys, "ls", str(tmp_path))
    assert code == 0 and "Traceback" not in err and str(run) in out
    before = snapshot(tmp_path)
    code, out, err = tunedeck(capsys, "resume", str(run))
    if worker:
        assert code == 0, err  # the worker's readable journal holds the finished run
    else:
        assert_one_line_error(code, out, err, [str(run / JOURNAL), "not a regular file"])
        assert snapshot(tmp_path) == before


WRONG = [
    ("trial_id", 5),
    ("trial_id", None),
    ("status", 3),
    ("score", "high"),
    ("score", [1]),
    ("duration", {}),
    ("reason", 7),
    ("fold_scores", "x"),
    ("time", "noon"),
    ("worker", []),
]


@pytest.mark.parametrize(("field", "value"), WRONG, ids=[f"{f}={v!r}" for f, v in WRONG])
def test_journal_lines_with_wrong_field_types_are_foreign_and_the_trial_runs_again(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], field: str, value: object
) -> None:
    run = finished_run(tmp_path / "run").path
    lines = (run / JOURNAL).read_text().splitlines()
    index = next(i for i, line in enumerate(lines) if '"trial_ended"' in line)
    record = json.loads(lines[index])
    record[field] = value
    lines[index] = json.dumps(record)
    (run / JOURNAL).write_text("\n".join(lines) + "\n")
    code, out, err = tunedeck(capsys, "ls", str(tmp_path))
    assert code == 0 and "Traceback" not in err
    code, out, err = tunedeck(capsys, "resume", str(run), "--quiet")
    assert code == 0, err
    results = load_results(run)
    assert results.state == RunState.FINISHED
    assert [t.status for t in results.trials.values()] == [TrialStatus.COMPLETED] * 2


@pytest.mark.parametrize("name", ["started", "epoch"])
def test_wrong_types_in_other_events_are_skipped_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    run = finished_run(tmp_path / "run").path
    kind, field, value = {
        "started": ("trial_started", "hyperparameters", [1, 2]),
        "epoch": ("epoch_ended", "logs", "fast"),
    }[name]
    text = "\n".join(
        json.dumps({**json.loads(line), field: value}) if f'"{kind}"' in line else line
        for line in (run / JOURNAL).read_text().splitlines()
    )
    (run / JOURNAL).write_text(text + "\n")
    code, out, err = tunedeck(capsys, "resume", str(run), "--quiet")
    assert code == 0, err
    assert load_results(run).state == RunState.FINISHED

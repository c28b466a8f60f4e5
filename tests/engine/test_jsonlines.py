"""The one way JSON lines are appended and read (the journal, the fold cache, seeds.jsonl): a
record after a killed writer's torn line, or after a write a full disk cut short, stands on
its own line, reading keeps every whole record and skips the rest, and the journal fsyncs
only where it promises to."""

from __future__ import annotations

import errno
import multiprocessing
import os
from pathlib import Path

import pytest

from engine.run import events as ev
from engine.run import jsonlines
from engine.run.journal import JournalWriter, read_journal


def test_a_record_after_a_torn_line_is_whole_and_the_torn_one_skipped(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    jsonlines.append(path, {"key": "a", "n": 1})
    with open(path, "a") as handle:
        handle.write('{"key": "b", "n"')  # a writer killed mid-line
    jsonlines.append(path, {"key": "c", "n": 3})
    path.write_text(path.read_text() + "[1, 2]\nnot json\n")
    assert list(jsonlines.records(path)) == [{"key": "a", "n": 1}, {"key": "c", "n": 3}]
    assert list(jsonlines.records(tmp_path / "missing.jsonl")) == []


def _append_many(path: str, worker: int) -> None:
    for i in range(200):
        jsonlines.append(path, {"worker": worker, "i": i, "pad": "x" * 300})


def test_appends_from_several_processes_never_interleave(tmp_path: Path) -> None:
    path = tmp_path / "shared.jsonl"
    workers = [multiprocessing.Process(target=_append_many, args=(str(path), w)) for w in range(3)]
    for process in workers:
        process.start()
    for process in workers:
        process.join(60)
    got = list(jsonlines.records(path))
    lines = [line for line in path.read_text().splitlines() if line]  # an empty one is harmless
    assert len(got) == 600 and len(lines) == 600
    for w in range(3):
        assert [r["i"] for r in got if r["worker"] == w] == list(range(200))


def test_a_write_a_full_disk_cut_short_leaves_the_next_record_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A disk full in the middle of a line (the journal's writer goes on holding the file):
    the part written is a torn line, skipped, and the next record starts a line of its own."""
    path = tmp_path / "events.jsonl"
    out = jsonlines.Appender(path)
    out.write(jsonlines.line_of({"n": 1}), sync=False)
    real_write = os.write

    def half_then_full(fd: int, data: bytes) -> int:
        if fd != out.fd or len(data) < 4:
            return real_write(fd, data)
        real_write(fd, bytes(data[: len(data) // 2]))
        raise OSError(errno.ENOSPC, "No space left on device")

    with monkeypatch.context() as patch:
        patch.setattr(os, "write", half_then_full)
        with pytest.raises(OSError):
            out.write(jsonlines.line_of({"n": 2, "pad": "x" * 40}), sync=False)
    out.write(jsonlines.line_of({"n": 3}))
    out.close()
    assert list(jsonlines.records(path)) == [{"n": 1}, {"n": 3}]


def test_the_journal_fsyncs_at_trial_and_search_boundaries_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced: list[str] = []
    writer = JournalWriter(tmp_path / "events.jsonl")
    real_fsync = os.fsync
    events = [
        ev.SearchStarted(space={}, backend="fake", algorithm="grid", planned_trials=1),
        ev.TrialStarted(trial_id="0", number=1, hyperparameters={}),
        ev.EpochEnded(trial_id="0", epoch=1, logs={"loss": 1.0}),
        ev.TrialEnded(trial_id="0", status="completed", score=0.5, duration=1.0),
        ev.SearchFinished(best_trial_id="0", best_score=0.5),
    ]
    for event in events:
        monkeypatch.setattr(
            os, "fsync", lambda fd, t=event.type: (synced.append(t), real_fsync(fd))
        )
        writer(event)
    writer.close()
    assert synced == ["search_started", "trial_ended", "search_finished", "search_finished"]
    assert [e.type for e in read_journal(tmp_path / "events.jsonl")] == [e.type for e in events]

"""The one way JSON lines are appended and read: a record after a killed writer's torn line
stands on its own line, and reading keeps every whole record and skips the rest."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

from engine.run import jsonlines


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

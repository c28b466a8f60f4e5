"""Journal writing on `engine.run.jsonlines`: is it as fast as the buffered file it replaced?

Side by side, interleaved, into fresh files in one folder (same file system):

- before: the journal's previous writer, a held-open text file, `write` then `flush` per event
  and fsync at trial and search boundaries (kept here only as the baseline);
- now: `engine.run.journal.JournalWriter`, one whole-line `os.write` on `jsonlines.Appender`,
  with the same fsync policy.

Workloads: epochs only (no fsync: the bulk of a journal), whole trials (20 epochs and an
fsynced `trial_ended` each), and the file layer alone (the same epoch lines, serialised ahead:
an event's `to_json` costs far more than its write and hides the difference). Also reading:
`jsonlines.records` (one JSON array per block) against one `json.loads` per line, as the fold
cache and seeds.jsonl were read before. Times are the process's CPU seconds (a busy box's
waits left out; both contenders fsync the same records), each row the fastest of the repeats
(median in brackets), ratios now / before last (below 1: faster now).
Usage: `.venv/bin/python bench/journal_write.py [--repeats 7] [--dir /tmp]`.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, stamp, table  # noqa: E402

sys.path.insert(0, str(ROOT))
from engine.run import events as ev  # noqa: E402
from engine.run import jsonlines  # noqa: E402
from engine.run.journal import DURABLE, JournalWriter  # noqa: E402

LOGS = {"loss": 0.4123, "accuracy": 0.8812, "val_loss": 0.5012, "val_accuracy": 0.8534}


def epochs(count: int) -> list[ev.Event]:
    return [
        ev.EpochEnded(trial_id="007", epoch=i + 1, logs=LOGS, epochs=count) for i in range(count)
    ]


def trials(count: int, per_trial: int = 20) -> list[ev.Event]:
    out: list[ev.Event] = []
    for t in range(count):
        tid = f"{t:03d}"
        out.append(ev.TrialStarted(trial_id=tid, number=t + 1, hyperparameters={"units": 32}))
        out += [ev.EpochEnded(trial_id=tid, epoch=e + 1, logs=LOGS) for e in range(per_trial)]
        out.append(ev.TrialEnded(trial_id=tid, status="completed", score=0.85, duration=1.0))
    return out


class Before:
    """The journal's previous writer: a buffered text file, flushed per event."""

    def __init__(self, path: Path) -> None:
        self._handle = open(path, "a", encoding="utf-8")  # noqa: SIM115 - closed below

    def __call__(self, event: ev.Event) -> None:
        self._handle.write(event.to_json() + "\n")
        self._handle.flush()
        if event.type in DURABLE:
            os.fsync(self._handle.fileno())

    def close(self) -> None:
        self._handle.flush()
        os.fsync(self._handle.fileno())
        self._handle.close()


class Serialised(ev.EpochEnded):
    """An event whose line is made ahead, so that only the file layer is timed."""

    def to_json(self) -> str:
        return LINE


LINE = epochs(1)[0].to_json()


def time_writer(make: Callable[[Path], object], path: Path, events: list[ev.Event]) -> float:
    path.unlink(missing_ok=True)
    writer: object = make(path)
    start = time.process_time()
    for event in events:
        writer(event)  # type: ignore[operator]
    writer.close()  # type: ignore[attr-defined]
    return time.process_time() - start


def cell(values: list[float]) -> str:
    return f"{min(values):.4f} ({statistics.median(values):.4f})"


def per_line(path: Path) -> Iterable[dict]:
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict):
            yield record


def time_read(read: Callable[[Path], Iterable[dict]], path: Path) -> float:
    start = time.process_time()
    count = sum(1 for _ in read(path))
    assert count > 0
    return time.process_time() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--dir", default=None, help="folder for the files (default: a temp one)")
    args = parser.parse_args()
    workloads = {
        "epochs only, 20k events": epochs(20_000),
        "trials, 200 × 22 events": trials(200),
        "file layer, 20k lines": [Serialised(trial_id="007", epoch=1, logs={})] * 20_000,
    }
    with tempfile.TemporaryDirectory(dir=args.dir) as folder:
        path = Path(folder) / "events.jsonl"
        rows: list[tuple[str, ...]] = [("workload", "before: CPU s", "now: CPU s", "now / before")]
        ratios = []
        for name, events in workloads.items():
            seen: dict[str, list[float]] = {"before": [], "now": []}
            for _ in range(args.repeats):  # interleaved: the box's noise hits both alike
                seen["before"].append(time_writer(Before, path, events))
                seen["now"].append(time_writer(JournalWriter, path, events))
            ratio = min(seen["now"]) / min(seen["before"])
            ratios.append(ratio)
            rows.append((name, cell(seen["before"]), cell(seen["now"]), f"{ratio:.2f}×"))
        time_writer(JournalWriter, path, workloads["epochs only, 20k events"])  # to read back
        reads: dict[str, list[float]] = {"before": [], "now": []}
        for _ in range(args.repeats):
            reads["before"].append(time_read(per_line, path))
            reads["now"].append(time_read(jsonlines.records, path))
        ratio = min(reads["now"]) / min(reads["before"])
        rows.append(
            ("read 20k records", cell(reads["before"]), cell(reads["now"]), f"{ratio:.2f}×")
        )
    print(f"journal writing, {args.repeats} repeats each, {stamp()} (folder: {folder})")
    print(table(rows))
    print(f"writing now / before: {', '.join(f'{r:.2f}×' for r in ratios)} (target ≤ 1.05×)")


if __name__ == "__main__":
    main()

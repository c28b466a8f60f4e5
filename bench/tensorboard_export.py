"""`export --format tensorboard`: our writer (tensorboard's record framing and protobuf builders)
against the same events written through tensorboard's `EventFileWriter`, whose `tf.io.gfile`
imports TensorFlow when it is installed. Each side runs in a fresh interpreter on one fake run
of 20 trials; prints the seconds and the ratio.

    python bench/tensorboard_export.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import ENV, PYTHON, ROOT, spread, stamp, table

OURS = """
import sys
from pathlib import Path
from engine.export.tensorboard import write_logdir
from engine.run.kept import load_results
write_logdir(load_results(Path(sys.argv[1])), Path(sys.argv[2]))
"""
THEIRS = """
import sys
from pathlib import Path
import engine.export.tensorboard as tb
from engine.run.kept import load_results

class Writer:  # tensorboard's own file writer, through tf.io.gfile
    def __init__(self, folder):
        from tensorboard.summary.writer.event_file_writer import EventFileWriter
        self.w = EventFileWriter(str(folder))
    def add(self, summary, step, wall_time):
        from tensorboard.compat.proto.event_pb2 import Event
        self.w.add_event(Event(summary=summary, step=step, wall_time=wall_time))
    def __enter__(self):
        return self
    def __exit__(self, *exc):
        self.w.close()

tb._Writer = Writer
tb.write_logdir(load_results(Path(sys.argv[1])), Path(sys.argv[2]))
"""


def timed(code: str, run: Path, out: Path) -> float:
    start = time.perf_counter()
    subprocess.run(
        [PYTHON, "-c", code, str(run), str(out)], env=ENV, cwd=ROOT, check=True, capture_output=True
    )
    return time.perf_counter() - start


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        run = Path(tmp) / "run"
        subprocess.run(
            [
                PYTHON,
                "-m",
                "engine",
                "run",
                "--backend",
                "fake",
                "--max-trials",
                "20",
                "--epochs",
                "5",
                "--run-dir",
                str(run),
                "--quiet",
            ],
            check=True,
            env={**ENV, "TUNEDECK_FAKE_DELAY": "0", "TUNEDECK_ESTIMATE": "0"},
        )
        ours = [timed(OURS, run, Path(tmp) / f"a{i}") for i in range(3)]
        theirs = [timed(THEIRS, run, Path(tmp) / f"b{i}") for i in range(3)]
    ratio = min(theirs) / min(ours)
    print(f"tensorboard export of 20 trials × 5 epochs, {stamp()}")
    print(
        table(
            [
                ("writer", "seconds"),
                ("ours (no TensorFlow)", spread(ours)),
                ("EventFileWriter (tf.io.gfile)", spread(theirs)),
            ]
        )
    )
    print(f"EventFileWriter / ours: {ratio:.1f}x")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    main()

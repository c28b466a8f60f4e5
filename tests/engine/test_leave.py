"""Engine processes end without the interpreter's teardown, yet keep every exit promise: exit
handlers run, output is flushed, the status is `sys.exit`'s, and a working thread is waited for."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run(body: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    script = textwrap.dedent(
        f"""
        import atexit, sys, threading, time
        from pathlib import Path
        from engine.system.leave import leave
        out = Path({str(tmp_path)!r})

        class Teardown:
            def __init__(self, path):
                import os  # what __del__ needs, bound here: modules are half gone by then

                self.path, self.os, self.flags = path, os, os.O_WRONLY | os.O_CREAT

            def __del__(self):  # runs only when the interpreter finalises its modules
                self.os.write(self.os.open(self.path, self.flags), b"ran")

        kept = Teardown(str(out / "teardown"))
        atexit.register(lambda: (out / "atexit").write_text("ran"))
        sys.stdout.write("unflushed")
        """
    ) + textwrap.dedent(body)
    return subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize(("code", "status"), [(0, 0), (2, 2), (130, 130), (None, 0)])
def test_handlers_run_output_flushes_and_teardown_is_skipped(
    tmp_path: Path, code: int | None, status: int
) -> None:
    done = run(f"leave({code!r})", tmp_path)
    assert done.returncode == status
    assert done.stdout == "unflushed"
    assert (tmp_path / "atexit").read_text() == "ran"
    assert not (tmp_path / "teardown").exists()


def test_a_message_is_printed_and_exits_1_as_sys_exit_would(tmp_path: Path) -> None:
    done = run("leave('tunedeck: gone')", tmp_path)
    assert (done.returncode, done.stderr.strip()) == (1, "tunedeck: gone")


def test_a_working_thread_is_waited_for(tmp_path: Path) -> None:
    done = run(
        """
        def work():
            time.sleep(0.5)
            (out / "thread").write_text("finished")

        threading.Thread(target=work).start()
        leave(3)
        """,
        tmp_path,
    )
    assert done.returncode == 3
    assert (tmp_path / "thread").read_text() == "finished"
    assert (tmp_path / "atexit").read_text() == "ran"


def test_a_profiler_still_writes_its_figures(tmp_path: Path) -> None:
    """`python -m cProfile -o FILE -m engine …` works: cProfile writes at teardown."""
    script = tmp_path / "ends.py"
    script.write_text("from engine.system.leave import leave\nleave(4)\n")
    figures = tmp_path / "figures.prof"
    done = subprocess.run(
        [sys.executable, "-m", "cProfile", "-o", str(figures), str(script)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr  # cProfile swallows SystemExit
    assert figures.stat().st_size > 0

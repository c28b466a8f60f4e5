"""Startup: launch of the real `tunedeck` binary to its first full paint, in a pseudo-terminal.

Each run starts `tunedeck` on the slave side of a fresh pty (80×24, TERM=xterm-256color) and
reads the master until both the tree ("batch_size") and the side panel ("Backend") have been
written; the time is taken when the read that completed them returns. Reading the pty directly
is more precise than polling `tmux capture-pane` (each poll forks a tmux client, a few ms, and
tmux adds its own parse and redraw): here the clock stops within one `select` wake-up of
Textual's write. The reference, run interleaved so machine noise hits both alike, is the bare
`python -c "import textual.app"` (the floor of any Textual console). Prints the medians, the
heaviest imports the console adds to Textual's own, and the ratio and target last.

Beside each time, the CPU seconds the console had used when its paint was read (from /proc):
on a busy machine the wall time mostly measures the scheduler, the CPU time what the console
costs.

`--baseline DIR` adds another checkout of tunedeck (a `git archive` of an earlier commit, say)
as a third contender, interleaved the same way: the ratio of this tree's time to its time is
the change, whatever the machine's load.

`PtyConsole` is also used by latency.py and bandwidth.py.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import os
import re
import resource
import select
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ENV, PYTHON, ROOT, spread, stamp, table  # noqa: E402

BINARY = str(Path(PYTHON).with_name("tunedeck"))
MARKERS = (b"batch_size", b"Backend")  # the tree and the side panel of the editor
TARGET_SECONDS = 0.5


class PtyConsole:
    """One process on the slave side of a pty of a fixed size; the master is read by us.

    Everything the process writes is kept with the time it was read, so a caller can count
    bytes (bandwidth.py), wait for a marker (startup), or time the answer to a key (latency.py).
    """

    def __init__(
        self,
        argv: list[str],
        *,
        cwd: str | Path,
        env: dict[str, str] | None = None,
        size: tuple[int, int] = (80, 24),
    ) -> None:
        self.argv = argv
        self.cwd = cwd
        self.env = {**ENV, "TERM": "xterm-256color", **(env or {})}
        for name in ("COLUMNS", "LINES", "NO_COLOR", "TEXTUAL"):
            self.env.pop(name, None)
        self.size = size
        self.master = -1
        self.proc: subprocess.Popen | None = None
        self.launched = 0.0
        self.chunks: list[tuple[float, int]] = []  # (perf_counter when read, bytes)
        self.buffer = bytearray()  # output since the last `mark()`

    def start(self) -> float:
        """Spawn the process; returns the perf_counter of the launch."""
        master, slave = os.openpty()
        cols, rows = self.size
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        self.master = master
        self.launched = time.perf_counter()
        self.proc = subprocess.Popen(
            self.argv,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            cwd=self.cwd,
            env=self.env,
            start_new_session=True,
            close_fds=True,
        )
        os.close(slave)
        return self.launched

    def read(self, timeout: float) -> int:
        """Read what is there (waiting at most `timeout` for the first byte); bytes read."""
        ready, _, _ = select.select([self.master], [], [], max(timeout, 0))
        if not ready:
            return 0
        try:
            data = os.read(self.master, 1 << 16)
        except OSError:  # EIO: the process closed the terminal
            return 0
        self.chunks.append((time.perf_counter(), len(data)))
        self.buffer += data
        return len(data)

    def mark(self) -> None:
        """Forget the output so far (markers are then looked for in what follows)."""
        self.buffer.clear()

    def wait_for(self, *markers: bytes, timeout: float = 30.0) -> float:
        """perf_counter of the read that completed every marker (in the output since `mark`)."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if self.read(0.5) and all(m in self.buffer for m in markers):
                return self.chunks[-1][0]
            if self.proc is not None and self.proc.poll() is not None and not self.read(0):
                break
        tail = re.sub(rb"\x1b\[[0-9;?]*[A-Za-z]", b"", bytes(self.buffer[-1500:]))
        raise RuntimeError(f"{markers} not written within {timeout}s; output ends {tail!r}")

    def drain(self, seconds: float) -> int:
        """Keep reading for `seconds`; bytes read."""
        end = time.perf_counter() + seconds
        total = 0
        while (left := end - time.perf_counter()) > 0:
            total += self.read(left)
        return total

    def send(self, data: bytes) -> float:
        """Type `data`; returns the perf_counter just before the write."""
        now = time.perf_counter()
        os.write(self.master, data)
        return now

    def close(self, quit_key: bytes = b"q") -> None:
        """Quit politely (the key), then by signal; reads on so the process never blocks."""
        proc = self.proc
        if proc is not None and proc.poll() is None:
            with contextlib.suppress(OSError):
                self.send(quit_key)
            end = time.perf_counter() + 5
            while proc.poll() is None and time.perf_counter() < end:
                self.read(0.05)
            for sig in (signal.SIGTERM, signal.SIGKILL):
                if proc.poll() is None:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(proc.pid, sig)
                    with contextlib.suppress(subprocess.TimeoutExpired):
                        proc.wait(timeout=3)
        if self.master >= 0:
            os.close(self.master)
            self.master = -1


def console_startup(cwd: str, root: Path = ROOT) -> tuple[float, float]:
    """(seconds from launching `tunedeck`, the checkout at `root`, to the editor's tree and
    side panel on screen; CPU seconds the console had used by then)."""
    console = PtyConsole([BINARY], cwd=cwd, env={"PYTHONPATH": str(root)})
    start = console.start()
    try:
        painted = console.wait_for(*MARKERS) - start
        assert console.proc is not None
        return painted, cpu_seconds(console.proc.pid)
    finally:
        console.close()


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a live process (its threads included), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def textual_import() -> tuple[float, float]:
    """(seconds to start an interpreter that imports textual.app and exit; its CPU seconds)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([PYTHON, "-c", "import textual.app"], env=ENV, check=True, cwd=ROOT)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def import_tree(code: str) -> list[tuple[str, int, str | None]]:
    """(module, cumulative µs, importing module) from `python -X importtime -c code`."""
    out = subprocess.run(
        [PYTHON, "-X", "importtime", "-c", code],
        env=ENV,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    rows: list[tuple[str, int, int]] = []
    for line in out.stderr.splitlines():
        parts = line.split("|")
        if len(parts) == 3 and parts[1].strip().isdigit():
            name = parts[2].rstrip()
            rows.append((name.strip(), int(parts[1]), (len(name) - len(name.lstrip())) // 2))
    tree: list[tuple[str, int, str | None]] = []
    stack: list[tuple[str, int]] = []  # children are printed before their parent
    for name, micros, depth in reversed(rows):
        while stack and stack[-1][1] >= depth:
            stack.pop()
        tree.append((name, micros, stack[-1][0] if stack else None))
        stack.append((name, depth))
    return tree


def heavy_imports(top: int = 10) -> list[tuple[str, ...]]:
    """The costliest packages the console pulls in beyond `import textual.app`, by entry point.

    Only where a package is entered is shown (numpy under engine.data.datasets, not numpy.lib under
    numpy), so each row says which of our modules to make lazy.
    """
    textual_only = {name for name, _, _ in import_tree("import textual.app")}
    entries = [
        (micros, name, parent or "-")
        for name, micros, parent in import_tree("import tui.cli, engine.cli, tui.launch, tui.app")
        if name not in textual_only
        and (parent is None or name.split(".")[0] != parent.split(".")[0] or depth_one(name))
    ]
    entries.sort(reverse=True)
    rows = [("module (beyond textual.app)", "cumulative ms", "imported by")]
    rows += [(name, f"{micros / 1000:.1f}", parent) for micros, name, parent in entries[:top]]
    return rows


def depth_one(name: str) -> bool:
    """Our screens and widgets are worth a row of their own."""
    return name.startswith(("tui.screens.", "tui.widgets."))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repeats", nargs="?", type=int, default=9)
    parser.add_argument("--baseline", type=Path, help="another checkout, timed side by side")
    args = parser.parse_args()
    repeats = args.repeats
    reference = "python -c 'import textual.app'"
    contenders: dict[str, Callable[[str], tuple[float, float]]] = {
        "tunedeck": console_startup,
        reference: lambda _cwd: textual_import(),
    }
    if args.baseline is not None:
        root = args.baseline.resolve()
        contenders["tunedeck (baseline)"] = lambda cwd: console_startup(cwd, root)
    times: dict[str, list[float]] = {name: [] for name in contenders}
    cpu: dict[str, list[float]] = {name: [] for name in contenders}
    with tempfile.TemporaryDirectory() as cwd:
        for measure in contenders.values():  # warm the page cache for all; not counted
            measure(cwd)
        for i in range(repeats):  # interleaved, rotating which goes first
            order = list(contenders.items())
            order = order[i % len(order) :] + order[: i % len(order)]
            for name, measure in order:
                wall, used = measure(cwd)
                times[name].append(wall)
                cpu[name].append(used)
            print(
                f"run {i + 1}: " + "  ".join(f"{n} {v[-1]:.3f}" for n, v in times.items()),
                flush=True,
            )
    med = {name: statistics.median(v) for name, v in times.items()}
    med_cpu = {name: statistics.median(v) for name, v in cpu.items()}
    ref = med[reference]
    print(f"\nstartup to first full paint (80×24 pty), {stamp()}, {repeats} runs each")
    rows = [("contender", "seconds to paint", "CPU seconds by then")]
    rows += [(n, spread(v), spread(cpu[n])) for n, v in times.items()]
    print(table(rows))
    print()
    print(table(heavy_imports()))
    print("\nratios (wall; CPU, which a busy machine distorts less)")
    print(
        f"tunedeck / import textual.app   {med['tunedeck'] / ref:.2f}; "
        f"{med_cpu['tunedeck'] / med_cpu[reference]:.2f}"
    )
    if "tunedeck (baseline)" in med:
        base, base_cpu = med["tunedeck (baseline)"], med_cpu["tunedeck (baseline)"]
        print(
            f"baseline / import textual.app   {base / ref:.2f}; {base_cpu / med_cpu[reference]:.2f}"
        )
        print(
            f"tunedeck / baseline             {med['tunedeck'] / base:.2f}; {med_cpu['tunedeck'] / base_cpu:.2f}"
        )
    verdict = "met" if med["tunedeck"] <= TARGET_SECONDS else "MISSED"
    print(
        f"tunedeck median                  {med['tunedeck']:.3f} s  "
        f"(target <= {TARGET_SECONDS} s: {verdict})"
    )


if __name__ == "__main__":
    main()

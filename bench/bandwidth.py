"""Bandwidth: bytes per second the console writes to its terminal (what an SSH link carries).

The real `tunedeck` binary runs in an 80×24 pty (TERM=xterm-256color) and every byte it writes
is counted from the master side, over the same window for each of (side by side):

- editor, idle: `tunedeck` on the space editor, no search;
- monitor, finished run: `tunedeck attach` to a search that has ended;
- monitor, long trials: `tunedeck attach` to a fake search (`--backend fake`, epochs of
  TUNEDECK_FAKE_DELAY seconds, i.e. 1/delay table updates a second) of as many trials as the
  table shows at 80×24, each longer than the window / 9;
- monitor, short trials: the same with 5-epoch trials, so a new row (and a finished one) every
  few tenths of a second.

"Current within a second" is checked on the long-trial run, where every trial has a row on
screen: the output is replayed through a minimal terminal (cursor moves and text; colours
ignored), and for each epoch in the journal the time until its row shows that epoch (or a later
one) is its staleness. Prints bytes/s, staleness, and the targets last.
"""

from __future__ import annotations

import codecs
import re
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ENV, PYTHON, ROOT, epochs_in_journal, stamp, table  # noqa: E402
from startup import BINARY, MARKERS, PtyConsole  # noqa: E402

TARGET_BYTES = 8 * 1024
TARGET_STALE = 1.0
TRIALS = 9  # rows the monitor's table shows at 80×24, so every epoch can be seen
CSI = re.compile(rb"\x1b\[([0-9;?<=>$ ]*)([@-~])")
ROW = re.compile(r"(\d{3}) +(?:running|completed|failed|stopped) +(\d+)/\d+")


class Screen:
    """Just enough of a terminal to read Textual's output back: absolute moves and text."""

    def __init__(self, cols: int = 80, rows: int = 24) -> None:
        self.cols, self.rows = cols, rows
        self.grid = [[" "] * cols for _ in range(rows)]
        self.row = self.col = 0
        self.decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self.pending = b""

    def feed(self, data: bytes) -> None:
        data = self.pending + data
        self.pending = b""
        i = 0
        while i < len(data):
            esc = data.find(b"\x1b", i)
            if esc < 0:
                self._text(data[i:])
                return
            self._text(data[i:esc])
            i = self._escape(data, esc)
            if i < 0:  # an escape sequence cut by the read: finish it next time
                self.pending = data[esc:]
                return

    def _escape(self, data: bytes, at: int) -> int:
        """Apply the escape sequence at `at`; the index after it, or -1 if it is incomplete."""
        if at + 1 >= len(data):
            return -1
        kind = data[at + 1 : at + 2]
        if kind == b"[":
            match = CSI.match(data, at)
            if match is None:
                return -1 if len(data) - at < 32 else at + 2
            self._csi(match.group(1).decode(), match.group(2).decode())
            return match.end()
        if kind in (b"]", b"P", b"_"):  # OSC, DCS, APC: up to BEL or ST
            ends = [e for e in (data.find(b"\x07", at), data.find(b"\x1b\\", at)) if e >= 0]
            if not ends:
                return -1
            end = min(ends)
            return end + (1 if data[end : end + 1] == b"\x07" else 2)
        return at + 2

    def _csi(self, params: str, final: str) -> None:
        numbers = [int(p) if p.isdigit() else 0 for p in params.split(";")] if params else []
        first = numbers[0] if numbers and numbers[0] else 1
        if final in "Hf":
            row = numbers[0] if numbers and numbers[0] else 1
            col = numbers[1] if len(numbers) > 1 and numbers[1] else 1
            self.row, self.col = min(row, self.rows) - 1, min(col, self.cols) - 1
        elif final == "A":
            self.row = max(self.row - first, 0)
        elif final == "B":
            self.row = min(self.row + first, self.rows - 1)
        elif final == "C":
            self.col = min(self.col + first, self.cols - 1)
        elif final == "D":
            self.col = max(self.col - first, 0)
        elif final == "G":
            self.col = min(first, self.cols) - 1
        elif final == "J" and params in ("2", "3"):
            self.grid = [[" "] * self.cols for _ in range(self.rows)]
        elif final == "K":
            self.grid[self.row][self.col :] = [" "] * (self.cols - self.col)

    def _text(self, data: bytes) -> None:
        for char in self.decoder.decode(data):
            if char == "\r":
                self.col = 0
            elif char == "\n":
                self.row = min(self.row + 1, self.rows - 1)
            elif char >= " ":
                if self.col < self.cols:
                    self.grid[self.row][self.col] = char
                wide = unicodedata.east_asian_width(char) in "WF"
                self.col = min(self.col + (2 if wide else 1), self.cols)

    def text(self) -> str:
        return "\n".join("".join(line) for line in self.grid)


def epochs_shown(screen: Screen) -> dict[str, int]:
    """trial id -> the epoch its row in the trials table shows."""
    return {m.group(1): int(m.group(2)) for m in ROW.finditer(screen.text())}


def fake_search(run_dir: Path, delay: float, epochs: int, trials: int) -> subprocess.Popen:
    """A headless fake search in its own session (as the console starts them)."""
    return subprocess.Popen(
        [
            PYTHON,
            "-m",
            "engine",
            "run",
            "--backend",
            "fake",
            "--algorithm",
            "random",
            "--max-trials",
            str(trials),
            "--epochs",
            str(epochs),
            "--seed",
            "0",
            "--run-dir",
            str(run_dir),
            "--quiet",
        ],
        env={**ENV, "TUNEDECK_FAKE_DELAY": str(delay)},
        cwd=ROOT,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def watch(argv: list[str], cwd: str, seconds: float) -> dict:
    """Run the console for `seconds` after its first paint; bytes written, screens seen."""
    console = PtyConsole(argv, cwd=cwd)
    screen = Screen()
    console.start()
    try:
        console.wait_for(b"trial" if "attach" in argv else MARKERS[0])
        console.drain(1.0)  # the first paint and its settling are not the steady state
        screen.feed(bytes(console.buffer))
        console.mark()
        start = time.perf_counter()
        offset = time.time() - start  # perf_counter -> wall clock, as in the journal
        seen: dict[str, float] = {}  # "trial/epoch" -> wall time first on screen
        while (left := start + seconds - time.perf_counter()) > 0:
            if console.read(min(left, 0.1)):
                screen.feed(bytes(console.buffer))
                console.mark()
                now = console.chunks[-1][0] + offset
                for trial, epoch in epochs_shown(screen).items():
                    seen.setdefault(f"{trial}/{epoch}", now)
        counted = sum(n for t, n in console.chunks if t >= start)
        return {
            "bytes": counted,
            "seconds": seconds,
            "seen": seen,
            "start": start + offset,
            "screen": screen.text(),
        }
    finally:
        console.close()


def staleness(run_dir: Path, seen: dict[str, float], start: float, end: float) -> list[float]:
    """For each epoch written in [start, end - 1 s]: seconds until its row showed it (or later)."""
    shown: dict[str, list[tuple[int, float]]] = {}
    for key, when in seen.items():
        trial, epoch = key.split("/")
        shown.setdefault(trial, []).append((int(epoch), when))
    out = []
    for written, trial, epoch in epochs_in_journal(run_dir):
        if not start <= written <= end - TARGET_STALE:
            continue
        times = [when for e, when in shown.get(trial, []) if e >= epoch and when >= written]
        out.append(min(times) - written if times else float("inf"))
    return out


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 25.0
    delay = float(sys.argv[2]) if len(sys.argv) > 2 else 0.05
    long_epochs = int((seconds + 8) / delay / TRIALS * 1.3) + 1
    rows = [
        ("scenario", "bytes", "bytes/s", "epochs/s", "stale p50 s", "stale p99 s", "stale max s")
    ]
    rates: dict[str, float] = {}
    stale: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        done = Path(tmp) / "done"
        fake_search(done, 0.001, 5, TRIALS).wait()
        scenarios = {  # name: (console arguments, the search to start: epochs, trials)
            "editor, idle": ([BINARY], None),
            "monitor, finished run": ([BINARY, "attach", str(done)], None),
            "monitor, long trials": ([BINARY, "attach"], (long_epochs, TRIALS)),
            "monitor, short trials": ([BINARY, "attach"], (5, 10_000)),
        }
        for name, (argv, plan) in scenarios.items():
            search = None
            if plan is not None:
                live = Path(tmp) / name.split()[1]
                search = fake_search(live, delay, *plan)
                while not (live / "events.jsonl").exists():
                    time.sleep(0.05)
                argv = [*argv, str(live)]
            try:
                result = watch(argv, tmp, seconds)
            finally:
                if search is not None:
                    search.terminate()
                    search.wait(timeout=30)
            rate = result["bytes"] / result["seconds"]
            rates[name] = rate
            cells = [name, f"{result['bytes']:,}", f"{rate:,.0f}"]
            if search is not None:
                end = result["start"] + result["seconds"]
                written = [e for e in epochs_in_journal(live) if result["start"] <= e[0] <= end]
                cells.append(f"{len(written) / seconds:.1f}")
            else:
                cells.append("-")
            if plan is not None and plan[1] == TRIALS:
                stale = sorted(staleness(live, result["seen"], result["start"], end))
                cells += [
                    f"{statistics.median(stale):.3f}",
                    f"{stale[int(0.99 * (len(stale) - 1))]:.3f}",
                    f"{stale[-1]:.3f}",
                ]
            else:
                cells += ["-", "-", "-"]
            rows.append(tuple(cells))
            print(f"{name}: {rate:,.0f} bytes/s", flush=True)
    print(
        f"\nbytes written to the terminal at 80×24, {stamp()}, {seconds:g} s each, "
        f"fake epochs of {delay:g} s"
    )
    print(table(rows))
    live = max(rates["monitor, long trials"], rates["monitor, short trials"])
    print("\nratios and targets")
    for name in ("monitor, long trials", "monitor, short trials"):
        print(f"{name} / target".ljust(36) + f"{rates[name] / TARGET_BYTES:.2f}")
    verdict = "met" if live <= TARGET_BYTES else "MISSED"
    print(
        "live search, worst".ljust(36) + f"{live / 1024:.2f} KiB/s  "
        f"(target <= {TARGET_BYTES // 1024} KiB/s: {verdict})"
    )
    worst = max(stale) if stale else float("inf")
    verdict = "met" if worst <= TARGET_STALE else "MISSED"
    print(
        "table staleness, worst epoch".ljust(36) + f"{worst:.3f} s  "
        f"(target <= {TARGET_STALE:g} s: {verdict})"
    )


if __name__ == "__main__":
    main()

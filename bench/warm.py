"""The warm engine: `m` (model summary) and `r` (a search, to its first epoch row) with the
console's standby engine against without it (`TUNEDECK_WARM=0`), the real binary in a pty at
80×24, interleaved. Targets (issue: a warm engine): `r` → first epoch row ≤ 2.5 s median,
`m` ≤ 1 s.

    .venv/bin/python bench/warm.py [REPEATS]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import stamp, table  # noqa: E402
from startup import BINARY, MARKERS, PtyConsole  # noqa: E402

WARM_UP = 15.0  # seconds the standby gets to import TensorFlow before the keys


def one(warm: bool) -> tuple[float, float]:
    """(seconds from `m` to the summary, from `r` to the first epoch row)."""
    with tempfile.TemporaryDirectory() as tmp:
        console = PtyConsole([BINARY], cwd=tmp, env={"TUNEDECK_WARM": "1" if warm else "0"})
        try:
            console.start()
            console.wait_for(*MARKERS)
            console.drain(WARM_UP)
            console.mark()
            pressed = console.send(b"m")
            summary = console.wait_for(b"Total params", timeout=120) - pressed
            console.send(b"\x1b")
            console.drain(1.0)
            console.send(b"t\x151\re\x152\r")  # budget 1, epochs 2 (ctrl+u clears each field)
            console.drain(1.0)
            console.mark()
            pressed = console.send(b"r")
            first = console.wait_for(b"1/2", timeout=120) - pressed
        finally:
            console.close()
    return summary, first


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    times: dict[bool, list[tuple[float, float]]] = {True: [], False: []}
    for _ in range(repeats):
        for warm in (False, True):
            times[warm].append(one(warm))
    rows = [("console", "m → summary (median s)", "r → first epoch row (median s)")]
    med = {
        w: (statistics.median(t[0] for t in times[w]), statistics.median(t[1] for t in times[w]))
        for w in times
    }
    for warm, label in ((False, "cold (TUNEDECK_WARM=0)"), (True, "warm engine")):
        rows.append((label, f"{med[warm][0]:.2f}", f"{med[warm][1]:.2f}"))
    print(f"warm engine, {repeats} interleaved repeats, {stamp()}")
    print(table(rows))
    print(
        f"ratio warm/cold: m {med[True][0] / med[False][0]:.2f}, r {med[True][1] / med[False][1]:.2f}"
        f"; targets: m ≤ 1 s, r ≤ 2.5 s"
    )


if __name__ == "__main__":
    main()

"""What resource sampling costs a search: the tick every batch pays, one sample, and the
journal lines it adds, side by side with a batch of the default model on digits.

    .venv/bin/python bench/resources.py
"""

from __future__ import annotations

import statistics
import time

from engine.run.resources import SAMPLE_SECONDS, Sampler


def per_call(fn, n: int) -> float:
    """Median seconds per call over 5 rounds of `n` calls."""
    rounds = []
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(n):
            fn()
        rounds.append((time.perf_counter() - start) / n)
    return statistics.median(rounds)


def main() -> None:
    lines: list[str] = []
    sampler = Sampler(lambda e: lines.append(e.to_json()), interval=1.0)
    tick = per_call(sampler.tick, 200_000)  # not due: what every batch pays
    sample = per_call(lambda: sampler.emit(sampler.sample()), 2_000)  # due: psutil + a line
    line = statistics.fmean(len(x) + 1 for x in lines)
    batch = 1e-3  # a small model's batch here is 1-3 ms (bench/overhead.py): the cheap end
    print(f"tick (not due): {tick * 1e9:.0f} ns;  sample + journal line: {sample * 1e6:.0f} µs")
    print(
        f"journal: {line:.0f} bytes a sample, {line * 3600 / SAMPLE_SECONDS / 1024:.0f} KiB an "
        f"hour at one sample every {SAMPLE_SECONDS:g} s"
    )
    print(f"ratio tick / 1 ms batch: {tick / batch:.5f}")
    print(f"ratio sampling / training time: {sample / SAMPLE_SECONDS:.6f}")


if __name__ == "__main__":
    main()

"""The memory watch restarts a search that leaks, and does not count what the search keeps on
purpose (pooled models, kept pipelines) while that fills: it re-bases then."""

from __future__ import annotations

import pytest

from engine.backends import memory
from engine.backends.memory import MemoryWatch

MB = 1_000_000


@pytest.fixture
def rss(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    now = [800 * MB]
    monkeypatch.setattr(memory, "rss_bytes", lambda: now[0])
    return now


def test_growth_past_the_first_trials_baseline_restarts(rss: list[int]) -> None:
    watch = MemoryWatch(growth=0.10)
    assert not watch.outgrown()  # no trial yet, no baseline
    watch.trial_done(held=0)
    rss[0] = 870 * MB
    watch.trial_done(held=0)
    assert not watch.outgrown()
    rss[0] = 881 * MB
    assert watch.outgrown()


def test_what_the_search_keeps_while_it_fills_is_not_a_leak(rss: list[int]) -> None:
    watch = MemoryWatch(growth=0.10)
    watch.trial_done(held=1)
    for trial, held in enumerate((2, 4, 6, 8), start=1):  # the pool fills: 40 MB a step
        rss[0] = (800 + 40 * trial) * MB
        watch.trial_done(held=held)
        assert not watch.outgrown()
    assert watch.baseline == 960 * MB
    rss[0] = 1040 * MB
    watch.trial_done(held=8)  # full: no re-base from here on
    assert not watch.outgrown()
    rss[0] = 1057 * MB
    assert watch.outgrown()
    assert watch.baseline == 960 * MB


def test_growth_zero_never_restarts(rss: list[int]) -> None:
    watch = MemoryWatch(growth=0)
    watch.trial_done()
    rss[0] = 10_000 * MB
    assert not watch.outgrown()

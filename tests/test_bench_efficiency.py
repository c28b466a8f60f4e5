"""The search-efficiency bench reads its times as it says: from the first trial's start, the time
to the target where the best so far first reaches it (never a search's end), and a search that
never reaches it bounds a ratio instead of lending it its end."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.tui.runs import write_run

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import efficiency  # noqa: E402
from efficiency import Search, measure, median_ratio, median_time, ratio  # noqa: E402


def search(name: str, curve: list[tuple[float, float]], end: float) -> Search:
    return Search(name, 0, Path("."), "random", curve, end, len(curve), 0, 0, [])


def test_journal_times_count_from_the_first_trial_start(tmp_path: Path) -> None:
    # trials start 1 s after the search: ends at 8, 20 (failed at 12) and 28 s after it
    run = measure(write_run(tmp_path / "run", finished=True), "random", 0, 3)
    assert run.curve == [(7.0, 0.9125), (19.0, 0.9531), (27.0, 0.9531)]
    assert (run.end, run.trials, run.epochs) == (27.0, 4, 10)
    assert run.reaches(0.95) == 19.0  # the trial that got there, not the search's end
    assert run.reaches(0.96) is None
    assert run.epochs_by(19.0) == 7  # 3 + 1 (the failed trial's) + 3: the epochs spent by then


def test_a_search_that_never_reaches_the_target_bounds_the_ratio() -> None:
    fast = search("auto", [(10.0, 0.90), (30.0, 0.95)], 60.0)
    slow = search("random", [(20.0, 0.91), (100.0, 0.95)], 120.0)
    short = search("random", [(20.0, 0.91)], 120.0)
    assert ratio(fast, slow, 0.95)[:2] == (pytest.approx(0.3), "")
    assert ratio(fast, short, 0.95)[:2] == (pytest.approx(30.0 / 120.0), "<")
    assert ratio(short, fast, 0.95)[:2] == (pytest.approx(120.0 / 30.0), ">")
    # a bound stands for any value on its side: the median of 1.41, 4.04 and "< 1.49" is
    # 1.41 at least (the third near 0) and 1.49 at most: above a 0.4 target whatever it is
    each = [(4.04, "", ""), (1.41, "", ""), (1.49, "<", "")]
    assert median_ratio(each) == (1.41, 1.49)
    assert efficiency.verdict(*median_ratio(each), 0.4) == "not met"
    assert efficiency.verdict(*median_ratio(each), 1.45).startswith("undecided")
    assert median_ratio([(0.3, "", ""), (0.25, "<", ""), (4.0, ">", "")]) == (0.3, 0.3)
    assert efficiency.verdict(0.3, 0.3, 0.4) == "met"
    # never counts as slower than any time: the median of three with one never is the middle
    assert median_time([5.0, None, 9.0]) == 9.0
    assert median_time([5.0, None, None]) is None

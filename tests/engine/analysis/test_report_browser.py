"""The HTML report opened in a real headless Chromium: it renders with no console message,
asks for nothing over the network, and its screenshot shows the plots."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from engine.analysis.html import write_report
from engine.analysis.runs import open_run
from tests.analysis_runs import write_analysis_run
from tests.browser import CHROMIUM, visit

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")
PLOT_BLUE = (0x1F, 0x77, 0xB4)  # matplotlib's first colour: the best-so-far line, the bars


def blue_pixels(png: bytes) -> int:
    import numpy as np
    from PIL import Image

    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=int)
    return int((np.abs(pixels - np.array(PLOT_BLUE)).max(axis=2) < 24).sum())


def test_the_report_renders_offline_with_its_plots(tmp_path: Path) -> None:
    run = write_analysis_run(tmp_path / "run", trials=12, failed=(5,))
    report = tmp_path / "report.html"
    write_report(open_run(run), run, report)
    seen = visit(report.as_uri(), tmp_path / "profile")
    assert seen.console == []
    assert seen.requests == [report.as_uri()]  # the page itself, nothing else
    assert blue_pixels(seen.screenshot) > 5_000  # the bars and lines are drawn


def test_the_harness_sees_errors_and_requests(tmp_path: Path) -> None:
    """The checks above can fail: a page that logs, throws and fetches is caught doing it."""
    page = tmp_path / "bad.html"
    page.write_text(
        '<img src="http://example.invalid/x.png"><script>console.error("oops"); missing();</script>'
    )
    seen = visit(page.as_uri(), tmp_path / "profile")
    assert "error: oops" in seen.console and any("exception" in c for c in seen.console)
    assert "http://example.invalid/x.png" in seen.requests
    assert blue_pixels(seen.screenshot) == 0

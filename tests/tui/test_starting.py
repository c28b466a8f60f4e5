"""While a search starts, the console shows what it waits for: the engine's last line (a
download's progress), read from the end of its start log."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tui.bridge import Starting


def test_news_is_the_last_line_even_from_a_redrawn_bar(tmp_path: Path) -> None:
    log = tmp_path / "start.log"
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    starting = Starting(tmp_path / "run", process, tmp_path / "request", log)
    assert starting.news() == "", "nothing printed yet"
    log.write_text("downloading mnist: 0% of 11.5 MB\ndownloading mnist: 10% of 11.5 MB\n")
    assert starting.news() == "downloading mnist: 10% of 11.5 MB"
    log.write_text("x" * 10_000 + "\rdownloading cifar10 [###---] 10% 17.0/170.5 MB\r  \n")
    assert starting.news() == "downloading cifar10 [###---] 10% 17.0/170.5 MB"
    process.wait()

"""SVG snapshots of every screen at 80×24 (update with `pytest tests/tui --snapshot-update`).

Deterministic by construction: the built-in space, and run directories at fixed relative paths
whose journals carry fixed times (see runs.py); no screen here reads a clock.
"""

from __future__ import annotations

from pathlib import Path

from tui.app import make_app

SIZE = (80, 24)


def test_space_editor(snap_compare, workdir: Path) -> None:
    assert snap_compare(make_app(), terminal_size=SIZE)


def test_space_editor_after_edits(snap_compare, workdir: Path) -> None:
    """A value switched off, one removed, and a refused edit shown under the tree."""
    press = ["j", "j", "space", "j", "delete", "space"]  # 16 off, 32 gone, 64 refused
    assert snap_compare(make_app(), press=press, terminal_size=SIZE)


def test_param_editor(snap_compare, workdir: Path) -> None:
    press = ["slash", *"nodes", "enter", "enter", "ctrl+t"]
    assert snap_compare(make_app(), press=press, terminal_size=SIZE)


def test_help(snap_compare, workdir: Path) -> None:
    assert snap_compare(make_app(), press=["question_mark"], terminal_size=SIZE)


def test_monitor(snap_compare, running_run: Path) -> None:
    assert snap_compare(make_app(attach=running_run), terminal_size=SIZE)


def test_results(snap_compare, finished_run: Path) -> None:
    assert snap_compare(make_app(attach=finished_run), press=["v"], terminal_size=SIZE)


def test_trial_details(snap_compare, finished_run: Path) -> None:
    press = ["v", "enter"]
    assert snap_compare(make_app(attach=finished_run), press=press, terminal_size=SIZE)


def test_export_dialog(snap_compare, finished_run: Path) -> None:
    press = ["v", "x", "down", "down"]
    assert snap_compare(make_app(attach=finished_run), press=press, terminal_size=SIZE)

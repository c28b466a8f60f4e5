"""What every test runs under."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def untimed_searches(monkeypatch: pytest.MonkeyPatch) -> None:
    """A new search times a few short fits for its estimate (about 3 s a search); the tests
    of the estimate switch it back on (`monkeypatch.delenv("TUNEDECK_ESTIMATE")`), the rest
    run the same searches without it."""
    monkeypatch.setenv("TUNEDECK_ESTIMATE", "0")


@pytest.fixture(autouse=True)
def own_user_folders(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """tunedeck's state and cache folders (logs, download locks) under the tests' own
    temporary folder, never the user's."""
    root = tmp_path_factory.getbasetemp() / "xdg"
    monkeypatch.setenv("XDG_STATE_HOME", str(root / "state"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(root / "cache"))

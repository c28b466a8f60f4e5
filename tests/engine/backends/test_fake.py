"""The fake backend passes the backend contract (it is what the console's tests run on)."""

from __future__ import annotations

from tests.engine.backends.contract import BackendContract


class TestFakeBackend(BackendContract):
    backend = "fake"
    algorithms = ("random", "grid")
    trains_models = False

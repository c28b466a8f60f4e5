"""What the coordinator, the chief and the workers of a parallel Keras Tuner run share: the
oracle's address, the workers' heartbeats in the run directory, each node's journal.

coordinator (`tunedeck run --workers N`): holds the run lock, journals the search's start and
    end in events.jsonl, spawns the chief and the local workers (`coordinator`).
chief (`python -m engine chief`): Keras Tuner's oracle served over gRPC, dropping workers whose
    heartbeat stopped (`chief`).
worker (`tunedeck worker`): a Keras Tuner worker training trials, journaling to
    events-<id>.jsonl and touching a heartbeat file; it may run on another machine that shares
    the run directory (`worker`).
"""

from __future__ import annotations

import os
import signal
import socket
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from engine.backends.base import SearchContext, StopControl
from engine.errors import InputError
from engine.plan.devices import GPU
from engine.plan.planner import plan
from engine.run import events as ev
from engine.run.journal import JournalWriter, read_run
from engine.run.results import replay
from engine.run.rundir import RunDir

PR_SET_PDEATHSIG = 1  # prctl(2)
HEARTBEAT_SECONDS = 1.0
DEAD_AFTER_SECONDS = float(os.environ.get("TUNEDECK_WORKER_TIMEOUT", "30"))
WORKERS = "workers"  # state/workers/<id>: one heartbeat file per live worker
CHIEF_START_SECONDS = 120.0  # how long the coordinator and its workers wait for the chief
JOIN_SECONDS = 10.0  # how long a worker started by hand tries to reach its chief
JOURNAL_WAIT = 15.0  # seconds a node waits for the last writer of its journal to be gone


def parallel(ctx: SearchContext) -> bool:
    """Whether a search runs on Keras Tuner's distributed mode (more workers, or a chief), or
    this process is one of its nodes."""
    node = "KERASTUNER_TUNER_ID" in os.environ
    return ctx.plan.workers > 1 or ctx.settings.chief is not None or node


def parse_address(text: str) -> tuple[str, int]:
    host, sep, port = text.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise InputError(f"chief: expected HOST:PORT, got {text!r}")
    return host.strip("[]"), int(port)


def reach_chief(address: str, timeout: float) -> None:
    """Wait up to `timeout` seconds for the chief to listen at `address` (it may be starting);
    an address that does not resolve, or where nothing listens in time, is one line."""
    host, port = parse_address(address)
    try:
        socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise InputError(f"chief: cannot resolve {host!r}") from None
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        try:
            with socket.create_connection((host, port), timeout=max(0.1, min(left, 2.0))):
                return
        except OSError as exc:
            if time.monotonic() >= deadline:
                why = "timed out" if isinstance(exc, TimeoutError) else exc.strerror or str(exc)
                raise InputError(
                    f"chief: nothing answers at {address} within {timeout:.0f} s "
                    f"({why}): is the search running?"
                ) from None
            time.sleep(min(0.5, max(0.0, deadline - time.monotonic())))


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def heartbeat_dir(run: RunDir) -> Path:
    path = run.state_dir / WORKERS
    path.mkdir(exist_ok=True)
    return path


class Heartbeat:
    """Touches state/workers/<id> every second while a worker lives; removed when it ends."""

    def __init__(self, run: RunDir, tuner_id: str) -> None:
        self.path = heartbeat_dir(run) / tuner_id
        self.keep = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, daemon=True)

    def _beat(self) -> None:
        while not self._stop.wait(HEARTBEAT_SECONDS):
            self.path.touch()

    def __enter__(self) -> Heartbeat:
        self.path.touch()
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        if not self.keep:
            self.path.unlink(missing_ok=True)


def alive(run: RunDir, tuner_id: str) -> bool:
    try:
        age = time.time() - (heartbeat_dir(run) / tuner_id).stat().st_mtime
    except FileNotFoundError:
        return False
    return age < DEAD_AFTER_SECONDS


def live_workers(run: RunDir) -> set[str]:
    return {p.name for p in heartbeat_dir(run).iterdir() if alive(run, p.name)}


def node_context(run: RunDir, journal_name: str, worker: str, dataset: Any) -> SearchContext:
    """The search context of a chief or a worker: its own journal, its events tagged with it."""
    space, settings = run.space(), run.settings()
    journal = JournalWriter(run / journal_name, wait=JOURNAL_WAIT)

    gpu = os.environ.get(GPU)  # the device its coordinator gave this worker

    def emit(event: ev.Event) -> None:
        if gpu is not None and isinstance(event, ev.TrialStarted):
            event = replace(event, gpu=gpu)
        journal(replace(event, worker=worker))

    previous = replay(read_run(run.path))
    return SearchContext(
        space, settings, plan(space, settings), run, emit, StopControl(run), dataset, previous
    )


def die_with(parent: int) -> None:
    """End this process when its coordinator `parent` ends, even by SIGKILL (a chief or worker
    left behind would go on training while a resume starts others): the kernel's parent-death
    signal on Linux, a thread watching the parent elsewhere."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        armed = libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL) == 0
    except (OSError, AttributeError):
        armed = False
    if os.getppid() != parent:  # it died before the signal was armed
        os._exit(1)
    if not armed:

        def watch() -> None:
            while os.getppid() == parent:
                time.sleep(1)
            os._exit(1)

        threading.Thread(target=watch, daemon=True).start()


def kt_environment(tuner_id: str, address: str) -> None:
    """Keras Tuner's own switch into distributed mode: chief or worker, and the oracle's address."""
    host, port = parse_address(address)
    os.environ.update(
        KERASTUNER_TUNER_ID=tuner_id, KERASTUNER_ORACLE_IP=host, KERASTUNER_ORACLE_PORT=str(port)
    )

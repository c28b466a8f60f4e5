"""Parallel trials on Keras Tuner's own distributed mode: one chief, N workers, one run dir.

coordinator (`tunedeck run --workers N`): holds the run lock, journals the search's start and
    end in events.jsonl, spawns the chief and the local workers, retrains the winner.
chief (`python -m engine chief`): Keras Tuner's oracle served over gRPC (its own servicer),
    with a loop of ours that drops workers whose heartbeat stopped: their trial runs again
    on a live worker, or is reported failed when none is left, and the chief ends when the
    budget is spent instead of waiting for the dead.
worker (`tunedeck worker`): a Keras Tuner worker training trials, journaling to
    events-<id>.jsonl and touching a heartbeat file; it may run on another machine that
    shares the run directory.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from engine.backends.base import RecycleProcess, SearchContext, StopControl, StopSearch
from engine.backends.planner import plan
from engine.errors import InputError
from engine.run import events as ev
from engine.run.journal import JournalWriter, Tail, read_run
from engine.run.results import replay
from engine.run.rundir import JOURNAL, RunDir

HEARTBEAT_SECONDS = 1.0
DEAD_AFTER_SECONDS = float(os.environ.get("TUNEDECK_WORKER_TIMEOUT", "30"))


def parse_address(text: str) -> tuple[str, int]:
    host, sep, port = text.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise InputError(f"chief: expected HOST:PORT, got {text!r}")
    return host.strip("[]"), int(port)


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def heartbeat_dir(run: RunDir) -> Path:
    path = run.state_dir / "workers"
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


def _context(run: RunDir, journal_name: str, worker: str, dataset: Any) -> SearchContext:
    space, settings = run.space(), run.settings()
    journal = JournalWriter(run / journal_name)

    def emit(event: ev.Event) -> None:
        journal(replace(event, worker=worker))

    previous = replay(read_run(run.path))
    return SearchContext(space, settings, plan(space, settings), run, emit, StopControl(run),
                         dataset, previous)  # fmt: skip


def _kt_environment(tuner_id: str, address: str) -> None:
    host, port = parse_address(address)
    os.environ.update(
        KERASTUNER_TUNER_ID=tuner_id, KERASTUNER_ORACLE_IP=host, KERASTUNER_ORACLE_PORT=str(port)
    )


# ---- worker ------------------------------------------------------------------------------
def work(run: RunDir, tuner_id: str, address: str) -> int:
    """Train trials handed out by the chief until the budget is spent or a stop is asked.

    Raises RecycleProcess when the worker has outgrown its memory: the caller re-executes it
    under the same id, and the chief hands it back the trial it had just been given."""
    from engine.runner import load_data

    _kt_environment(tuner_id, address)
    space, settings = run.space(), run.settings()
    ctx = _context(run, f"events-{tuner_id}.jsonl", tuner_id, load_data(space, settings))
    from engine.backends.keras_tuner.tuner import KerasTunerBackend

    ctx.recycle = True
    with Heartbeat(run, tuner_id) as heartbeat:
        try:
            KerasTunerBackend(ctx).run()
        except StopSearch:
            return 130
        except RecycleProcess:
            heartbeat.keep = True  # the same worker is back in a few seconds
            ctx.emit(ev.LogMessage(level="info", message=f"worker {tuner_id} restarting to "
                                   "free memory"))  # fmt: skip
            raise
    return 0


# ---- chief -------------------------------------------------------------------------------
def serve(run: RunDir, address: str) -> int:
    """Serve the oracle until the budget is spent (or a stop is asked) and no live worker is left."""
    import grpc
    from keras_tuner.src import protos
    from keras_tuner.src.distribute.oracle_chief import OracleServicer, exit_chief

    from engine.backends.keras_tuner.tuner import make_tuner

    _kt_environment("chief", address)
    ctx = _context(run, "events-chief.jsonl", "chief", None)
    oracle = make_tuner(ctx).oracle
    server = grpc.server(_executor())
    servicer = OracleServicer(oracle)
    protos.get_service_grpc().add_OracleServicer_to_server(servicer, server)
    if not server.add_insecure_port(address):
        raise InputError(f"chief: cannot listen on {address}")
    server.start()
    try:
        while True:
            time.sleep(0.2)
            _drop_dead_workers(oracle, run, ctx, budget_spent=servicer.stop_triggered)
            if servicer.stop_triggered and exit_chief(oracle):
                return 0
            if ctx.stop.stop_after_trial() and not _live_workers(run):
                return 130
    finally:
        server.stop(grace=1)


def _executor() -> Any:
    from concurrent import futures

    return futures.ThreadPoolExecutor(max_workers=8)


def _live_workers(run: RunDir) -> set[str]:
    return {p.name for p in heartbeat_dir(run).iterdir() if alive(run, p.name)}


def _drop_dead_workers(oracle: Any, run: RunDir, ctx: SearchContext, *, budget_spent: bool) -> None:
    from keras_tuner.src.engine import trial as trial_module
    from keras_tuner.src.engine.oracle import synchronized

    if ctx.stop.stop_after_trial():
        return  # stopping: unfinished trials stay with the oracle and run again on resume

    @synchronized
    def drop(oracle: Any, tuner_id: str) -> Any:
        oracle.tuner_ids.discard(tuner_id)
        trial = oracle.ongoing_trials.pop(tuner_id, None)
        if trial is not None and not budget_spent and _live_workers(run):
            oracle._retry_queue.append(trial.trial_id)
            oracle.save()
            return trial, "retry"
        return trial, "fail"

    for tuner_id in set(oracle.tuner_ids) | set(oracle.ongoing_trials):
        if alive(run, tuner_id):
            continue
        trial, verdict = drop(oracle, tuner_id)
        if trial is None:
            continue
        reason = f"worker {tuner_id} stopped responding"
        if verdict == "retry":
            ctx.emit(ev.LogMessage(level="warning", message=f"{reason}; trial {trial.trial_id} "
                                   "will run again on another worker"))  # fmt: skip
            continue
        trial.status = trial_module.TrialStatus.FAILED
        trial.message = reason
        oracle.end_trial(trial)
        ctx.emit(ev.TrialEnded(trial_id=trial.trial_id, status="failed", reason=reason))


# ---- coordinator -------------------------------------------------------------------------
def spawn(args: list[str], run: RunDir, name: str, threads: int) -> subprocess.Popen:
    """A chief or worker process in its own session (ctrl+c reaches only the coordinator)."""
    env = {
        **os.environ,
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "TF_NUM_INTRAOP_THREADS": str(threads),
        "TF_NUM_INTEROP_THREADS": "1",
        "OMP_NUM_THREADS": str(threads),
    }
    log = open(run.state_dir / f"{name}.log", "ab")  # noqa: SIM115 - handed to the child
    try:
        return subprocess.Popen(
            [sys.executable, "-m", "engine", *args, str(run.path)],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    finally:
        log.close()


def coordinate(run: RunDir, ctx: SearchContext, notify: Callable[[ev.Event], None]) -> None:
    """Run the chief and the local workers to the end of the budget; raise StopSearch if stopped.

    The workers' and chief's events are in their own journals; `notify` passes them on live to
    the coordinator's sinks (the headless progress lines, `--jsonl`).
    """
    tail = Tail(run.path, exclude=(JOURNAL,))
    tail.poll()  # what earlier sessions wrote is history, not progress
    settings = ctx.settings
    address = settings.chief or f"127.0.0.1:{free_port()}"
    workers = max(settings.workers, 1)
    threads = max(1, (os.cpu_count() or 1) // workers)
    chief = spawn(["chief", "--listen", address], run, "chief", 1)
    # Workers start at once: their TensorFlow import overlaps the chief's (they wait for it).
    procs = {f"tuner{i}": spawn(["worker", "--chief", address, "--tuner-id", f"tuner{i}"], run,
                                f"tuner{i}", threads) for i in range(workers)}  # fmt: skip
    try:
        _wait_listening(address, chief)
    except RuntimeError:
        for proc in procs.values():
            proc.kill()
        raise
    ctx.emit(ev.LogMessage(level="info", message=f"oracle on {address}, {workers} local workers"))
    reported: set[str] = set()
    try:
        while chief.poll() is None:
            time.sleep(0.2)
            for event in tail.poll():
                notify(event)
            if ctx.stop.interrupted and ctx.run.stop_request() is None:
                ctx.run.request_stop("now")
            for tuner_id, proc in procs.items():
                code = proc.poll()
                if code is None or tuner_id in reported:
                    continue
                reported.add(tuner_id)
                (heartbeat_dir(run) / tuner_id).unlink(missing_ok=True)
                if code not in (0, 130):
                    ctx.emit(ev.LogMessage(level="warning", message=f"worker {tuner_id} exited "
                                           f"with code {code}; see state/{tuner_id}.log"))  # fmt: skip
    finally:
        for proc in [chief, *procs.values()]:
            if proc.poll() is None:
                proc.terminate()
        for proc in [chief, *procs.values()]:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
    for event in tail.poll():
        notify(event)
    if chief.returncode == 130 or ctx.stop.stop_after_trial():
        raise StopSearch("interrupted" if ctx.stop.interrupted else "stop requested")
    if chief.returncode != 0:
        raise RuntimeError(f"the oracle exited with code {chief.returncode}; see state/chief.log")


def _wait_listening(address: str, chief: subprocess.Popen, timeout: float = 120) -> None:
    host, port = parse_address(address)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if chief.poll() is not None:
            raise RuntimeError(f"the oracle could not start (code {chief.returncode}); "
                               "see state/chief.log")  # fmt: skip
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the oracle did not listen on {address} within {timeout:.0f} s")

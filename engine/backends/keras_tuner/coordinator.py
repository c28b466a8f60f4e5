"""Keras Tuner's parallel mode, seen from the runner: one chief and N workers, one run directory.

The coordinator is the runner of `tunedeck run --workers N` (or `--chief`): it holds the run
lock, journals the search's start and end in events.jsonl, spawns the chief and the local
workers as `python -m engine` children, and passes their events on to its live sinks.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.backends.base import SearchContext, StopSearch
from engine.backends.keras_tuner.cluster import (
    Heartbeat,
    free_port,
    heartbeat_dir,
    node_context,
)
from engine.plan import cores
from engine.plan.devices import Gpu, worker_environment
from engine.plan.planner import Plan
from engine.run import events as ev
from engine.run.control import engine_command, worker_args
from engine.run.journal import Tail, in_use, journal_files
from engine.run.resources import killed_reason, oom_kills
from engine.run.rundir import JOURNAL, RunDir, StopMode
from engine.run.settings import RunSettings
from engine.system.places import new_log


def node_environment(threads: int, gpu: Gpu | None = None) -> dict[str, str]:
    """A chief's or worker's environment: quiet TensorFlow, its share of the cores, and its
    own GPU when it is given one."""
    return {
        **os.environ,
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "TF_NUM_INTRAOP_THREADS": str(threads),
        "TF_NUM_INTEROP_THREADS": "1",
        "OMP_NUM_THREADS": str(threads),
        **worker_environment(gpu),
    }


def devices_for(workers: int, gpus: tuple[Gpu, ...]) -> list[Gpu | None]:
    """Each local worker's device: the plan's GPUs in turn (one each when there are as many),
    none on a machine without them."""
    return [gpus[i % len(gpus)] if gpus else None for i in range(workers)]


def spawn(
    args: list[str], run: RunDir, name: str, threads: int, gpu: Gpu | None = None
) -> subprocess.Popen[bytes]:
    """A chief or worker process in its own session (ctrl+c reaches only the coordinator)."""
    return _popen(args, run.state_dir / f"{name}.log", threads, gpu)


def _popen(args: list[str], log: Path, threads: int, gpu: Gpu | None) -> subprocess.Popen[bytes]:
    out = open(log, "ab")  # noqa: SIM115 - handed to the child
    try:
        return subprocess.Popen(
            engine_command(*args),
            env=node_environment(threads, gpu),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    finally:
        out.close()


@dataclass
class Early:
    """Workers started before the run directory exists, while this process loads the data
    and TensorFlow: by the time the oracle listens they have imported TensorFlow too."""

    run_dir: Path
    address: str
    procs: dict[str, subprocess.Popen[bytes]]
    logs: list[Path]


_EARLY: list[Early] = []  # at most one: the search this process is about to coordinate


def start_early(run_dir: Path, planned: Plan, settings: RunSettings) -> None:
    """Start the local workers of a parallel Keras Tuner search now; `coordinate` adopts
    them (a worker started early waits for the oracle, then opens the run directory)."""
    if planned.backend != "keras-tuner" or not (planned.workers > 1 or settings.chief):
        return
    workers = local_workers(planned.workers, planned.planned_trials, len(planned.gpus))
    here = not planned.gpus
    address = settings.chief or f"127.0.0.1:{free_port()}"
    threads = max(1, cores.usable() // workers)
    devices = devices_for(workers, planned.gpus)
    early = Early(run_dir.resolve(), address, {}, [])
    for i in range(int(here), workers):
        log = new_log(f"tuner{i}")  # removed once adopted or ended
        early.logs.append(log)
        args = worker_args(early.run_dir, address, f"tuner{i}", os.getpid())
        early.procs[f"tuner{i}"] = _popen(args, log, threads, devices[i])
    _EARLY.append(early)


def stop_early() -> None:
    """The search will not start (bad input, a refused run directory): end its workers."""
    while _EARLY:
        early = _EARLY.pop()
        _end(early.procs.values())
        for log in early.logs:
            log.unlink(missing_ok=True)


def _adopt(run: RunDir) -> Early | None:
    early = next((e for e in _EARLY if e.run_dir == run.path.resolve()), None)
    if early is not None:
        _EARLY.remove(early)
    return early


def coordinate(
    ctx: SearchContext,
    make_tuner: Callable[[SearchContext], Any],
    rejournal: Callable[[Any, SearchContext], int],
    search_with: Callable[[Any], None],
) -> None:
    """Serve the oracle and run the local workers to the end of the budget; raise StopSearch if
    stopped.

    The coordinator serves the oracle itself (no chief process to start) and, on a CPU plan,
    trains as worker `tuner0` on that oracle directly: it has TensorFlow loaded and the data in
    hand already, so a second worker costs one process, whose start-up overlaps the
    coordinator's first trials. On GPUs every worker is a process given its own device. Every
    node's events are in its own journal; `ctx.relay` passes them on live to the
    coordinator's sinks (the headless progress lines, `--jsonl`). The tuner's makers come
    from `tuner` (which imports this module).
    """
    from engine.backends.keras_tuner.oracle_service import OracleService

    run = ctx.run
    tail = Tail(run.path, exclude=(JOURNAL,))
    tail.poll()  # what earlier sessions wrote is history, not progress
    settings = ctx.settings
    early = _adopt(run)
    address = early.address if early else settings.chief or f"127.0.0.1:{free_port()}"
    asked, gpus = ctx.plan.workers, ctx.plan.gpus
    workers = local_workers(asked, ctx.plan.planned_trials, len(gpus))
    if workers < asked:
        ctx.emit(
            ev.LogMessage(
                level="info",
                message=f"{asked} workers asked: "
                f"{workers} started (no more than trials, nor than cores)",
            )
        )
    threads = max(1, cores.usable() // workers)
    _refuse_live_nodes(run)
    here = not gpus  # the coordinator trains as tuner0 (it would hold every GPU's memory)
    chief = node_context(run, "events-chief.jsonl", "chief", None)
    own = node_context(run, f"events-{OWN}.jsonl", OWN, ctx.dataset) if here else None
    me = os.getpid()  # the children die with this process, even by SIGKILL
    devices = devices_for(workers, gpus)
    procs = dict(early.procs) if early else {}
    for i in range(int(here), workers):
        name = f"tuner{i}"
        if name not in procs or procs[name].poll() is not None:  # not started, or gave up
            procs[name] = spawn(
                worker_args(run.path, address, name, me), run, name, threads, devices[i]
            )
    try:
        tuner = make_tuner(own or chief)
        rejournal(tuner, chief)
        service = OracleService(tuner.oracle, chief, address)
    except BaseException:
        _end(procs.values())
        raise
    ctx.emit(
        ev.LogMessage(
            level="info",
            message=f"oracle on {address}, {workers} local workers"
            + (f" ({OWN}: this process)" if here else ""),
        )
    )
    trainer = _Trainer(tuner, own, service, search_with) if own is not None else None
    reported: set[str] = set()
    kills = oom_kills()  # the cgroup's OOM kills so far: a worker's SIGKILL is told by it
    code: int | None = None
    try:
        while (code := service.poll()) is None:
            time.sleep(0.2)
            for event in tail.poll():
                ctx.relay(event)
            if ctx.stop.interrupted and run.stop_request() is None:
                run.request_stop(StopMode.NOW)
            if trainer is not None and trainer.failure is not None:
                raise trainer.failure
            for tuner_id, proc in procs.items():
                exited = proc.poll()
                if exited is None or tuner_id in reported:
                    continue
                reported.add(tuner_id)
                (heartbeat_dir(run) / tuner_id).unlink(missing_ok=True)
                if exited not in (0, 130):  # a SIGKILL: the kernel's OOM killer, maybe
                    how = killed_reason(exited, kills, oom_kills()) or f"exited with code {exited}"
                    if "out of memory" in how:  # its trial is not handed to another worker
                        service.killed[tuner_id] = how
                    ctx.emit(
                        ev.LogMessage(
                            level="warning",
                            message=f"worker {tuner_id} {how}; see state/{tuner_id}.log",
                        )
                    )
            if trainer is None and _all_failed(procs) and not settings.chief:
                raise WorkersFailed(_last_words(run, procs))  # no worker can join from elsewhere
    finally:
        for log in early.logs if early else []:
            log.unlink(missing_ok=True)
        if trainer is not None:
            if code is None and trainer.is_alive():  # leaving on an error: it stops too
                run.request_stop(StopMode.NOW)
            trainer.join()
        _end(procs.values())
        service.close()
    for event in tail.poll():
        ctx.relay(event)
    if trainer is not None and trainer.failure is not None:
        raise trainer.failure
    if code == 130 or ctx.stop.stop_after_trial():
        raise StopSearch(ctx.stop.why())


OWN = "tuner0"  # the coordinator's own worker


class _Trainer(threading.Thread):
    """The coordinator's own worker: trials from the oracle it serves, called directly."""

    def __init__(
        self, tuner: Any, ctx: SearchContext, service: Any, search: Callable[[Any], None]
    ) -> None:
        super().__init__(name=OWN, daemon=True)
        self.tuner, self.ctx, self.service, self.search = tuner, ctx, service, search
        self.failure: BaseException | None = None
        self.start()

    def run(self) -> None:
        try:
            with Heartbeat(self.ctx.run, OWN):
                self.search(self.tuner)
            self.service.budget_spent = True
        except StopSearch:
            pass  # the stop file says so to everyone: the service answers 130
        except BaseException as exc:  # noqa: BLE001 - handed to the coordinator's thread
            self.failure = exc


def _end(procs: Iterable[subprocess.Popen[bytes]]) -> None:
    procs = list(procs)
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def local_workers(asked: int, trials: int, gpus: int = 0) -> int:
    """How many workers to start here: as asked, but never more than there are trials to
    run or cores (or GPUs) to run them on (each is a TensorFlow process of ~700 MB)."""
    return max(1, min(asked, trials, max(cores.usable(), gpus)))


def _refuse_live_nodes(run: RunDir, wait: float = 15) -> None:
    """A chief or worker of an earlier session still writing its journal here (one that could
    not be made to die with its coordinator): refuse rather than train the same trials twice."""
    busy = [p.name for p in journal_files(run.path) if p.name != JOURNAL and in_use(p, wait)]
    if busy:
        raise NodesStillRunning(
            f"processes of an earlier session still write {', '.join(busy)} "
            "in this run directory: end them, then resume"
        )


class NodesStillRunning(RuntimeError):
    """A chief or worker of an earlier session is still alive."""


class WorkersFailed(RuntimeError):
    """Every local worker died before the budget was spent: the search cannot go on."""


def _all_failed(procs: dict[str, subprocess.Popen[bytes]]) -> bool:
    """Every local worker died. One that ended normally means the chief is finishing the
    budget itself (it re-queues a dead worker's trial, or reports it failed)."""
    codes = [proc.poll() for proc in procs.values()]
    return all(code is not None and code not in (0, 130) for code in codes)


def _last_words(run: RunDir, procs: dict[str, subprocess.Popen[bytes]]) -> str:
    """One line: why the workers died, from the last line of the first failed one's log."""
    for tuner_id, proc in procs.items():
        if proc.returncode in (0, 130):
            continue
        code = proc.returncode or 0
        log = run.state_dir / f"{tuner_id}.log"
        lines = log.read_text(errors="replace").splitlines() if log.exists() else []
        said = [line.strip() for line in lines if line.startswith("tunedeck:")]  # its one line
        why = (
            said[-1].removeprefix("tunedeck: error: ").removeprefix("tunedeck: ")
            if said
            else (
                f"killed by signal {-code}"
                if code < 0
                else f"exit code {code}, see state/{tuner_id}.log"
            )
        )
        return f"every worker exited before the search ended ({tuner_id}: {why})"
    return "every worker exited before the search ended"

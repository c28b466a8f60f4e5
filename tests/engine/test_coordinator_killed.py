"""SIGKILL of a parallel run's coordinator alone: its workers die with it (they run in
sessions of their own, so a process-group kill does not reach them), every journal keeps one
writer, and the resume trains every trial to one completed end, none twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from engine.errors import RunDirError
from engine.run import events as ev
from engine.run.journal import JournalWriter, in_use
from tests.engine.test_distributed import ARGS, ENV, ended


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    state = Path(f"/proc/{pid}/stat")
    return not (state.exists() and state.read_text().split(")")[-1].split()[0] == "Z")


def _wait_gone(pids: list[int], timeout: float) -> list[int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(map(_alive, pids)):
        time.sleep(0.05)
    return [pid for pid in pids if _alive(pid)]


PARENT = """
import subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", sys.argv[1], sys.argv[2]], start_new_session=True)
print(child.pid, flush=True)
time.sleep(600)
"""
CHILD = """
import os, sys, time
from engine.backends.keras_tuner.cluster import die_with
from engine.run.journal import JournalWriter
die_with(os.getppid())
journal = JournalWriter(sys.argv[1])
print("ready", flush=True)
time.sleep(600)
"""


def test_a_node_dies_with_its_coordinator_and_frees_its_journal(tmp_path: Path) -> None:
    journal = tmp_path / "events-tuner0.jsonl"
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT, CHILD, str(journal)],
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    assert parent.stdout is not None
    child = int(parent.stdout.readline())
    deadline = time.monotonic() + 60
    while not in_use(journal) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert in_use(journal)
    with pytest.raises(RunDirError, match="another process is writing this journal"):
        JournalWriter(journal, wait=0.3)  # one writer per journal
    os.killpg(parent.pid, signal.SIGKILL)  # the coordinator's group: not the child's session
    parent.wait()
    assert _wait_gone([child], timeout=10) == []
    writer = JournalWriter(journal, wait=5)  # the kernel freed the dead writer's claim
    writer(ev.LogMessage(level="info", message="mine now"))
    writer.close()


def test_die_with_exits_at_once_when_the_parent_is_already_gone(tmp_path: Path) -> None:
    code = textwrap.dedent("""
        from engine.backends.keras_tuner.cluster import die_with
        die_with(1)  # not our parent
        print("survived")
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "survived" not in done.stdout


def _nodes(run: Path) -> list[int]:
    found = subprocess.run(["pgrep", "-f", "--", str(run)], capture_output=True, text=True)
    return [int(pid) for pid in found.stdout.split()]


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_sigkill_of_the_coordinator_alone_leaves_no_node_and_resume_trains_once(
    tmp_path: Path,
) -> None:
    run = tmp_path / "run"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "engine",
            "run",
            *ARGS,
            "--max-trials",
            "8",
            "--workers",
            "2",
            "--run-dir",
            str(run),
            "--quiet",
        ],
        env=ENV,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    deadline = time.monotonic() + 400
    while time.monotonic() < deadline and proc.poll() is None:
        journals = [run / f"events-tuner{i}.jsonl" for i in (0, 1)]
        if any(j.exists() and '"epoch_ended"' in j.read_text() for j in journals):
            break
        time.sleep(0.05)
    assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
    nodes = _nodes(run)
    assert len(nodes) == 2  # the coordinator (the oracle, and tuner0) and one worker process
    os.killpg(proc.pid, signal.SIGKILL)  # the coordinator's own group only
    proc.wait()
    assert _wait_gone(nodes, timeout=5) == [], "a chief or worker outlived its coordinator"
    done_before = {tid for tid, s in ended(run).items() if "completed" in s}
    assert len(done_before) < 8
    again = subprocess.run(
        [sys.executable, "-m", "engine", "resume", str(run), "--quiet"],
        env=ENV,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert again.returncode == 0, again.stderr
    statuses = ended(run)
    assert sorted(statuses, key=int) == [str(i) for i in range(8)], statuses
    assert all(s.count("completed") == 1 for s in statuses.values()), statuses


def test_a_resume_refuses_while_a_node_of_an_earlier_session_still_writes(tmp_path: Path) -> None:
    """Where a node could not be made to die with its coordinator, the next coordinator
    refuses to start a second oracle and more workers over the same trials."""
    from engine.backends.keras_tuner.coordinator import NodesStillRunning, _refuse_live_nodes
    from engine.run.rundir import RunDir

    run = RunDir(tmp_path)
    _refuse_live_nodes(run, wait=0)  # nobody writes: nothing to refuse
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            CHILD.replace("die_with(os.getppid())", ""),
            str(tmp_path / "events-tuner1.jsonl"),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        with pytest.raises(NodesStillRunning, match="events-tuner1.jsonl"):
            _refuse_live_nodes(run, wait=0.3)
    finally:
        holder.kill()
        holder.wait()
    _refuse_live_nodes(run, wait=5)  # its writer gone, the kernel freed the journal

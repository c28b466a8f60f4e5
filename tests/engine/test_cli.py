"""The headless CLI as a user sees it: output, exit codes, files written, signals.

Runs use the fake backend (no TensorFlow). Most commands run in-process through
`engine.cli.main`; those about processes (SIGINT, a second runner) run the real binary.
Golden files: `tests/engine/golden/`; regenerate with TUNEDECK_UPDATE_GOLDEN=1 and review the diff.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from engine.run import events as ev
from engine.run.journal import read_run
from engine.run.kept import load_results
from engine.run.rundir import BEST, JOURNAL, SETTINGS, SPACE
from engine.run.settings import RunSettings
from engine.space import Space, default_space
from engine.space.schema import PARAMS
from tests.engine.cli_helpers import fake_run, isolated_cli, tunedeck  # noqa: F401 - fixture
from tui.cli import command_line

TUNEDECK = Path(sys.executable).with_name("tunedeck")
GOLDEN = Path(__file__).parent / "golden"
NAMES = [p.name for p in PARAMS]
SEARCH_END = ("search_finished", "search_failed", "search_stopped")


# ---- helpers -------------------------------------------------------------------------------
pytestmark = pytest.mark.usefixtures("isolated_cli")  # each test in its own folder


def command(*argv: str) -> list[str]:
    base = [str(TUNEDECK)] if TUNEDECK.exists() else [sys.executable, "-m", "engine"]
    return [*base, *argv]


def environment(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TUNEDECK_")}
    return {**env, **extra}


def binary(*argv: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command(*argv), env=environment(**env), capture_output=True, text=True, timeout=120
    )


def search_events(run_dir: Path) -> list[str]:
    return [e.type for e in read_run(run_dir) if e.type.startswith("search_")]


def trial_ends(run_dir: Path) -> list[ev.TrialEnded]:
    return [e for e in read_run(run_dir) if isinstance(e, ev.TrialEnded)]


# ---- space and validate --------------------------------------------------------------------
@pytest.mark.parametrize("argv", [["space"], ["space", "--default"]])
def test_space_prints_the_default_space_as_yaml(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = tunedeck(capsys, *argv)
    assert (code, err) == (0, "")
    assert Space.from_dict(yaml.safe_load(out)) == default_space()


def test_space_json_prints_the_default_space_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = tunedeck(capsys, "space", "--default", "--json")
    assert (code, err) == (0, "")
    assert Space.from_dict(json.loads(out)) == default_space()


def test_validate_counts_parameters_and_the_conditional_grid(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "space.yaml"
    path.write_text(
        "optimizer:\n  name: [adam, sgd]\n  beta_1: [0.9, 0.99]\n  momentum: [0.0, 0.5, 0.9]\n"
        "architecture:\n  nodes: [8, 16]\n"
    )
    code, out, err = tunedeck(capsys, "validate", str(path))
    assert (code, err) == (0, "")
    assert out.count("\n") == 1
    # adam brings 2 beta_1 values, sgd 3 momentum values: (2 + 3) x 2 nodes
    assert f"{len(PARAMS)} parameters" in out and "4 tuned" in out
    assert "grid of 10 configurations" in out and str(path) in out


def test_validate_says_infinite_for_a_continuous_range(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "space.json"
    path.write_text('{"optimizer": {"learning_rate": {"min": 0.0001, "max": 0.1}}}')
    code, out, err = tunedeck(capsys, "validate", str(path))
    assert (code, err) == (0, "")
    assert out.count("\n") == 1 and "infinite" in out and "optimizer.learning_rate" in out


def test_validate_names_the_bad_node(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "space.yaml"
    path.write_text("architecture:\n  nodes: [16, -4]\n")
    code, out, err = tunedeck(capsys, "validate", str(path))
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and "architecture.nodes[1]" in err and str(path) in err


# ---- help ----------------------------------------------------------------------------------
HELP = {
    "open": ("space", "--dataset"),
    "attach": ("run_dir",),
    "keys": (),
    "run": (
        "space",
        "--dataset",
        "--target",
        "--task",
        "--objective",
        "--backend",
        "--algorithm",
        "--max-trials",
        "--cv",
        "--seed",
        "--epochs",
        "--subsample",
        "--run-dir",
        "--jsonl",
        "--quiet",
    ),
    "resume": ("run_dir", "--more", "--space", "--jsonl", "--quiet"),
    "enqueue": ("run_dir", "FILE.yaml"),
    "export": ("run_dir", "--format", "--output", "--force"),
    "ls": ("dir",),
    "stop": ("run_dir", "--now"),
    "space": ("--default", "--json"),
    "validate": ("space",),
    "summary": ("space", "--dataset", "--task", "--objective"),
    "init": ("dir", "--force"),
    "worker": ("run_dir", "--chief", "--tuner-id"),
    "chief": ("run_dir", "--listen"),
    "importance": ("run_dir", "--json"),
    "compare": ("RUN_DIR", "--json"),
    "report": ("run_dir", "--output", "--force"),
    "rerun": ("run_dir", "--top", "--seeds", "--json"),
}


def test_help_lists_the_commands(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = tunedeck(capsys, "--help")
    assert code == 0
    for name in ("run", "resume", "export", "ls", "stop", "space", "validate", "attach"):
        assert name in out


def test_every_command_has_a_help_case() -> None:
    assert set(command_line().handlers) == set(HELP)


@pytest.mark.parametrize(("name", "options"), HELP.items(), ids=list(HELP))
def test_help_of_each_command(
    name: str, options: tuple[str, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = tunedeck(capsys, name, "--help")
    assert (code, err) == (0, "")
    assert f"usage: tunedeck {name}" in out
    for option in options:
        assert option in out, option


# ---- run -----------------------------------------------------------------------------------
def test_run_prints_a_line_per_trial_and_a_summary_and_writes_the_run_dir(tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    done = binary(*fake_run(run_dir, "--max-trials", "4", "--seed", "3"))
    assert done.returncode == 0, done.stderr
    assert done.stderr == "plan: 4 candidates, 4 fits, time not estimated (no model was timed)\n"
    lines = done.stdout.splitlines()
    trials = [line for line in lines if line.startswith("trial ")]
    assert [t.split()[1:3] for t in trials] == [
        ["000", "1/4"],
        ["001", "2/4"],
        ["002", "3/4"],
        ["003", "4/4"],
    ]  # each trial's id (as the tables and plots call it), then the count so far
    assert all(" score " in t and " best " in t for t in trials)
    assert lines[0].startswith("searching: fake random, 4 trials")
    assert "finished: 4/4 trials, 0 failed" in lines
    assert any(line.startswith("best trial ") for line in lines)
    assert lines[-1] == f"run directory: {run_dir}"
    for name in (SPACE, SETTINGS, JOURNAL, BEST):
        assert (run_dir / name).is_file(), name
    assert Space.load(run_dir / SPACE) == default_space()
    settings = RunSettings.from_dict(yaml.safe_load((run_dir / SETTINGS).read_text()))
    assert (settings.backend, settings.algorithm, settings.max_trials, settings.seed) == (
        "fake",
        "random",
        4,
        3,
    )
    best = yaml.safe_load((run_dir / BEST).read_text())
    assert best["score"] == load_results(run_dir).best.score


def test_run_jsonl_prints_only_json_events(tmp_path: Path) -> None:
    done = binary(*fake_run(tmp_path / "run", "--max-trials", "3", "--jsonl"))
    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in done.stdout.splitlines()]
    assert all(isinstance(r["type"], str) and isinstance(r["time"], float) for r in records)
    types = [r["type"] for r in records]
    assert types[0] == "search_started" and types[-1] == "search_finished"
    assert types.count("trial_started") == types.count("trial_ended") == 3
    assert "epoch_ended" in types


def test_run_quiet_prints_only_the_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = tunedeck(capsys, *fake_run(tmp_path / "run", "--max-trials", "3", "--quiet"))
    assert (code, err) == (0, "")
    assert out.startswith("finished: 3/3 trials, 0 failed\n")
    assert not re.search(r"^trial ", out, re.M) and "searching" not in out


def test_run_with_a_space_file_searches_that_space(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    space = tmp_path / "space.yaml"
    space.write_text("training:\n  batch_size: [16, 32]\narchitecture:\n  nodes: [8, 16, 32]\n")
    argv = fake_run(tmp_path / "run", "--algorithm", "grid", "--max-trials", "50", str(space))
    code, out, _ = tunedeck(capsys, *argv)
    assert code == 0
    assert re.search(r"^trial \d+  6/6 ", out, re.M) and not re.search(r"  7/6 ", out)
    seen = {
        (t.hyperparameters["batch_size"], t.hyperparameters["nodes"])
        for t in load_results(tmp_path / "run").trials.values()
    }
    assert seen == {(b, n) for b in (16, 32) for n in (8, 16, 32)}


def test_run_on_the_fake_backend_with_the_default_budget(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = tunedeck(capsys, "run", "--backend", "fake", "--run-dir", str(tmp_path / "r"))
    assert (code, err.startswith("plan: 10 candidates, 10 fits")) == (0, True)
    assert "finished: 10/10 trials" in out


def test_a_search_whose_every_trial_fails_exits_1_with_the_reasons(tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    done = binary(*fake_run(run_dir, "--max-trials", "3"), TUNEDECK_FAKE_FAIL_EVERY="1")
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "search failed" in done.stderr
    assert (
        "all 3 trials failed" in done.stderr and "3× ValueError: simulated failure" in done.stderr
    )
    assert search_events(run_dir)[-1] == "search_failed"
    assert [e.status for e in trial_ends(run_dir)] == ["failed"] * 3


# ---- ls and stop ---------------------------------------------------------------------------
def test_ls_lists_runs_with_state_trials_and_best(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    runs = tmp_path / "runs"
    assert tunedeck(capsys, *fake_run(runs / "a-good", "--max-trials", "3"))[0] == 0
    monkeypatch.setenv("TUNEDECK_FAKE_FAIL_EVERY", "1")
    assert tunedeck(capsys, *fake_run(runs / "b-bad", "--max-trials", "2"))[0] == 1
    (runs / "not-a-run").mkdir()
    good_run = load_results(runs / "a-good")
    started = time.strftime("%Y-%m-%d %H:%M", time.localtime(good_run.started)).split()

    code, out, err = tunedeck(capsys, "ls", str(runs))
    assert (code, err) == (0, "")
    header, good, bad = out.splitlines()
    assert header.split() == ["RUN", "STATE", "TRIALS", "BEST", "BACKEND", "STARTED", "TOOK"]
    assert good.split()[:-1] == [
        str(runs / "a-good"),
        "finished",
        "3/3",
        f"{good_run.best.score:.4f}",
        "fake",
        "random",
        *started,
    ]
    took = int(good_run.ended - good_run.started)
    assert good.split()[-1] == f"0:{took // 60:02d}:{took % 60:02d}"
    assert bad.split()[:6] == [str(runs / "b-bad"), "failed", "2/2", "-", "fake", "random"]

    code, out, _ = tunedeck(capsys, "ls", str(runs / "a-good"))
    assert code == 0 and len(out.splitlines()) == 2
    code, out, _ = tunedeck(capsys, "ls", str(runs / "not-a-run"))
    assert (code, out) == (0, f"no runs in {runs / 'not-a-run'}\n")


def test_ls_where_no_search_ran_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = tunedeck(capsys, "ls")
    assert (code, err) == (0, "")
    assert out == "no runs here yet: searches started in this folder are kept in runs/\n"
    assert tunedeck(capsys, "ls", "elsewhere")[0] == 2, "a folder named and missing is an error"


def test_stop_on_a_run_that_is_not_running_is_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert tunedeck(capsys, *fake_run(tmp_path / "run", "--max-trials", "2"))[0] == 0
    code, out, err = tunedeck(capsys, "stop", str(tmp_path / "run"))
    assert (code, out) == (2, "")
    assert err == f"tunedeck: error: {tmp_path / 'run'}: no search is running there\n"
    assert not (tmp_path / "run" / "stop-request").exists()


# ---- processes: SIGINT, resume, a second runner --------------------------------------------
def start_slow_run(run_dir: Path, trials: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        command(*fake_run(run_dir, "--max-trials", str(trials), epochs=5)),
        env=environment(TUNEDECK_FAKE_DELAY="0.2"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for_first_trial(proc: subprocess.Popen[str]) -> None:
    assert proc.stdout is not None
    for line in proc.stdout:
        if re.match(r"trial \d+  1/", line):
            return
    pytest.fail(f"no trial line; exit {proc.wait()}: {proc.stderr.read() if proc.stderr else ''}")


def interrupted_run(run_dir: Path) -> tuple[int, str]:
    """A run sent SIGINT early in its second trial (5 epochs of 0.2 s): (exit code, stderr)."""
    proc = start_slow_run(run_dir, trials=3)
    try:
        wait_for_first_trial(proc)
        time.sleep(0.2)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    return proc.returncode, err


@pytest.mark.timeout(120)
def test_sigint_stops_with_130_and_resume_finishes_every_trial_once(tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    code, err = interrupted_run(run_dir)
    assert code == 130, err
    assert "Traceback" not in err and f"tunedeck resume {run_dir}" in err
    assert search_events(run_dir)[-1] == "search_stopped"
    ended = {e.trial_id: e.status for e in trial_ends(run_dir)}
    assert ended["000"] == "completed"
    assert ended["001"] != "completed"  # interrupted mid-training: never a truncated score
    assert load_results(run_dir).state == "stopped"

    done = binary("resume", str(run_dir), "--quiet")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("finished: 3/3 trials")
    results = load_results(run_dir)
    assert results.state == "finished" and sorted(results.trials) == ["000", "001", "002"]
    completed = [e.trial_id for e in trial_ends(run_dir) if e.status == "completed"]
    assert len(completed) == len(set(completed))  # no trial completed twice
    assert search_events(run_dir)[-1] == "search_finished"
    rows = binary("export", str(run_dir), "--format", "csv").stdout.splitlines()[1:]
    assert sorted(row.split(",")[0] for row in rows) == ["000", "001", "002"]


@pytest.mark.timeout(120)
def test_sigint_records_the_running_trial_as_stopped_and_resume_reruns_it(
    tmp_path: Path,
) -> None:
    run_dir = tmp_path / "run"
    assert interrupted_run(run_dir)[0] == 130
    assert {e.trial_id: e.status for e in trial_ends(run_dir)}["001"] == "stopped"
    assert binary("resume", str(run_dir), "--quiet").returncode == 0
    assert {t.status for t in load_results(run_dir).trials.values()} == {"completed"}


@pytest.mark.timeout(120)
def test_a_second_runner_on_a_live_run_is_refused_and_stop_ends_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_dir = tmp_path / "runs" / "live"
    proc = start_slow_run(run_dir, trials=8)
    try:
        wait_for_first_trial(proc)
        journal = (run_dir / JOURNAL).read_bytes()
        for argv in (["resume", str(run_dir)], fake_run(run_dir, "--max-trials", "2")):
            code, out, err = tunedeck(capsys, *argv)
            assert (code, out) == (2, ""), argv
            assert err.count("\n") == 1 and "Traceback" not in err
            assert f"{run_dir}: a runner is already working here" in err
            assert f"tunedeck stop {run_dir}" in err
        assert (run_dir / JOURNAL).read_bytes().startswith(journal)  # only the live runner wrote

        code, out, _ = tunedeck(capsys, "ls", str(tmp_path / "runs"))
        assert code == 0 and out.splitlines()[1].split()[:2] == [str(run_dir), "running"]

        code, _, err = tunedeck(capsys, "stop", str(run_dir))
        assert code == 0 and "after the current trial" in err
        _, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 130, err
    assert search_events(run_dir)[-1] == "search_stopped"
    statuses = [e.status for e in trial_ends(run_dir)]
    assert statuses and set(statuses) == {"completed"} and len(statuses) < 8

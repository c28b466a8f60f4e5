"""The command contract: the engine command lines the console and the engine build parse as
the engine's own parser reads them, and the control files ask what they say."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from engine.backends.base import SkipTrial, StopControl, StopSearch
from engine.cli import CommandLine, add_headless_commands
from engine.prepare import new_run_dir, take_request, write_request
from engine.run.control import (
    Output,
    Priority,
    chief_args,
    engine_command,
    resume_args,
    start_args,
    worker_args,
)
from engine.run.rundir import ANY_TRIAL, SKIP, STOP, RunDir, StopMode
from engine.run.settings import RunSettings
from engine.space import default_space


def parse(args: list[str]):  # noqa: ANN201 - argparse.Namespace
    cli = CommandLine()
    add_headless_commands(cli)
    return cli.parse(args)


def test_engine_command_runs_this_interpreter() -> None:
    assert engine_command("ls", "runs") == [sys.executable, "-m", "engine", "ls", "runs"]


@pytest.mark.parametrize("output", list(Output))
@pytest.mark.parametrize("priority", list(Priority))
@pytest.mark.parametrize("restarted", [False, True])
def test_resume_arguments_parse_back(output: Output, priority: Priority, restarted: bool) -> None:
    args = parse(resume_args("runs/a", output=output, priority=priority, restarted=restarted))
    assert (args.command, args.run_dir, args.priority) == ("resume", "runs/a", priority)
    assert (args.jsonl, args.quiet) == (output is Output.JSONL, output is Output.QUIET)
    assert args.restarted is restarted


def test_chief_and_worker_arguments_parse_back() -> None:
    args = parse(chief_args("runs/a", "127.0.0.1:9000"))
    assert (args.command, args.run_dir, args.listen) == ("chief", "runs/a", "127.0.0.1:9000")
    args = parse(worker_args("runs/a", "10.0.0.5:8000", "tuner1"))
    assert (args.command, args.run_dir, args.chief, args.tuner_id) == (
        "worker",
        "runs/a",
        "10.0.0.5:8000",
        "tuner1",
    )
    assert args.parent is None
    args = parse(chief_args("runs/a", "127.0.0.1:9000", parent=41))
    assert (args.run_dir, args.parent) == ("runs/a", 41)
    args = parse(worker_args("runs/a", "127.0.0.1:9000", "tuner0", parent=41))
    assert (args.run_dir, args.tuner_id, args.parent) == ("runs/a", "tuner0", 41)


def test_start_arguments_parse_back_and_the_request_is_read_once() -> None:
    settings = RunSettings(backend="fake", max_trials=3, seed=7)
    request = write_request(default_space(), settings)
    args = parse(start_args(request, "runs/b", priority=Priority.IDLE))
    assert (args.command, args.request, args.run_dir) == ("run", str(request), "runs/b")
    assert (args.priority, args.quiet) == (Priority.IDLE, True)
    space, taken = take_request(args.request)
    assert space == default_space() and (taken.max_trials, taken.seed) == (3, 7)
    assert taken.algorithm != "auto", "the plan is fixed when the request is written"
    assert not request.exists()


def test_priority_defaults_to_normal_and_is_checked(capsys: pytest.CaptureFixture[str]) -> None:
    assert parse(["run", "--backend", "fake"]).priority == Priority.NORMAL
    with pytest.raises(SystemExit) as exit_info:
        parse(["resume", "runs/a", "--priority", "high"])
    assert exit_info.value.code == 2 and "--priority" in capsys.readouterr().err


def test_the_engine_has_no_console_commands(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        parse(["attach", "runs/a"])
    assert exit_info.value.code == 2 and "invalid choice: 'attach'" in capsys.readouterr().err


@pytest.fixture
def run(tmp_path: Path) -> RunDir:
    return RunDir.create(tmp_path / "run", default_space(), RunSettings(backend="fake"))


def test_stop_requests_are_read_as_written(run: RunDir) -> None:
    stop = StopControl(run)
    assert run.stop_request() is None and not stop.stop_after_trial()
    run.request_stop()
    assert run.stop_request() == StopMode.AFTER_TRIAL and (run.path / STOP).is_file()
    assert stop.stop_after_trial() and not stop.stop_now()
    stop.check("000")  # the running trial goes on
    run.request_stop(StopMode.NOW)
    with pytest.raises(StopSearch, match="stop requested"):
        stop.check("000")
    run.clear_stop()
    assert run.stop_request() is None


def test_a_skip_request_drops_that_trial_once(run: RunDir) -> None:
    stop = StopControl(run)
    run.request_skip("001")
    assert run.skip_request() == "001" and (run.path / SKIP).is_file()
    stop.check("000")  # another trial: not this one's request
    with pytest.raises(SkipTrial):
        stop.check("001")
    assert run.skip_request() is None  # answered
    run.request_skip()
    assert run.skip_request() == ANY_TRIAL
    with pytest.raises(SkipTrial):
        stop.check("002")


def test_new_run_dirs_never_collide(tmp_path: Path) -> None:
    first = new_run_dir("data/my set.csv", tmp_path)
    assert first.parent == tmp_path and first.name.endswith("-my_set")
    first.mkdir()
    second = new_run_dir("data/my set.csv", tmp_path)
    assert second != first and second.name.startswith(first.name)

"""Command hints printed for the user to paste ("continue it with: tunedeck resume PATH") quote
their paths for the shell: a run directory named `$(…)` never runs anything when pasted."""

from __future__ import annotations

import shlex
import subprocess
from pathlib import Path

import pytest

from engine.run.control import command_hint, shell_quote
from tests.engine.cli_helpers import fake_run, isolated_cli, tunedeck  # noqa: F401 - fixture

HOSTILE = [
    "plain",
    "a b",
    "x$(touch PWNED)",
    "it's",
    "back`touch PWNED`tick",
    "semi;touch PWNED",
    "new\nline",
    "tab\there",
    "esc\x1b[31m",
    "back\\slash'quote",
    "-starts-with-dash",
]


@pytest.mark.parametrize("name", HOSTILE)
def test_a_quoted_word_pastes_back_as_itself_and_runs_nothing(tmp_path: Path, name: str) -> None:
    quoted = shell_quote(name)
    assert "\n" not in quoted and "\x1b" not in quoted  # one line, no terminal escapes
    pasted = subprocess.run(
        ["bash", "-c", f"printf %s {quoted}"], cwd=tmp_path, capture_output=True, check=True
    ).stdout
    assert pasted.decode() == name
    assert not (tmp_path / "PWNED").exists()


def test_a_hint_quotes_every_word() -> None:
    assert command_hint("resume", "runs/a b") == "tunedeck resume 'runs/a b'"
    assert command_hint("attach", Path("runs/ok")) == "tunedeck attach runs/ok"


@pytest.mark.usefixtures("isolated_cli")
def test_the_hints_the_cli_prints_are_quoted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_dir = tmp_path / "runs" / "x$(touch PWNED)"
    assert tunedeck(capsys, *fake_run(run_dir, "--max-trials", "1"))[0] == 0
    code, _, err = tunedeck(capsys, *fake_run(run_dir, "--max-trials", "1"))
    assert code == 2 and err.count("\n") == 1
    assert f"continue it with: tunedeck resume {shlex.quote(str(run_dir))})" in err

    project = tmp_path / "my $(touch PWNED) project"
    code, out, _ = tunedeck(capsys, "init", str(project))
    space = shlex.quote(str(project / "space.yaml"))
    assert code == 0 and f"next: tunedeck run {space} (or open it: tunedeck {space})" in out
    assert not (tmp_path / "PWNED").exists()

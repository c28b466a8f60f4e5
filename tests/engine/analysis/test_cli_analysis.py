"""`tunedeck importance`, `compare` and `report` as a user runs them: output, JSON, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.space import default_space
from tests.analysis_runs import write_analysis_run
from tests.engine.cli_helpers import tunedeck


@pytest.fixture
def runs(tmp_path: Path) -> tuple[Path, Path]:
    return (
        write_analysis_run(tmp_path / "a", trials=12, failed=(5,)),
        write_analysis_run(tmp_path / "b", trials=4, shift=0.05),
    )


def test_importance_prints_a_ranked_table(capsys, runs) -> None:
    code, out, err = tunedeck(capsys, "importance", str(runs[0]))
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0].startswith("importance for val_accuracy over 11 completed trials")
    assert [line.split()[0] for line in lines[2:]] == ["optimizer", "batch_size", "dropout"]
    assert "note:" not in out


def test_importance_json_and_its_warning(capsys, runs) -> None:
    code, out, _ = tunedeck(capsys, "importance", str(runs[1]), "--json")
    data = json.loads(out)
    assert code == 0 and data["trials"] == 4 and data["trusted"] is False
    assert "too few to trust" in data["note"]
    assert data["importance"][0]["parameter"] == "optimizer"


def test_compare_prints_best_scores_and_the_differing_parameters(capsys, runs) -> None:
    code, out, _ = tunedeck(capsys, "compare", str(runs[0]), str(runs[1]))
    assert code == 0
    rows = [line.split() for line in out.splitlines()[1:3]]
    assert rows == [
        [str(runs[0]), "val_accuracy", "(max)", "12", "005", "0.9010"],
        [str(runs[1]), "val_accuracy", "(max)", "4", "001", "0.9505"],
    ]
    same = len(default_space().defaults()) - 1  # all but batch_size
    assert "batch_size  64" in out and f"and {same} parameters the same in every run" in out
    assert f"{runs[1]}: 0.5502@000 → 0.9505@001" in out


def test_compare_json(capsys, runs) -> None:
    code, out, _ = tunedeck(capsys, "compare", str(runs[0]), str(runs[1]), "--json")
    data = json.loads(out)
    assert [r["best_score"] for r in data["runs"]] == [0.901, 0.9505]
    assert data["best_config_diff"][0] == {
        "parameter": "batch_size",
        "values": [64, 32],
        "differs": True,
    }


def test_report_writes_once_and_refuses_to_overwrite(capsys, runs, tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    code, _, err = tunedeck(capsys, "report", str(runs[0]), "-o", str(target))
    assert code == 0 and err == f"wrote {target}\n"
    page = target.read_text()
    assert page.startswith("<!DOCTYPE html>") and page.count("<svg") == 4
    target.write_text("mine")
    code, _, err = tunedeck(capsys, "report", str(runs[0]), "-o", str(target))
    assert code == 2 and err.count("\n") == 1 and str(target) in err
    assert target.read_text() == "mine"
    code, _, _ = tunedeck(capsys, "report", str(runs[0]), "-o", str(target), "--force")
    assert code == 0 and target.read_text() == page


@pytest.mark.parametrize("command", [["importance"], ["compare"], ["report", "-o", "r.html"]])
def test_a_bad_run_dir_is_one_line_and_exit_2(capsys, tmp_path: Path, command) -> None:
    missing = tmp_path / "nope"
    code, out, err = tunedeck(capsys, command[0], str(missing), *command[1:])
    assert code == 2 and out == ""
    assert err == f"tunedeck: error: {missing}: no such run directory\n"
    assert not (tmp_path / "r.html").exists()


def test_report_into_a_missing_folder_is_one_line(capsys, runs, tmp_path: Path) -> None:
    target = tmp_path / "no" / "report.html"
    code, _, err = tunedeck(capsys, "report", str(runs[0]), "-o", str(target))
    assert (
        code == 2
        and err == f"tunedeck: error: {target}: cannot write (No such file or directory)\n"
    )


def test_report_of_a_run_whose_every_trial_failed(capsys, tmp_path: Path) -> None:
    run = write_analysis_run(tmp_path / "bad", trials=2, failed=(1, 2))
    code, _, _ = tunedeck(capsys, "report", str(run), "-o", str(tmp_path / "r.html"))
    page = (tmp_path / "r.html").read_text()
    assert code == 0 and "<svg" not in page and page.count("ValueError: boom</h3>") == 2
    code, out, _ = tunedeck(capsys, "importance", str(run))
    assert code == 0 and out.splitlines()[-1] == "note: no completed trial yet"

"""Exports from the CLI: every format's content, no overwrite without --force, golden files.

Golden files: `tests/engine/golden/`; regenerate with TUNEDECK_UPDATE_GOLDEN=1 and review the diff.
"""

from __future__ import annotations

import ast
import csv
import io
import json
import os
import signal
from importlib import metadata
from pathlib import Path

import pytest
import yaml

from engine.cli import main
from engine.run import events as ev
from engine.run.kept import load_results
from engine.run.rundir import JOURNAL, RunDir
from engine.run.settings import RunSettings
from engine.space import Space
from engine.space.schema import PARAMS, is_active
from tests.engine.cli_helpers import fake_run, isolated_cli, tunedeck  # noqa: F401 - fixture

GOLDEN = Path(__file__).parent / "golden"
NAMES = [p.name for p in PARAMS]
pytestmark = pytest.mark.usefixtures("isolated_cli")  # each test in its own folder


# ---- export --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def finished(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A finished fake run with some failed trials, exported from by several tests."""
    run_dir = tmp_path_factory.mktemp("finished") / "run"
    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TUNEDECK_FAKE_DELAY", "0")
        mp.setenv("TUNEDECK_FAKE_FAIL_EVERY", "3")
        assert main(fake_run(run_dir, "--max-trials", "6", "--seed", "5", "--quiet")) == 0
    for sig, handler in saved.items():
        signal.signal(sig, handler)
    return run_dir


def export(capsys: pytest.CaptureFixture[str], run_dir: Path, fmt: str, out: Path, *extra: str):
    return tunedeck(capsys, "export", str(run_dir), "--format", fmt, "-o", str(out), *extra)


def test_export_yaml_and_json_hold_the_best_record(
    finished: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    results = load_results(finished)
    for fmt in ("yaml", "json"):
        code, out, err = export(capsys, finished, fmt, tmp_path / f"best.{fmt}")
        assert (code, out) == (0, "") and err == f"wrote {tmp_path / f'best.{fmt}'}\n"
    record = yaml.safe_load((tmp_path / "best.yaml").read_text())
    assert json.loads((tmp_path / "best.json").read_text()) == record
    hps = record["hyperparameters"]
    best = results.best.hyperparameters
    # flat, catalogue names only, catalogue order, only those that apply to the winner
    assert list(hps) == [name for name in NAMES if is_active(name, best)]
    assert not any(isinstance(v, dict | list) for v in hps.values())
    assert hps.items() <= best.items() and "momentum" not in hps
    assert (
        record["score"]
        == results.best.score
        == max(t.score for t in results.trials.values() if t.status == "completed")
    )
    assert record["trial_id"] == results.best.trial_id
    assert record["objective"] == {"metric": "val_accuracy", "direction": "max"}
    assert record["model"] == "built-in" and record["task"] == "classification"
    assert record["test_score"] is None  # the fake backend does not retrain
    assert (record["backend"], record["algorithm"]) == ("fake", "random")
    assert (record["dataset"], record["seed"]) == ("digits", 5)
    assert record["versions"]["tunedeck"] == metadata.version("tunedeck")


def test_export_csv_has_a_row_per_trial_and_every_hyperparameter(
    finished: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, _ = export(capsys, finished, "csv", tmp_path / "trials.csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO((tmp_path / "trials.csv").read_text())))
    header = list(rows[0])
    assert {"score", "status", "duration_s"} <= set(header) and header[-len(NAMES) :] == NAMES
    trials = load_results(finished).trials
    assert [r["trial_id"] for r in rows] == sorted(trials) and len(rows) == 6
    assert [r["status"] for r in rows] == ["completed", "completed", "failed"] * 2
    for row in rows:
        trial = trials[row["trial_id"]]
        assert row["score"] == ("" if trial.score is None else str(trial.score))
        assert float(row["duration_s"]) == trial.duration
        assert row["learning_rate"] == str(trial.hyperparameters["learning_rate"])


def test_export_python_is_a_script_with_the_best_configuration(
    finished: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert export(capsys, finished, "python", tmp_path / "train.py")[0] == 0
    assert export(capsys, finished, "yaml", tmp_path / "best.yaml")[0] == 0
    record = yaml.safe_load((tmp_path / "best.yaml").read_text())
    tree = ast.parse((tmp_path / "train.py").read_text())
    constants = {
        node.targets[0].id: ast.literal_eval(node.value)
        for node in tree.body
        if isinstance(node, ast.Assign)
        and isinstance(node.targets[0], ast.Name)
        and node.targets[0].id in ("CONFIG", "DATASET", "SEED", "EPOCHS")
    }
    config = constants.pop("CONFIG")  # every parameter, as the model is built from them
    assert list(config) == NAMES and record["hyperparameters"].items() <= config.items()
    assert constants == {"DATASET": "digits", "SEED": 5, "EPOCHS": record["retrain_epochs"]}


def test_export_to_stdout(finished: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = tunedeck(capsys, "export", str(finished), "--format", "csv")
    assert (code, err) == (0, "")
    assert out.startswith("trial_id,") and len(out.splitlines()) == 7


@pytest.mark.parametrize("fmt", ["yaml", "json", "csv", "python"])
def test_export_never_overwrites_without_force(
    fmt: str, finished: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / f"mine.{fmt}"
    target.write_bytes(b"precious \x00 bytes\n")
    code, out, err = export(capsys, finished, fmt, target)
    assert (code, out) == (2, "")
    assert err == f"tunedeck: error: {target}: exists (use --force to overwrite)\n"
    assert target.read_bytes() == b"precious \x00 bytes\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]  # no temporary left

    code, _, _ = export(capsys, finished, fmt, target, "--force")
    assert code == 0
    assert target.read_bytes() != b"precious \x00 bytes\n"
    assert export(capsys, finished, fmt, tmp_path / f"fresh.{fmt}")[0] == 0
    assert target.read_bytes() == (tmp_path / f"fresh.{fmt}").read_bytes()


# ---- golden files --------------------------------------------------------------------------
def golden_run(path: Path) -> Path:
    """A run whose journal is written by hand: fixed events at fixed times."""
    space = Space.from_dict(
        {"training": {"batch_size": [16, 32], "epochs": 4}, "architecture": {"nodes": [8, 16]}}
    )
    settings = RunSettings(
        dataset="iris",
        backend="keras-tuner",
        algorithm="random",
        max_trials=3,
        seed=7,
        reason="chosen by hand",
    )
    run = RunDir.create(path, space, settings)
    base = space.defaults()
    t0 = 1_700_000_000.0

    def config(batch_size: int, nodes: int) -> dict:
        # `tuner/epochs` is what Hyperband adds: no export may show it
        return {**base, "batch_size": batch_size, "nodes": nodes, "tuner/epochs": 4}

    def epoch(at: float, trial_id: str, n: int, val_loss: float, val_acc: float) -> ev.EpochEnded:
        logs = {
            "loss": val_loss - 0.1,
            "accuracy": val_acc - 0.05,
            "val_loss": val_loss,
            "val_accuracy": val_acc,
        }
        return ev.EpochEnded(time=t0 + at, trial_id=trial_id, epoch=n, logs=logs, epochs=4)

    events = [
        ev.SearchStarted(
            time=t0,
            space=space.to_dict(),
            backend="keras-tuner",
            algorithm="random",
            planned_trials=3,
            reason="chosen by hand",
            settings=settings.to_dict(),
        ),
        ev.TrialStarted(
            time=t0 + 1, trial_id="000", number=1, hyperparameters=config(16, 8), epochs=4
        ),
        epoch(5, "000", 1, 0.9, 0.625),
        epoch(10, "000", 2, 0.5, 0.8125),  # the best val_loss: restored, so retrained 2 epochs
        epoch(15, "000", 3, 0.6, 0.8125),
        ev.TrialEnded(
            time=t0 + 20, trial_id="000", status="completed", score=0.8125, duration=12.5
        ),
        ev.TrialStarted(
            time=t0 + 21, trial_id="001", number=2, hyperparameters=config(32, 16), epochs=4
        ),
        ev.TrialEnded(
            time=t0 + 22,
            trial_id="001",
            status="failed",
            duration=0.25,
            reason='ValueError: bad "shape", got (3, 4)',
        ),
        ev.TrialStarted(
            time=t0 + 23, trial_id="002", number=3, hyperparameters=config(32, 8), epochs=4
        ),
        epoch(25, "002", 1, 0.7, 0.75),
        ev.TrialEnded(
            time=t0 + 30, trial_id="002", status="stopped", duration=3.0, reason="stop requested"
        ),
        ev.SearchFinished(
            time=t0 + 40,
            best_trial_id="000",
            best_score=0.8125,
            test_score=0.7931,
            test_metrics={"accuracy": 0.7931, "loss": 0.52},
        ),
    ]
    (run.path / JOURNAL).write_text("".join(e.to_json() + "\n" for e in events))
    return run.path


@pytest.mark.parametrize(
    ("fmt", "golden"), [("csv", "trials.csv"), ("history", "history.csv"), ("yaml", "best.yaml")]
)
def test_export_matches_the_golden_file(
    fmt: str,
    golden: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("engine.export.exporter.versions", lambda: {"tunedeck": "0.0.0-golden"})
    run_dir = golden_run(tmp_path / "golden-run")
    code, _, err = export(capsys, run_dir, fmt, tmp_path / golden)
    assert code == 0, err
    produced = (tmp_path / golden).read_text()
    if os.environ.get("TUNEDECK_UPDATE_GOLDEN"):
        (GOLDEN / golden).write_text(produced)
    assert produced == (GOLDEN / golden).read_text()

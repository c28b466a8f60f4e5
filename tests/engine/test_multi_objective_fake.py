"""Two objectives and a constraint, end to end on the fake backend (in-process, no TensorFlow):
the journal, the trials CSV, best.yaml, `export --pick` and the exit code of a search in
which nothing is feasible."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
import yaml

from engine.run.kept import load_results
from tests.engine.cli_helpers import fake_run, isolated_cli, tunedeck

__all__ = ["isolated_cli"]

SPACE = """\
objective: [val_accuracy:max, params:min]
constraints: [params <= {bound}]
architecture:
  nodes: {{type: choice, values: [8, 16, 32, 64]}}
"""
NODES_PARAMS = {8: 610, 16: 1210, 32: 2410, 64: 4810}  # the fake backend's MLP, 64 inputs


@pytest.fixture
def searched(tmp_path: Path, isolated_cli: None, capsys: pytest.CaptureFixture[str]) -> Path:
    (tmp_path / "space.yaml").write_text(SPACE.format(bound=2000))
    code, out, err = tunedeck(capsys, *fake_run(tmp_path / "run"), "space.yaml")
    assert code == 0, err
    assert "Pareto front" in out
    return tmp_path / "run"


def test_csv_has_a_column_per_objective_and_feasibility(searched: Path, capsys) -> None:
    code, out, _ = tunedeck(capsys, "export", str(searched), "--format", "csv")
    assert code == 0
    rows = {int(r["nodes"]): r for r in csv.DictReader(io.StringIO(out))}
    assert {n: float(r["params"]) for n, r in rows.items()} == NODES_PARAMS
    assert {n: r["feasible"] for n, r in rows.items()} == {
        8: "true",
        16: "true",
        32: "false",
        64: "false",
    }
    assert rows[32]["front"] == rows[64]["front"] == ""  # infeasible: on no front


def test_best_is_never_infeasible_and_the_front_holds_the_tradeoff(searched: Path) -> None:
    results = load_results(searched)
    feasible = {t.trial_id for t in results.trials.values() if not t.infeasible}
    assert results.best_trial_id in feasible
    by_nodes = {int(t.hyperparameters["nodes"]): t for t in results.trials.values()}
    best_accuracy = max((by_nodes[8], by_nodes[16]), key=lambda t: t.score or 0)
    assert results.best is best_accuracy
    fronts = results.front()
    assert set(fronts) == feasible
    board = results.leaderboard()
    assert [t.trial_id for t in board[: len(feasible)]] == sorted(
        feasible, key=lambda i: (fronts[i], -(results.trials[i].score or 0))
    )
    best = yaml.safe_load((searched / "best.yaml").read_text())
    assert best["feasible"] is True and best["values"]["params"] <= 2000
    assert [o["metric"] for o in best["objectives"]] == ["val_accuracy", "params"]


def test_export_pick_gives_the_chosen_trial(searched: Path, capsys) -> None:
    results = load_results(searched)
    other = next(t for t in results.trials.values() if t.trial_id != results.best_trial_id)
    code, out, _ = tunedeck(
        capsys, "export", str(searched), "--format", "yaml", "--pick", other.trial_id
    )
    record = yaml.safe_load(out)
    assert code == 0 and record["trial_id"] == other.trial_id
    assert record["hyperparameters"]["nodes"] == other.hyperparameters["nodes"]
    assert record["test_score"] is None  # only the retrained best was tested
    code, _, err = tunedeck(capsys, "export", str(searched), "--format", "csv", "--pick", "000")
    assert code == 2 and "--pick" in err and "Traceback" not in err
    code, _, err = tunedeck(capsys, "export", str(searched), "--format", "yaml", "--pick", "nope")
    assert code == 2 and "no trial 'nope'" in err


def test_nothing_feasible_ends_with_exit_1_naming_the_constraint(
    tmp_path: Path, isolated_cli, capsys
) -> None:
    (tmp_path / "space.yaml").write_text(SPACE.format(bound=100))
    code, _, err = tunedeck(capsys, *fake_run(tmp_path / "run"), "space.yaml")
    assert code == 1
    line = err.strip().splitlines()[-1]
    assert "infeasible" in line and "params <= 100" in line and "Traceback" not in err


def test_single_objective_journal_is_unchanged(tmp_path: Path, isolated_cli, capsys) -> None:
    code, _, _ = tunedeck(capsys, *fake_run(tmp_path / "run"), "--max-trials", "2")
    assert code == 0
    journal = (tmp_path / "run" / "events.jsonl").read_text()
    for key in ('"objectives"', '"constraints"', '"values"', '"infeasible"'):
        assert key not in journal


def test_objective_flag_takes_a_comma_separated_list(tmp_path: Path, isolated_cli, capsys) -> None:
    code, out, _ = tunedeck(
        capsys,
        *fake_run(tmp_path / "run"),
        "--max-trials",
        "3",
        "--objective",
        "val_accuracy,latency_ms",
    )
    assert code == 0 and "latency_ms (min)" in out
    results = load_results(tmp_path / "run")
    assert [o.metric for o in results.goals.items] == ["val_accuracy", "latency_ms"]
    assert all(t.values["latency_ms"] > 0 for t in results.trials.values())


def test_report_shows_the_front(searched: Path, capsys) -> None:
    code, _, err = tunedeck(capsys, "report", str(searched), "-o", "report.html")
    assert code == 0, err
    page = Path("report.html").read_text()
    section = page[page.index('<section id="pareto">') :]
    section = section[: section.index("</section>")]
    front = [t for t, rank in load_results(searched).front().items() if rank == 0]
    assert all(f"<td>{trial_id}</td>" in section for trial_id in front)
    assert '<figure id="pareto-plot">' in section
    assert "<th>params</th>" in page[page.index('<section id="leaderboard">') :]


def test_the_kept_summary_holds_every_objective_and_constraint(searched: Path) -> None:
    from engine.run.journal import read_run
    from engine.run.results import replay
    from engine.run.summary import SUMMARY

    load_results(searched)
    assert (searched / SUMMARY).exists()  # the run's results are kept beside its journal
    kept, replayed = load_results(searched), replay(read_run(searched))
    assert kept.trials == replayed.trials and kept.best_trial_id == replayed.best_trial_id
    assert (kept.objectives, kept.constraints) == (replayed.objectives, replayed.constraints)
    assert [t.trial_id for t in kept.leaderboard()] == [t.trial_id for t in replayed.leaderboard()]
    assert {t.trial_id: t.infeasible for t in kept.trials.values()} == {
        t.trial_id: t.infeasible for t in replayed.trials.values()
    }

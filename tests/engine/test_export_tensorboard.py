"""`export --format tensorboard`: a folder TensorBoard's HParams dashboard reads, checked by
reading its event files back and parsing them with TensorBoard's own plugin readers."""

from __future__ import annotations

import struct
from pathlib import Path
from typing import Any

import pytest

from engine.run.kept import load_results
from tests.engine.cli_helpers import fake_run, isolated_cli, tunedeck  # noqa: F401 - fixture

pytestmark = pytest.mark.usefixtures("isolated_cli")


def events_in(folder: Path) -> list[Any]:
    """Every event of the folder's own event files (a TFRecord each: length, its CRC, the
    serialised Event, its CRC)."""
    from tensorboard.compat.proto.event_pb2 import Event

    found = []
    for path in sorted(folder.glob("events.out.tfevents.*")):
        data = path.read_bytes()
        at = 0
        while at < len(data):
            (length,) = struct.unpack("<Q", data[at : at + 8])
            found.append(Event.FromString(data[at + 12 : at + 12 + length]))
            at += 12 + length + 4
    return found


def summaries(folder: Path) -> dict[str, list[tuple[int, Any]]]:
    out: dict[str, list[tuple[int, Any]]] = {}
    for event in events_in(folder):
        for value in event.summary.value:
            out.setdefault(value.tag, []).append((event.step, value))
    return out


def scalar(value: Any) -> float:
    from tensorboard.util import tensor_util

    return float(tensor_util.make_ndarray(value.tensor))


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """One fake run of 5 trials (2 epochs), exported once for the tests below."""
    from tui.cli import main

    folder = tmp_path_factory.mktemp("tb")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(folder)
        patch.setenv("TUNEDECK_FAKE_DELAY", "0")
        assert main([*fake_run(folder / "run", "--max-trials", "5", "--seed", "3"), "--quiet"]) == 0
        assert main(["export", str(folder / "run"), "--format", "tensorboard"]) == 0
    return folder / "run", folder / "run-tensorboard"


def test_the_experiment_names_every_varied_parameter_and_the_score(exported) -> None:
    from tensorboard.plugins.hparams import metadata

    run, logdir = exported
    results = load_results(run)
    (config,) = summaries(logdir)[metadata.EXPERIMENT_TAG]
    plugin = config[1].metadata.plugin_data
    assert plugin.plugin_name == metadata.PLUGIN_NAME
    experiment = metadata.parse_experiment_plugin_data(plugin.content)
    names = [h.name for h in experiment.hparam_infos]
    varied = {
        n
        for t in results.trials.values()
        for n in t.hyperparameters
        if len({repr(u.hyperparameters.get(n)) for u in results.trials.values()}) > 1
    }
    assert names and set(names) == varied
    tags = [m.name.tag for m in experiment.metric_infos]
    assert tags[0] == "score" and {"loss", "val_accuracy"} <= set(tags)
    assert experiment.metric_infos[0].description == "val_accuracy (max)"


def test_each_trial_holds_its_values_curves_and_score(exported) -> None:
    from tensorboard.plugins.hparams import metadata

    run, logdir = exported
    results = load_results(run)
    assert sorted(p.name for p in logdir.iterdir() if p.is_dir()) == sorted(results.trials)
    for trial_id, trial in results.trials.items():
        found = summaries(logdir / trial_id)
        (start,) = found[metadata.SESSION_START_INFO_TAG]
        info = metadata.parse_session_start_info_plugin_data(start[1].metadata.plugin_data.content)
        assert info.group_name == trial_id
        for name, value in info.hparams.items():
            kind = value.WhichOneof("kind")
            got = getattr(value, kind)
            expected = trial.hyperparameters[name]
            assert got == pytest.approx(expected) if kind == "number_value" else got == expected
        assert [(step, scalar(v)) for step, v in found["val_accuracy"]] == [
            (row["epoch"], pytest.approx(row["val_accuracy"])) for row in trial.curve
        ]
        assert [scalar(v) for _, v in found["score"]] == [pytest.approx(trial.score)]


def test_an_existing_folder_is_kept_unless_forced(exported, capsys) -> None:
    run, logdir = exported
    code, _, err = tunedeck(
        capsys, "export", str(run), "--format", "tensorboard", "-o", str(logdir)
    )
    assert code == 2 and "exists (use --force to overwrite)" in err
    (logdir / "mine.txt").write_text("old")
    code, _, err = tunedeck(
        capsys, "export", str(run), "--format", "tensorboard", "-o", str(logdir), "--force"
    )
    assert code == 0 and not (logdir / "mine.txt").exists()
    assert [p.name for p in logdir.parent.iterdir() if p.name.startswith(".")] == []

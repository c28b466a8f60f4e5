"""`--workers auto`: the plan picks the count from the cores, the GPUs and the search's size and
says why; on a machine with GPUs each worker gets its own device (here a faked device list:
the detector's override, a fake `nvidia-smi`, a fake /proc), and its trials record it."""

from __future__ import annotations

import csv
import io
import os
import stat
from pathlib import Path

import pytest

from engine.backends.keras_tuner.cluster import node_context
from engine.backends.keras_tuner.coordinator import devices_for, node_environment
from engine.cli import main
from engine.errors import InputError
from engine.export.exporter import trials_csv
from engine.plan import cores, devices
from engine.plan.devices import FAKE, GPU, Gpu, gpus
from engine.plan.planner import plan
from engine.prepare import prepare
from engine.run import events as ev
from engine.run.journal import read_run
from engine.run.results import replay
from engine.run.settings import AUTO_WORKERS, RunSettings
from engine.space import default_space


@pytest.fixture(autouse=True)
def no_gpus(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(FAKE, "")
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
    monkeypatch.setattr(cores, "usable", lambda: 2)


def _auto(trials: int, epochs: int) -> RunSettings:
    return RunSettings(
        backend="keras-tuner",
        algorithm="random",
        max_trials=trials,
        epochs=epochs,
        workers=AUTO_WORKERS,
    )


def test_auto_runs_one_worker_when_the_search_is_short() -> None:
    chosen = plan(default_space(), _auto(4, 2))
    assert chosen.workers == 1 and chosen.gpus == ()
    assert chosen.reason.endswith(
        "one worker: 4 trials and 8 epochs are too few to repay a second worker's start-up"
    )


def test_auto_uses_the_cores_on_a_long_search(monkeypatch: pytest.MonkeyPatch) -> None:
    assert plan(default_space(), _auto(32, 4)).workers == 2
    assert plan(default_space(), _auto(32, 4)).reason.endswith("2 workers: 2 cores, 32 trials")
    monkeypatch.setattr(cores, "usable", lambda: 1)
    assert plan(default_space(), _auto(32, 4)).reason.endswith("one worker: one core")
    monkeypatch.setattr(cores, "usable", lambda: 64)
    assert plan(default_space(), _auto(6, 20)).workers == 2  # no more than trials / 3


def test_a_count_asked_is_kept_and_scikit_learn_auto_is_one_process() -> None:
    asked = plan(default_space(), _auto(4, 2).but(workers=3))
    assert asked.workers == 3 and "worker" not in asked.reason
    sk = plan(default_space(), _auto(40, 4).but(backend="sklearn", algorithm="random"))
    assert sk.workers == 1 and "joblib" in sk.reason


def test_auto_runs_one_worker_per_gpu_and_names_them(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(FAKE, "NVIDIA H200,NVIDIA H200,NVIDIA L4")
    chosen = plan(default_space(), _auto(4, 2))  # short, but GPUs are there to be used
    assert chosen.workers == 3
    assert [g.index for g in chosen.gpus] == ["0", "1", "2"]
    assert chosen.reason.endswith(
        "one worker per GPU: 3 workers on GPU 0 (NVIDIA H200), "
        "GPU 1 (NVIDIA H200), GPU 2 (NVIDIA L4)"
    )
    assert plan(default_space(), _auto(2, 2)).workers == 2  # never more than trials
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "2")  # the user's own limit is kept
    one = plan(default_space(), _auto(4, 2))
    assert one.workers == 1 and one.reason.endswith("one worker on GPU 2 (NVIDIA L4)")


def test_each_worker_environment_gets_its_own_device(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(FAKE, "A100,A100")
    chosen = plan(default_space(), _auto(8, 2))
    envs = [node_environment(1, gpu) for gpu in devices_for(chosen.workers, chosen.gpus)]
    assert [e["CUDA_VISIBLE_DEVICES"] for e in envs] == ["0", "1"]
    assert [e[GPU] for e in envs] == ["0", "1"]
    assert all(e["TF_FORCE_GPU_ALLOW_GROWTH"] == "true" for e in envs)
    assert all(e["CUDA_DEVICE_ORDER"] == "PCI_BUS_ID" for e in envs)
    three = devices_for(3, chosen.gpus)  # more workers asked than GPUs: shared in turn
    assert [g.index if g else None for g in three] == ["0", "1", "0"]
    assert devices_for(2, ()) == [None, None]
    assert GPU not in node_environment(1, None) or os.environ.get(GPU) is not None


def test_a_worker_given_a_gpu_records_it_on_its_trials(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = prepare(
        tmp_path / "run", default_space(), _auto(8, 1).but(backend="fake", algorithm="random")
    )
    monkeypatch.setenv(GPU, "1")
    ctx = node_context(run, "events-tuner1.jsonl", "tuner1", None)
    ctx.emit(ev.TrialStarted(trial_id="0", number=1, hyperparameters={}))
    monkeypatch.delenv(GPU)
    other = node_context(run, "events-tuner0.jsonl", "tuner0", None)
    other.emit(ev.TrialStarted(trial_id="1", number=2, hyperparameters={}))
    results = replay(read_run(run.path))
    trials = results.trials
    assert (trials["0"].gpu, trials["0"].worker) == ("1", "tuner1")
    assert trials["1"].gpu is None
    rows = list(csv.DictReader(io.StringIO(trials_csv(results))))  # the trials CSV says it too
    assert [(r["worker"], r["gpu"]) for r in rows] == [("tuner1", "1"), ("tuner0", "")]


def test_detection_reads_nvidia_smi(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tool = tmp_path / "nvidia-smi"
    tool.write_text(
        "#!/bin/sh\necho 'GPU 0: NVIDIA H200 (UUID: GPU-1a2b)'\n"
        "echo 'GPU 1: Tesla T4 (UUID: GPU-3c4d)'\n"
    )
    tool.chmod(tool.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.delenv(FAKE)
    devices._detected.cache_clear()
    try:
        assert gpus() == (Gpu("0", "NVIDIA H200", "GPU-1a2b"), Gpu("1", "Tesla T4", "GPU-3c4d"))
    finally:
        devices._detected.cache_clear()


def test_cuda_visible_devices_may_name_gpus_by_uuid(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Slurm and container runtimes often set UUIDs: each names its card (whole, a prefix, or
    without `GPU-`), and the worker is handed the card by UUID, not by a renumbered index."""
    tool = tmp_path / "nvidia-smi"
    tool.write_text(
        "#!/bin/sh\necho 'GPU 0: NVIDIA H200 (UUID: GPU-1a2b-77)'\n"
        "echo 'GPU 1: Tesla T4 (UUID: GPU-3c4d-88)'\n"
        "echo 'GPU 2: NVIDIA L4 (UUID: GPU-5e6f-99)'\n"
    )
    tool.chmod(tool.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.delenv(FAKE)
    devices._detected.cache_clear()
    try:
        for visible, expected in (
            ("GPU-3c4d-88", ["1"]),
            ("GPU-5e6f,GPU-1a2b", ["0", "2"]),
            ("3c4d", ["1"]),
            ("2, GPU-3c4d-88", ["1", "2"]),
            ("GPU-0000", []),
            ("", []),
        ):
            monkeypatch.setenv("CUDA_VISIBLE_DEVICES", visible)
            assert [g.index for g in gpus()] == expected, visible
        monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "GPU-3c4d")
        env = devices.worker_environment(gpus()[0])
        assert (env["CUDA_VISIBLE_DEVICES"], env[GPU]) == ("GPU-3c4d-88", "1")
    finally:
        devices._detected.cache_clear()


def test_detection_falls_back_to_the_driver(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for bus, model in (("0000:65:00.0", "NVIDIA A10"), ("0000:17:00.0", "NVIDIA H100")):
        (tmp_path / bus).mkdir()
        (tmp_path / bus / "information").write_text(f"Model: \t\t {model}\nIRQ: 1\n")
    (tmp_path / "0000:17:00.0" / "information").write_text(
        "Model: \t\t NVIDIA H100\nGPU UUID: \t GPU-aa11\n"
    )
    monkeypatch.setattr(devices, "PROC", tmp_path)
    monkeypatch.setattr(devices.shutil, "which", lambda name: None)
    assert devices._from_proc() == (Gpu("0", "NVIDIA H100", "GPU-aa11"), Gpu("1", "NVIDIA A10"))
    monkeypatch.setattr(devices, "PROC", tmp_path / "absent")
    assert devices._from_proc() == () and devices._from_nvidia_smi() == ()


def test_auto_is_stored_and_read_as_auto() -> None:
    settings = _auto(4, 2)
    assert settings.to_dict()["workers"] == "auto"
    assert RunSettings.from_dict(settings.to_dict()).workers == AUTO_WORKERS
    assert RunSettings.from_dict({"workers": 3}).workers == 3
    for bad in ("many", -1, True):
        with pytest.raises(InputError, match="workers: must be auto or an integer >= 1"):
            RunSettings.from_dict({"workers": bad})


def test_the_cli_takes_auto(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = tmp_path / "run"
    code = main(
        [
            "run",
            "--backend",
            "fake",
            "--max-trials",
            "2",
            "--epochs",
            "1",
            "--workers",
            "auto",
            "--run-dir",
            str(run),
            "--quiet",
        ]
    )
    assert code == 0
    started = next(e for e in read_run(run) if isinstance(e, ev.SearchStarted))
    assert started.settings["workers"] == "auto" and started.reason.endswith(
        "one worker (fake trains in one process)"
    )
    with pytest.raises(SystemExit) as exit_:
        main(["run", "--backend", "fake", "--workers", "0", "--run-dir", str(tmp_path / "x")])
    assert exit_.value.code == 2
    assert "--workers: expected a positive integer, got 0" in capsys.readouterr().err


def test_the_core_count_follows_affinity_and_the_cgroup_quota(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """taskset, Slurm and containers give a process fewer cores than the machine has: `auto`
    must not start a TensorFlow worker for each core it cannot use."""
    monkeypatch.undo()
    monkeypatch.setattr(os, "cpu_count", lambda: 64)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2}, raising=False)
    proc = tmp_path / "cgroup"
    proc.write_text("0::/job/step\n")
    monkeypatch.setattr(cores, "PROC_CGROUP", proc)
    monkeypatch.setattr(cores, "CGROUP_ROOT", tmp_path / "fs")
    (tmp_path / "fs/job/step").mkdir(parents=True)
    assert cores.usable() == 3  # the affinity (no quota written)
    (tmp_path / "fs/job/step/cpu.max").write_text("max 100000\n")
    (tmp_path / "fs/job/cpu.max").write_text("150000 100000\n")  # a parent's 1.5 cores bind
    assert cores.usable() == 2
    (tmp_path / "fs/job/step/cpu.max").write_text("50000 100000\n")
    assert cores.usable() == 1
    proc.write_text("4:cpu,cpuacct:/slurm/uid_1\n")  # cgroup v1
    (tmp_path / "fs/cpu,cpuacct/slurm/uid_1").mkdir(parents=True)
    (tmp_path / "fs/cpu,cpuacct/slurm/uid_1/cpu.cfs_quota_us").write_text("200000\n")
    (tmp_path / "fs/cpu,cpuacct/slurm/uid_1/cpu.cfs_period_us").write_text("100000\n")
    assert cores.usable() == 2
    monkeypatch.setenv(FAKE, "")
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
    assert plan(default_space(), _auto(32, 4)).reason.endswith("2 workers: 2 cores, 32 trials")

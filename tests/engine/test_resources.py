"""Resource samples and peaks, read in the engine: psutil's CPU and memory, NVML's GPU (a
stand-in module where the machine has none), the kernel's high-water mark, and what a
SIGKILL says; out-of-memory errors told apart from other failures."""

from __future__ import annotations

import signal
import sys
import types
from pathlib import Path

import pytest

from engine.backends.base import needs_rerun, trial_end
from engine.backends.oom import failure_status, halved, is_out_of_memory
from engine.commands.runner import run_search
from engine.prepare import prepare
from engine.run import events as ev
from engine.run import resources
from engine.run.journal import read_run
from engine.run.results import replay
from engine.run.settings import RunSettings
from engine.run.states import TrialStatus
from engine.space import Space


def test_a_sample_at_most_once_an_interval() -> None:
    seen: list[ev.Event] = []
    sampler = resources.Sampler(seen.append, interval=0.01)  # raised to one a second
    assert sampler.interval == resources.MIN_SECONDS
    sampler.tick()
    assert seen == []  # not due: one clock read
    sampler.due = 0.0
    sampler.tick()
    sampler.tick()
    assert len(seen) == 1 and isinstance(seen[0], ev.ResourcesSampled)
    assert seen[0].rss > 10 * 2**20 and seen[0].cpu >= 0


def test_no_sampling_when_switched_off() -> None:
    sampler = resources.Sampler(lambda e: pytest.fail("sampled"), interval=0)
    sampler.due = 0.0
    sampler.tick()


def fake_nvml(calls: list) -> types.SimpleNamespace:
    """NVML's four calls the reader makes, as nvidia-ml-py spells them."""
    return types.SimpleNamespace(
        nvmlInit=lambda: calls.append("init"),
        nvmlDeviceGetHandleByIndex=lambda i: calls.append(i) or f"gpu{i}",
        nvmlDeviceGetUtilizationRates=lambda h: types.SimpleNamespace(gpu=87, memory=40),
        nvmlDeviceGetMemoryInfo=lambda h: types.SimpleNamespace(
            used=10 * 2**30, total=80 * 2**30, free=70 * 2**30
        ),
    )


def test_the_gpu_a_worker_was_given_is_read_through_nvml(monkeypatch) -> None:
    calls: list = []
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "2")
    monkeypatch.setitem(sys.modules, "pynvml", fake_nvml(calls))
    reader = resources.GpuReader.for_this_process()
    assert calls == ["init", 2]
    assert reader.read() == (87.0, 10 * 2**30, 80 * 2**30)
    sampler = resources.Sampler(lambda e: None, interval=1)
    sampler._gpu = reader
    sample = sampler.sample()
    assert sample is not None and sample.gpu_util == 87.0 and sample.gpu_memory_total == 80 * 2**30


def test_no_gpu_and_no_nvml_read_as_nothing(monkeypatch) -> None:
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "")
    assert resources.GpuReader.for_this_process().read() == (None, None, None)
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES")
    monkeypatch.setitem(sys.modules, "pynvml", None)  # not installed
    assert resources.GpuReader.for_this_process().handle is None


def test_the_peak_is_the_trials_own() -> None:
    resources.reset_peaks()
    before = resources.peak_rss()
    block = bytearray(64 * 2**20)  # touched: resident
    peak = resources.peak_rss()
    del block
    assert before is not None and peak is not None and peak >= before + 60 * 2**20
    resources.reset_peaks()
    assert resources.peak_rss() < peak


@pytest.mark.parametrize(
    ("code", "before", "now", "said"),
    [
        (0, 1, 1, None),
        (-signal.SIGKILL, None, None, "killed (possibly out of memory)"),
        (-signal.SIGKILL, 3, 4, "killed by the kernel's out-of-memory killer"),
        (-signal.SIGKILL, 3, 3, "killed"),
        (-signal.SIGSEGV, None, None, "killed by signal 11"),
    ],
)
def test_what_a_killed_process_says(code, before, now, said) -> None:
    assert resources.killed_reason(code, before, now) == said


def test_out_of_memory_told_apart() -> None:
    class ResourceExhaustedError(Exception):  # TensorFlow's, by name
        pass

    wrapped = ValueError("while fitting")
    wrapped.__cause__ = MemoryError()
    for exc in (
        MemoryError(),
        ResourceExhaustedError("x"),
        wrapped,
        RuntimeError("CUDA error: out of memory"),
    ):
        assert is_out_of_memory(exc) and trial_end(exc)[0] == TrialStatus.OOM
    assert not is_out_of_memory(ValueError("shapes do not match"))
    assert failure_status("out of memory at batch size 8") == TrialStatus.OOM
    assert failure_status("ValueError: boom") == TrialStatus.FAILED
    assert halved({"batch_size": 1}) is None and halved({"batch_size": 9}) == {"batch_size": 4}


FAKE = Space.from_dict(
    {"training": {"batch_size": [16, 64], "epochs": 2}, "architecture": {"nodes": [8, 16]}}
)


def fake_search(tmp_path: Path, **settings) -> list[ev.Event]:
    run = prepare(tmp_path / "run", FAKE, RunSettings(backend="fake", algorithm="grid", **settings))
    run_search(run)
    return read_run(run.path)


def test_fake_oom_is_not_run_again_and_retries_at_half_the_batch(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("TUNEDECK_FAKE_OOM_ABOVE", "32")
    monkeypatch.setenv("TUNEDECK_FAKE_DELAY", "0")
    results = replay(fake_search(tmp_path / "a"))
    statuses = {t.trial_id: t.status for t in results.trials.values()}
    assert statuses == {"000": "completed", "001": "completed", "002": "oom", "003": "oom"}
    oom = results.trials["002"]
    assert oom.reason.startswith("out of memory at batch size 64 (MemoryError")
    assert not needs_rerun(oom)
    assert all(t.peak_memory for t in results.trials.values())
    retried = replay(fake_search(tmp_path / "b", oom_retry=True)).trials["002"]
    assert retried.status == "completed" and retried.hyperparameters["batch_size"] == 32
    assert retried.reason.startswith("retried at batch size 32 after out of memory at batch")
    assert [row["epoch"] for row in retried.curve] == [1, 2]  # the first try's epochs gone


def test_a_fake_search_journals_its_samples(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(resources, "SAMPLE_SECONDS", 1.0)
    monkeypatch.setenv("TUNEDECK_FAKE_DELAY", "0.15")
    samples = [e for e in fake_search(tmp_path, epochs=4) if isinstance(e, ev.ResourcesSampled)]
    assert 1 <= len(samples) <= 3  # 2.4 s of epochs: at most one a second
    assert replay(samples).resources["main"].rss == samples[-1].rss

"""What a training process uses: CPU, resident memory and, on a GPU, utilisation and memory.

Sampled in the process that trains, never in the console: a `Sampler` is ticked from the
training loop (every batch) and takes a sample at most every `SAMPLE_SECONDS`, journaled as a
`ResourcesSampled` event that the monitor shows. Nothing runs between ticks (no thread: the
journal keeps one writer), so a tick that is not due costs one clock read.

psutil gives CPU and memory; the GPU comes from NVML (`nvidia-ml-py`, optional) for the
device the worker was given, else from TensorFlow's allocator when TensorFlow is loaded
already (memory only). A trial's peak memory is the kernel's high-water mark of the process's
resident set (`VmHWM`, reset at each trial's start through /proc/self/clear_refs) and, on a
GPU, TensorFlow's own peak of the device's memory.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.run import events as ev

SAMPLE_SECONDS = float(os.environ.get("TUNEDECK_SAMPLE_SECONDS", "2"))  # 0: no sampling
MIN_SECONDS = 1.0  # never more than one sample a second
STATUS = Path("/proc/self/status")
CLEAR_REFS = Path("/proc/self/clear_refs")


class Sampler:
    """Resource samples of this process, emitted at most every `interval` seconds."""

    def __init__(self, emit: Callable[[ev.Event], None], interval: float | None = None) -> None:
        self.emit = emit
        interval = SAMPLE_SECONDS if interval is None else interval
        self.interval = max(interval, MIN_SECONDS) if interval > 0 else 0.0
        self.due = time.monotonic() + self.interval  # after the CPU baseline taken here
        self._process: Any = None
        self._gpu: GpuReader | None = None
        if self.interval:
            self._proc()

    def tick(self) -> None:
        """Called at every batch: a sample when one is due."""
        if not self.interval or time.monotonic() < self.due:
            return
        self.due = time.monotonic() + self.interval
        sample = self.sample()
        if sample is not None:
            self.emit(sample)

    def sample(self) -> ev.ResourcesSampled | None:
        process = self._proc()
        if process is None:
            return None
        try:
            cpu, rss = process.cpu_percent(None), process.memory_info().rss
        except Exception:  # noqa: BLE001 - psutil's errors when /proc is unreadable
            return None
        if self._gpu is None:
            self._gpu = GpuReader.for_this_process()
        util, used, total = self._gpu.read()
        return ev.ResourcesSampled(
            cpu=round(cpu, 1), rss=int(rss), gpu_util=util, gpu_memory=used, gpu_memory_total=total
        )

    def _proc(self) -> Any:
        if self._process is None:
            try:
                import psutil
            except ImportError:  # optional: no samples without it
                self.interval = 0.0
                return None
            self._process = psutil.Process()
            self._process.cpu_percent(None)  # psutil measures CPU between two calls
        return self._process


@dataclass
class GpuReader:
    """The GPU of this process: NVML's device `index` (utilisation and memory), else
    TensorFlow's allocator for `GPU:0` (memory only), else nothing."""

    nvml: Any = None
    handle: Any = None

    @classmethod
    def for_this_process(cls, nvml: Any = None) -> GpuReader:
        index = visible_index()
        if index is None:
            return cls()
        try:
            nvml = nvml or _import_nvml()
            if nvml is None:
                return cls()
            nvml.nvmlInit()
            return cls(nvml, nvml.nvmlDeviceGetHandleByIndex(index))
        except Exception:  # noqa: BLE001 - NVML's errors (no driver, no such device)
            return cls()

    def read(self) -> tuple[float | None, int | None, int | None]:
        """(utilisation %, memory used, memory total in bytes); None where not known."""
        if self.handle is not None:
            try:
                rates = self.nvml.nvmlDeviceGetUtilizationRates(self.handle)
                memory = self.nvml.nvmlDeviceGetMemoryInfo(self.handle)
                return float(rates.gpu), int(memory.used), int(memory.total)
            except Exception:  # noqa: BLE001 - a device that went away
                self.handle = None
        used = tensorflow_gpu_memory("current")
        return None, used, None


def _import_nvml() -> Any:
    try:
        import pynvml  # nvidia-ml-py, optional
    except ImportError:
        return None
    return pynvml


def visible_index() -> int | None:
    """NVML's index of this process's first GPU: `CUDA_VISIBLE_DEVICES` (PCI bus order, as
    workers are started) or device 0 when nothing limits it; None when it names none."""
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    if visible is None:
        return 0
    first = visible.split(",")[0].strip()
    return int(first) if first.isdigit() else None


def tensorflow_gpu_memory(key: str) -> int | None:
    """TensorFlow's `current` or `peak` bytes on `GPU:0`, only if this process loaded
    TensorFlow already and it sees a GPU (never imports it)."""
    tf = sys.modules.get("tensorflow")
    if tf is None:
        return None
    try:
        if not tf.config.list_logical_devices("GPU"):
            return None
        return int(tf.config.experimental.get_memory_info("GPU:0")[key])
    except Exception:  # noqa: BLE001 - no such device, or no allocator stats
        return None


def reset_peaks() -> None:
    """A trial starts: the process's resident high-water mark and the GPU's peak start over."""
    with contextlib.suppress(OSError):
        CLEAR_REFS.write_text("5")  # Linux: resets VmHWM to the current resident set
    tf = sys.modules.get("tensorflow")
    if tf is not None and tensorflow_gpu_memory("peak") is not None:
        with contextlib.suppress(Exception):  # an allocator without stats
            tf.config.experimental.reset_memory_stats("GPU:0")


def peak_rss() -> int | None:
    """The process's resident high-water mark (since the last `reset_peaks`), in bytes."""
    try:
        for line in STATUS.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        import resource

        return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) * 1024  # the lifetime's
    except (ImportError, OSError):
        return None


def peaks() -> tuple[int | None, int | None]:
    """(resident peak, GPU peak) of the trial that ends."""
    return peak_rss(), tensorflow_gpu_memory("peak")


def oom_kills() -> int | None:
    """How many processes the kernel's OOM killer ended in this cgroup, or None where it does
    not say (cgroup v2 `memory.events`, or v1 `memory.oom_control`)."""
    for path, key in (
        (Path("/sys/fs/cgroup/memory.events"), "oom_kill"),
        (Path("/sys/fs/cgroup/memory/memory.oom_control"), "oom_kill"),
    ):
        try:
            for line in path.read_text().splitlines():
                name, _, value = line.partition(" ")
                if name == key:
                    return int(value)
        except (OSError, ValueError):
            continue
    return None


def killed_reason(code: int | None, kills_before: int | None, kills_now: int | None) -> str | None:
    """Why a process that exited with `code` ended, when a signal killed it: SIGKILL is how the
    kernel's OOM killer ends a process, so the cgroup's counter tells; without one, say so."""
    if code is None or code >= 0:
        return None
    if code != -signal.SIGKILL:
        return f"killed by signal {-code}"
    if kills_before is None or kills_now is None:
        return "killed (possibly out of memory)"
    return "killed by the kernel's out-of-memory killer" if kills_now > kills_before else "killed"


def fmt_bytes(size: int | None) -> str:
    """`1.2G`, `340M`: short enough for a status line."""
    if size is None:
        return "-"
    for unit, scale in (("T", 1 << 40), ("G", 1 << 30), ("M", 1 << 20)):
        if size >= scale:
            value = size / scale
            return f"{value:.1f}{unit}" if value < 10 else f"{value:.0f}{unit}"
    return f"{size / 1024:.0f}K"

"""The machine's GPUs, found without importing TensorFlow (the planner runs in the console too).

`nvidia-smi -L` names them in PCI bus order (its index is what `CUDA_VISIBLE_DEVICES` takes
once `CUDA_DEVICE_ORDER=PCI_BUS_ID`); without the tool, the driver's /proc entries say the
same. A `CUDA_VISIBLE_DEVICES` the user set limits the list to the devices it names, by index
or by UUID (`GPU-…`, whole or a unique prefix, as CUDA takes it); a worker is then given its
device by UUID, which means the same card whatever order CUDA counts in.
`TUNEDECK_GPUS` (comma-separated names, empty for none) replaces detection: for tests, and
for a machine whose GPUs the tools cannot see.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc/driver/nvidia/gpus")
FAKE = "TUNEDECK_GPUS"
GPU = "TUNEDECK_GPU"  # in a worker's environment: the device it was given, for its journal


@dataclass(frozen=True)
class Gpu:
    index: str  # its place in PCI bus order (journaled as the trial's `gpu`)
    name: str
    uuid: str = ""  # `GPU-…` when the tools said it

    @property
    def visible_as(self) -> str:
        """What CUDA_VISIBLE_DEVICES takes for this card: its UUID, else its index."""
        return self.uuid or self.index

    def named_by(self, entry: str) -> bool:
        """Whether one CUDA_VISIBLE_DEVICES entry names this card: its index, its UUID or a
        prefix of the UUID (with or without `GPU-`)."""
        if entry == self.index:
            return True
        if not self.uuid or entry.isdigit():
            return False
        bare = self.uuid.lower().removeprefix("gpu-")
        wanted = entry.lower().removeprefix("gpu-")
        return bool(wanted) and bare.startswith(wanted)

    def __str__(self) -> str:
        return f"GPU {self.index} ({self.name})" if self.name else f"GPU {self.index}"


def gpus() -> tuple[Gpu, ...]:
    """The GPUs a worker may be given, in order (cached: the console plans on every key)."""
    fake = os.environ.get(FAKE)
    found = _faked(fake) if fake is not None else _detected()
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    if visible is None:
        return found
    allowed = [v.strip() for v in visible.split(",") if v.strip()]
    return tuple(g for g in found if any(g.named_by(entry) for entry in allowed))


def _faked(text: str) -> tuple[Gpu, ...]:
    return tuple(Gpu(str(i), n.strip()) for i, n in enumerate(text.split(",")) if n.strip())


@functools.cache
def _detected() -> tuple[Gpu, ...]:
    return _from_nvidia_smi() or _from_proc()


def _from_nvidia_smi() -> tuple[Gpu, ...]:
    tool = shutil.which("nvidia-smi")
    if tool is None:
        return ()
    try:
        out = subprocess.run([tool, "-L"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return ()
    said = (
        re.match(r"GPU (\d+): (.*?)(?: \(UUID: (.*)\))?$", line.strip())
        for line in out.splitlines()
    )
    return tuple(Gpu(m[1], m[2], m[3] or "") for m in said if m)


def _from_proc() -> tuple[Gpu, ...]:
    try:
        entries = sorted(PROC.iterdir())  # named by PCI bus id: the PCI_BUS_ID order
    except OSError:
        return ()
    found = []
    for i, entry in enumerate(entries):
        try:
            info = (entry / "information").read_text(errors="replace")
        except OSError:
            info = ""
        model = re.search(r"^Model:\s*(.+)$", info, re.MULTILINE)
        uuid = re.search(r"^GPU UUID:\s*(\S+)", info, re.MULTILINE)
        found.append(Gpu(str(i), model[1].strip() if model else "", uuid[1] if uuid else ""))
    return tuple(found)


def worker_environment(gpu: Gpu | None) -> dict[str, str]:
    """What a worker's environment gets for its device: only `gpu` visible, and memory grown
    as needed (TensorFlow would otherwise reserve the whole card for the first process)."""
    if gpu is None:
        return {}
    return {
        "CUDA_DEVICE_ORDER": "PCI_BUS_ID",
        "CUDA_VISIBLE_DEVICES": gpu.visible_as,
        "TF_FORCE_GPU_ALLOW_GROWTH": "true",
        GPU: gpu.index,
    }

"""The monitor's resource line: what each worker's process uses, as its last sample says.

The samples are taken in the engine (engine.run.resources) and journaled; the console only
reads them from the replayed journal, so it never imports psutil or NVML itself.
"""

from __future__ import annotations

from engine.face import RunResults, events
from tui.fmt import fmt_bytes

STALE_SECONDS = 60.0  # a worker not sampled for this long beside the others is gone


def sample_text(sample: events.ResourcesSampled) -> str:
    """`cpu 187% ram 1.2G gpu 87% 10G/80G` (the GPU part only where one was seen)."""
    text = f"cpu {sample.cpu:.0f}% ram {fmt_bytes(sample.rss)}"
    if sample.gpu_util is not None or sample.gpu_memory is not None:
        util = "" if sample.gpu_util is None else f" {sample.gpu_util:.0f}%"
        total = "" if sample.gpu_memory_total is None else f"/{fmt_bytes(sample.gpu_memory_total)}"
        text += f" gpu{util} {fmt_bytes(sample.gpu_memory)}{total}"
    return text


def resources_text(results: RunResults) -> str:
    """Every worker's last sample on one line ("" before the first); a lone worker unnamed."""
    samples = results.resources
    if not samples:
        return ""
    latest = max(s.time for s in samples.values())
    shown = sorted((w, s) for w, s in samples.items() if latest - s.time <= STALE_SECONDS)
    if len(shown) == 1:
        return sample_text(shown[0][1])
    return "  ".join(f"{worker} {sample_text(sample)}" for worker, sample in shown)

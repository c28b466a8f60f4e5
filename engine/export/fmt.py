"""A duration and a score as every screen and command line writes them: one place, light
(the console's first paint needs them, not the replay the progress lines read)."""

from __future__ import annotations


def fmt_duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def fmt_score(score: float | None) -> str:
    return "-" if score is None else f"{score:.4f}"

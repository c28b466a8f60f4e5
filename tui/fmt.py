"""Short text forms shared by the tables and panels (one place, so every screen agrees)."""

from __future__ import annotations

from typing import Any

from engine.face import fmt_bytes, fmt_duration, fmt_score

__all__ = [
    "count",
    "fmt_bytes",
    "fmt_duration",
    "fmt_metric",
    "fmt_score",
    "fmt_short",
    "fmt_value",
]


def count(number: int, noun: str) -> str:
    """`1 trial`, `49 trials`, `1,728 epochs`."""
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


def fmt_value(value: Any) -> str:
    """A hyperparameter value as the space file spells it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def fmt_short(value: Any) -> str:
    """A value for a table cell: floats to 3 significant digits (0.000763829 → 0.000764)."""
    return f"{value:.3g}" if isinstance(value, float) else fmt_value(value)


def fmt_metric(value: Any) -> str:
    if value is None:
        return "-"
    try:
        return f"{float(value):.4f}"
    except (TypeError, ValueError):
        return str(value)

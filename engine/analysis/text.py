"""The headless forms of the analysis: plain-text tables for a terminal, dicts for `--json`."""

from __future__ import annotations

from engine.analysis.compare import RunComparison
from engine.analysis.importance import Importance
from engine.analysis.slices import label
from engine.export.report import fmt_score

BAR = 30  # characters of the longest importance bar


def columns(rows: list[list[str]]) -> list[str]:
    """Rows as left-aligned columns two spaces apart."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows
    ]


def bar(share: float, width: int = BAR) -> str:
    return "█" * round(share * width)


def importance_lines(result: Importance) -> list[str]:
    method = f" ({result.method})" if result.method else ""
    head = (
        f"importance for {result.objective} over {result.trials} completed trial"
        f"{'s' * (result.trials != 1)}{method}"
    )
    rows = [["PARAMETER", "IMPORTANCE", ""]]
    rows += [[name, f"{share:.3f}", bar(share)] for name, share in result.rows]
    lines = [head, *columns(rows)] if result.rows else [head, "no tuned parameters"]
    return [*lines, f"note: {result.note}"] if result.note else lines


def comparison_lines(comparison: RunComparison) -> list[str]:
    rows = [["RUN", "OBJECTIVE", "TRIALS", "BEST TRIAL", "BEST"]]
    for r in comparison.runs:
        rows.append(
            [
                r.label,
                f"{r.objective} ({r.direction})",
                str(r.trials),
                r.best_trial_id or "-",
                fmt_score(r.best_score),
            ]
        )
    lines = columns(rows)
    if comparison.note:
        lines.append(f"note: {comparison.note}")
    compared = comparison.compared
    lines += ["", "best configurations, where they differ:"]
    differing = [(name, values) for name, values, differs in comparison.diff if differs]
    same = len(comparison.diff) - len(differing)
    table = [["PARAMETER", *(r.label for r in compared)]]
    table += [[name, *(label(v) for v in values)] for name, values in differing]
    lines += columns(table) if differing else ["no parameter differs"]
    if same:
        lines.append(
            f"and {same} parameter{'s' * (same != 1)} the same in every run (--json lists them)"
        )
    lines += ["", "best-so-far (score @ the trial that reached it):"]
    for r in comparison.runs:
        steps = [f"{fmt_score(p.best)}@{p.trial_id}" for p in r.progress if p.improved]
        shown = f"not compared ({r.apart})" if r.apart else " → ".join(steps) or "-"
        lines.append(f"{r.label}: {shown}")
    return lines

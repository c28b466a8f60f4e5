"""The text parts of the analysis views: the importance table, a two-trial configuration diff
and a failed trial's traceback, as Rich renderables of what the engine computed."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text

from engine.face import Failure, Importance, RunComparison, TrialPair
from tui.fmt import fmt_score, fmt_value

BAR = 24


def importance_table(result: Importance) -> Group:
    """A heading (objective, trials, method), the ranked table, and the warning if any."""
    method = f" ({result.method})" if result.method else ""
    head = Text(f"{result.objective} over {result.trials} completed trials{method}", "dim")
    table = Table(box=None, padding=(0, 1), show_edge=False)
    table.add_column("parameter", no_wrap=True, style="bold cyan")
    table.add_column("share", justify="right")
    table.add_column("", no_wrap=True)
    for name, share in result.rows:
        table.add_row(name, f"{share:.3f}", Text("█" * round(share * BAR), "green"))
    note = Text(result.note, "bold yellow") if result.note else Text("")
    return Group(head, table, note)


def diff_table(pair: TrialPair, tuned: tuple[str, ...]) -> Table:
    """Differing parameters first (marked), then the tuned ones both share."""
    table = Table(box=None, padding=(0, 1), show_edge=False)
    table.add_column("", no_wrap=True)
    table.add_column(pair.a.trial_id, no_wrap=True)
    table.add_column(pair.b.trial_id, no_wrap=True)
    table.add_row(Text("score", "bold"), fmt_score(pair.a.score), fmt_score(pair.b.score))
    for name, (va, vb), differs in pair.diff:
        if differs or name in tuned:
            style = "bold yellow" if differs else "dim"
            table.add_row(Text(name, style), fmt_value(va), fmt_value(vb))
    return table


def failure_text(found: Failure) -> Text:
    out = Text()
    out.append(f"trial {found.trial.trial_id} failed: ", "bold")
    out.append(found.reason + "\n\n", "red")
    if found.log:
        out.append("log\n", "bold")
        out.append("\n".join(found.log) + "\n\n")
    out.append("traceback\n", "bold")
    out.append(found.traceback or "none kept (the trial ended before tracebacks were kept)")
    return out


def runs_table(comparison: RunComparison) -> Group:
    """Each run's best, then the parameters where the compared runs' best configurations
    differ; a run of another task or objective is listed with why it is not compared."""
    runs = Table(box=None, padding=(0, 1), show_edge=False)
    for name in ("run", "trials", "best"):
        runs.add_column(name, no_wrap=True)
    for r in comparison.runs:
        runs.add_row(
            Text(r.label, "dim" if r.apart else "bold cyan"), str(r.trials), fmt_score(r.best_score)
        )
    diff = Table(box=None, padding=(0, 1), show_edge=False)
    diff.add_column("best config", no_wrap=True)
    for r in comparison.compared:
        diff.add_column(r.label, no_wrap=True)
    differing = [(name, values) for name, values, differs in comparison.diff if differs]
    for name, values in differing:
        diff.add_row(Text(name, "bold yellow"), *(fmt_value(v) for v in values))
    same = Text(f"{len(comparison.diff) - len(differing)} parameters the same", "dim")
    apart = Text(
        "".join(f"\n{r.label} not compared: {r.apart}" for r in comparison.runs if r.apart),
        "yellow",
    )
    return Group(runs, Text(""), diff, same, apart)

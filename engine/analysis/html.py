"""`tunedeck report RUN -o report.html`: one self-contained page for people not in the terminal.

Everything is inline (styles and SVG figures, no script, no external resource), so the file
opens offline and can be mailed as it is. The page holds the run's summary, the best
configuration, the leaderboard, best-so-far, importance, slices, curves and failures.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

from engine.analysis.curves import curves, metrics, top_trials
from engine.analysis.failures import failed_trials, failure
from engine.analysis.importance import importance
from engine.analysis.pareto import pareto_view
from engine.analysis.playbook import playbook
from engine.analysis.progress import best_so_far
from engine.analysis.runs import tuned_names
from engine.analysis.slices import label, slices
from engine.export.report import fmt_duration, fmt_score, fmt_value, objective_label
from engine.run.results import RunResults
from engine.system.atomic import write_text

LEADERBOARD_ROWS = 25
CURVE_TRIALS = 5
CSS = """
body{font-family:system-ui,sans-serif;margin:2em auto;max-width:60em;color:#1d2733;padding:0 1em}
h1{font-size:1.4em}h2{font-size:1.1em;margin-top:2em;border-bottom:1px solid #d5dbe1}
table{border-collapse:collapse;font-size:.9em}td,th{padding:.2em .8em;text-align:left}
tr:nth-child(even){background:#f3f5f7}th{border-bottom:1px solid #9aa5b1}
.note{color:#8a5a00}.dim{color:#5f6b7a}figure{margin:0}svg{max-width:100%;height:auto}
.scroll{overflow-x:auto}pre{background:#f3f5f7;padding:.8em;overflow-x:auto;font-size:.85em}
"""


def _table(head: list[str], rows: list[list[Any]]) -> str:
    cells = "".join(f"<th>{escape(h)}</th>" for h in head)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in row) + "</tr>" for row in rows
    )
    table = f"<table><thead><tr>{cells}</tr></thead><tbody>{body}</tbody></table>"
    return f'<div class="scroll">{table}</div>'  # a wide leaderboard scrolls, not the page


def _section(ident: str, title: str, body: str) -> str:
    return f'<section id="{ident}"><h2>{escape(title)}</h2>{body}</section>'


def _figure(ident: str, svg: str) -> str:
    return f'<figure id="{ident}">{svg}</figure>'


def _pareto_section(results: RunResults) -> str:
    """The front's trials with every objective, and the first two objectives as a scatter."""
    from engine.analysis import plots

    view = pareto_view(results)
    assert view is not None
    names = view.objectives
    fronts = results.front()
    front = [t for t in results.leaderboard() if fronts.get(t.trial_id) == 0]
    rows = [
        [t.trial_id, *(fmt_value(results.goals.values_of(t.score, t.values).get(n)) for n in names)]
        for t in front
    ]
    text = (
        f'<p class="dim">{len(front)} trial(s) no other beats in every objective '
        f"({escape(str(results.goals))}); export one with "
        f"<code>tunedeck export RUN --pick TRIAL --format yaml</code></p>"
    )
    figure = _figure("pareto-plot", plots.pareto_svg(view)) if view.points else ""
    return _section("pareto", "Pareto front", text + _table(["trial", *names], rows) + figure)


def render(results: RunResults, run_dir: str | Path) -> str:
    """The report's HTML."""
    from engine.analysis import plots

    tuned = tuned_names(results)
    best = results.best
    failed = failed_trials(results)
    summary = [
        f"{results.state}, {results.done} of {results.planned} trials ended"
        f"{f', {len(failed)} failed' if failed else ''}",
        f"{results.backend} {results.algorithm}",
        f"objective {objective_label(results)}",
    ]
    if best is not None:
        summary.append(f"best {fmt_score(best.score)} (trial {best.trial_id})")
    if results.test_score is not None:
        summary.append(f"test score {fmt_score(results.test_score)}")
    parts = [
        f"<h1>tunedeck report: {escape(str(run_dir))}</h1>",
        f'<p class="dim">{escape(" · ".join(summary))}</p>',
    ]
    if best is not None:
        rows = [[n, label(best.hyperparameters.get(n))] for n in tuned]
        rows += [[n, label(v)] for n, v in best.hyperparameters.items() if n not in tuned]
        parts.append(_section("best", "Best configuration", _table(["parameter", "value"], rows)))
    if cautions := playbook(results, run_dir):  # what a careful practitioner would say
        items = "".join(f"<li>{escape(c.text)}</li>" for c in cautions)
        parts.append(_section("playbook", "Before you trust it", f'<ul class="note">{items}</ul>'))
    if results.goals.multi:
        parts.append(_pareto_section(results))
    board = results.leaderboard()[:LEADERBOARD_ROWS]
    extra = list(results.goals.extra_metrics)  # several objectives or constraints: their values
    head = ["#", "trial", "status", results.objective, *extra, "time", *tuned]
    rows = [
        [
            str(i),
            t.trial_id,
            t.status,
            fmt_score(t.score),
            *(fmt_value(t.values.get(m)) for m in extra),
            fmt_duration(t.duration),
            *(label(t.hyperparameters.get(n, "-")) for n in tuned),
        ]
        for i, t in enumerate(board, start=1)
    ]
    more = len(results.trials) - len(board)
    tail = f'<p class="dim">and {more} more</p>' if more > 0 else ""
    parts.append(_section("leaderboard", "Leaderboard", _table(head, rows) + tail))
    points = best_so_far(results)
    if points:
        parts.append(
            _section(
                "progress",
                "Best so far",
                _figure("best-so-far", plots.best_so_far_svg(points, results.objective)),
            )
        )
        found = importance(results, tuned)
        note = f'<p class="note">{escape(found.note)}</p>' if found.note else ""
        parts.append(
            _section(
                "importance",
                "Hyperparameter importance",
                note + _figure("importance-plot", plots.importance_svg(found)),
            )
        )
        cut = slices(results, tuned)
        if cut:
            parts.append(
                _section(
                    "slices",
                    "Slices",
                    _figure("slices-plot", plots.slices_svg(cut, results.objective)),
                )
            )
    top = top_trials(results, CURVE_TRIALS)
    shown = [m for m in metrics(results, top) if m in (results.objective, "loss")]
    if top and shown:
        by_metric = {m: curves(results, top, m) for m in shown}
        parts.append(
            _section(
                "curves",
                f"Curves of the best {len(top)} trials",
                _figure("curves-plot", plots.curves_svg(by_metric)),
            )
        )
    if failed:
        blocks = []
        for trial in failed:
            found_failure = failure(results, run_dir, trial.trial_id)
            text = found_failure.traceback or found_failure.reason
            blocks.append(
                f"<h3>trial {escape(trial.trial_id)}: {escape(found_failure.reason)}</h3>"
                f"<pre>{escape(text)}</pre>"
            )
        parts.append(_section("failures", "Failed trials", "".join(blocks)))
    body = "\n".join(parts)
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>tunedeck report: {escape(str(run_dir))}</title><style>{CSS}</style></head>"
        f"<body>\n{body}\n</body></html>\n"
    )


def write_report(results: RunResults, run_dir: str | Path, target: str | Path) -> None:
    write_text(target, render(results, run_dir))

"""A run's results kept beside its journals (`.summary.json`, `engine.run.summary` checks it
against them): read from it plus what the journals gained since, and written back as JSON."""

from __future__ import annotations

import contextlib
from dataclasses import fields
from pathlib import Path
from typing import Any

from engine.run import events as ev
from engine.run.estimate import Estimate
from engine.run.results import RunResults, TrialRecord
from engine.run.states import RunState, TrialStatus
from engine.run.summary import pack_rows


def load_results(run_dir: str | Path) -> RunResults:
    """The run's results, as `read_results` reads them."""
    return read_results(run_dir)[0]


def keep_summary(run_dir: str | Path) -> None:
    """Write the run's summary now (a search that just ended: the first reading after it is
    then as quick as any); best effort, it never fails the caller."""
    with contextlib.suppress(Exception):  # a cache: whatever goes wrong, the journal stays
        read_results(run_dir)


def read_results(run_dir: str | Path) -> tuple[RunResults, dict[Path, int]]:
    """The run's results and the byte offset each journal was read up to (where a `Tail`
    goes on): its kept summary (`engine.run.summary`), when current, with what the journals
    gained since replayed on top (in time order across journals, as a full replay orders
    them; a single journal a few MiB at a time, so that reading it never holds it whole);
    else a replay of every journal. The summary is renewed when the reading
    replayed something new, once no journal is being written (or after a MiB more of a live
    run's single journal: several live journals could still receive lines older than the
    newest of another)."""
    from engine.run.journal import journal_files, read_chunks, written
    from engine.run.summary import REWRITE, Covered, covering, read_summary, write_summary

    run_dir = Path(run_dir)
    files = journal_files(run_dir)
    kept = read_summary(run_dir, SHAPE)
    results, covered = RunResults(), {}
    if kept is not None and set(kept[1]) <= {p.name for p in files}:
        results, covered = results_from(kept[0]), kept[1]
    merged: list[tuple[float, int, int, ev.Event]] = []
    news: dict[str, Covered] = {}
    grown = 0
    for file_index, path in enumerate(files):
        before = covered.get(path.name)
        start = end = before.size if before is not None else 0
        line = 0
        for events, end in read_chunks(path, start):  # noqa: B007 - the last chunk's end
            if len(files) == 1:
                for event in sorted(events, key=lambda e: e.time):
                    results.apply(event)
                continue
            merged.extend((e.time, file_index, line + i, e) for i, e in enumerate(events))
            line += len(events)
        grown += end - start
        now = covering(path, end, before)
        if now is not None:
            news[path.name] = now
    merged.sort(key=lambda item: item[:3])
    for item in merged:
        results.apply(item[3])
    if grown and results.trials:  # else: nothing to keep
        # kept for an ended search, or every MiB of a live one (its monitor); an interrupted
        # one is left as it is: its resume appends anyway, and a reader writes nothing there
        live = written(files)
        if (results.state.ended and not live) or (live and len(files) == 1 and grown >= REWRITE):
            write_summary(run_dir, SHAPE, results_to(results), news)
    return results, {run_dir / name: c.size for name, c in news.items()}


# ---- RunResults as JSON (the summary's form) -------------------------------------------------
# the summary's shape follows the records': a field added to either makes old summaries stale
SHAPE = [
    2,
    ev.SCHEMA_VERSION,
    [f.name for f in fields(RunResults)],
    [f.name for f in fields(TrialRecord)],
]
_OWN = {
    "state",
    "estimate",
    "logs",
    "trials",
    "resources",
    "_goals",
    "_changes",
    "_ranking",
}  # not plain JSON (_goals, _changes: derived; _ranking: its own entry)
_PLAIN = tuple(f.name for f in fields(RunResults) if f.name not in _OWN)
_TRIAL = tuple(
    f.name
    for f in fields(TrialRecord)
    if f.name not in ("hyperparameters", "status", "_rows", "_packed")
)


def results_to(r: RunResults) -> dict[str, Any]:
    """The results as JSON; configurations as the values that differ from those every trial
    shares (when all name the same parameters in the same order), curves packed."""
    trials = list(r.trials.values())
    names = list(trials[0].hyperparameters) if trials else []
    shared: dict[str, Any] = {}
    if all(list(t.hyperparameters) == names for t in trials):
        first = trials[0].hyperparameters if trials else {}
        shared = {
            n: first[n] for n in names if all(_same(t.hyperparameters[n], first[n]) for t in trials)
        }
    own = [n for n in names if n not in shared]
    return {
        **{name: getattr(r, name) for name in _PLAIN},
        "state": str(r.state),
        "estimate": [
            r.estimate.candidates,
            r.estimate.folds,
            r.estimate.seconds,
            r.estimate.params,
        ],
        "logs": [e.to_dict() for e in r.logs],
        "ranking": _ranking_to(r),
        "resources": [e.to_dict() for e in r.resources.values()],
        "names": names if shared else None,
        "shared": shared,
        "own": own,
        "trials": [
            [
                *(getattr(t, n) for n in _TRIAL),
                str(t.status),
                [t.hyperparameters[n] for n in own] if shared else t.hyperparameters,
                t._packed if t._packed is not None else pack_rows(t._rows),
            ]
            for t in trials
        ],
    }


def _ranking_to(r: RunResults) -> list[Any] | None:
    """Several objectives: the leaderboard's order and the fronts, which every view reads and
    which take a sort and a pass per front to compute (one objective: a sort, left to the
    reader)."""
    if not r.goals.multi:
        return None
    ranking = r.ranking()
    return [list(ranking.order), dict(ranking.fronts)]


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b


def results_from(data: dict[str, Any]) -> RunResults:
    r = RunResults(**{name: data[name] for name in _PLAIN})
    r.state = RunState(data["state"])
    r.estimate = Estimate(*data["estimate"])
    r.logs = [e for e in map(ev.from_dict, data["logs"]) if isinstance(e, ev.LogMessage)]
    for sample in map(ev.from_dict, data["resources"]):
        if isinstance(sample, ev.ResourcesSampled):
            r.resources[sample.worker] = sample
    names, shared, own = data["names"], data["shared"], data["own"]
    width = len(_TRIAL)
    for row in data["trials"]:
        t = TrialRecord(**dict(zip(_TRIAL, row[:width], strict=True)), hyperparameters={})
        t.status = TrialStatus(row[width])
        if names is None:
            t.hyperparameters = row[width + 1]
        else:
            mine = dict(zip(own, row[width + 1], strict=True))
            t.hyperparameters = {n: mine[n] if n in mine else shared[n] for n in names}
        t._packed = row[width + 2]
        r.trials[t.trial_id] = t
    if data["ranking"] is not None:
        r.kept_ranking(*data["ranking"])
    return r

"""Opening a run for analysis: its replayed results, or one clear line about what is wrong."""

from __future__ import annotations

from pathlib import Path

from engine.errors import RunDirError
from engine.run.journal_problems import journal_problem
from engine.run.kept import load_results
from engine.run.results import RunResults
from engine.run.rundir import RunDir
from engine.run.states import RunState
from engine.space import Space


def open_run(path: str | Path) -> RunResults:
    """The results of the run at `path`; a missing, foreign or never-started one is an error."""
    run = RunDir.open(path)
    results = load_results(run.path)
    if (results.state is RunState.NEW or not results.trials) and (found := journal_problem(path)):
        raise RunDirError(f"{found[1]}; so no trials can be read", source=str(found[0]))
    if results.state is RunState.NEW:
        raise RunDirError("its journal holds no search yet (never started)", source=str(path))
    return results


def run_task(path: str | Path) -> str:
    """The task a run's data was loaded for, as its recipe says ("" when none was written)."""
    from engine.data.recipe import read_recipe

    recipe = read_recipe(path) or {}
    task = recipe.get("task")
    return task if isinstance(task, str) else ""


def tuned_names(results: RunResults) -> tuple[str, ...]:
    """The parameters the search varied: the space's tuned ones and any that took two values."""
    try:
        tuned = list(Space.from_dict(results.space).tuned()) if results.space else []
    except Exception:  # a space this version cannot read: fall back on what the trials show
        tuned = []
    seen: dict[str, set[str]] = {}
    for trial in results.trials.values():
        for name, value in trial.hyperparameters.items():
            seen.setdefault(name, set()).add(repr(value))
    varied = [n for n, values in seen.items() if len(values) > 1 and n not in tuned]
    return tuple(n for n in [*tuned, *sorted(varied)] if not n.startswith("tuner/"))


def neighbours(run_dir: str | Path, limit: int = 5) -> list[tuple[str, RunResults]]:
    """The run and up to `limit` other started runs in its folder (latest names first), each
    with its label (the folder name, so `run_task(Path(run_dir).parent / label)` is its task):
    what the console compares it with."""
    here = Path(run_dir)
    out = [(here.name, open_run(here))]
    try:
        others = sorted(
            (
                p
                for p in here.parent.iterdir()
                if p.is_dir() and p.resolve() != here.resolve() and RunDir(p).is_run()
            ),
            key=lambda p: p.name,
            reverse=True,
        )
    except OSError:
        return out
    for path in others:
        if len(out) > limit:
            break
        try:
            out.append((path.name, open_run(path)))
        except RunDirError:
            continue
    return out

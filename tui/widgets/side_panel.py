"""What the engine would do with this space and these settings, and roughly how long it takes.

Everything here is computed by the engine's light planner (no data is loaded): the panel is
redrawn on every edit, so it must stay cheap.
"""

from __future__ import annotations

import os

from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from engine.face import (
    InputError,
    Plan,
    RunSettings,
    Space,
    TableProfile,
    Timing,
    about,
    candidates,
    describe_spec,
    describe_table,
    estimate_for,
    plan,
    profile_csv,
    workers_text,
)
from tui.fmt import count

# samples in each builtin dataset (before the test/validation splits)
SAMPLES = {
    "digits": 1797,
    "breast_cancer": 569,
    "iris": 150,
    "wine": 178,
    "mnist_5k": 5000,
    "mnist": 70000,
    "fashion_mnist": 70000,
    "cifar10": 60000,
    "cifar100": 60000,
}
TEST_SPLIT = 0.2
SECONDS_PER_EPOCH_PER_1000 = 0.3
SECONDS_PER_TRIAL = 1.5


def train_samples(settings: RunSettings, space: Space) -> int | None:
    total = SAMPLES.get(settings.dataset.strip().lower())
    if total is None and (profile := _table(settings)) is not None:
        total = profile.rows
    if total is None:
        return None
    total = min(total, settings.subsample or total)
    split = float(space.defaults()["validation_split"])
    return int(total * (1 - TEST_SPLIT) * (1 - split))


def _table(settings: RunSettings) -> TableProfile | None:
    """A CSV's profile (rows, columns, target values), read once per file version."""
    if not settings.dataset.strip().lower().endswith(".csv"):
        return None
    return profile_csv(settings.dataset.strip(), settings.target)


def data_text(space: Space, settings: RunSettings) -> str:
    """What the data is: a builtin's description, or a CSV's columns, rows and split sizes."""
    described = describe_spec(settings.dataset).partition(": ")[2]
    profile = _table(settings)
    if profile is None:
        return described
    split = float(space.defaults()["validation_split"])
    return f"{described}; {describe_table(profile, TEST_SPLIT, split, settings.subsample)}"


def estimate_seconds(
    chosen: Plan, space: Space, settings: RunSettings, timing: Timing | None = None
) -> float | None:
    """From the warm engine's timing of the model when there is one (as the search itself
    estimates); else rough: 0.3 s per epoch per 1,000 training samples plus 1.5 s per trial."""
    if chosen.backend == "fake":
        delay = float(os.environ.get("TUNEDECK_FAKE_DELAY", "0.01") or 0.01)
        return chosen.epochs_budget * delay + chosen.planned_trials * 0.05
    if timing is not None:
        total = (timing.train_rows + timing.val_rows) / (1 - TEST_SPLIT)
        share = min(1.0, settings.subsample / total) if settings.subsample and total else 1.0
        return estimate_for(timing, chosen, settings.cv, share).seconds
    samples = train_samples(settings, space)
    if samples is None:
        return None
    per_epoch = SECONDS_PER_EPOCH_PER_1000 * samples / 1000
    return chosen.epochs_budget * per_epoch + chosen.planned_trials * SECONDS_PER_TRIAL


def estimate_words(
    chosen: Plan, space: Space, settings: RunSettings, timing: Timing | None = None
) -> str:
    """The estimate as the plan line says it, and what it rests on."""
    seconds = estimate_seconds(chosen, space, settings, timing)
    if seconds is None:
        return "unknown until timed"
    if timing is not None and chosen.backend != "fake":
        return f"{about(seconds)} (timed, {timing.params:,} params)"
    return f"{about(seconds)} (rough)"


def grid_text(space: Space, folds: int | None) -> str:
    """The grid's size; with scikit-learn's folds, the fits it would take."""
    grid = space.grid_size()
    if grid is None:
        return f"infinite ({space.continuous()[0]} is continuous)"
    if folds is None:
        return count(grid, "configuration")
    return f"{grid:,} × {folds} folds = {grid * folds:,} fits"


def _iterations(number: int) -> str:
    return f"{count(number, 'iteration')} (budget t × epochs)"


def console_words(reason: str) -> str:
    """The plan's reason (shared with the CLI) with the console's key for what it suggests."""
    return reason.replace("raise the trial budget", "raise the trial budget (t)")


class SidePanel(Static):
    """Dataset, backend, algorithm and why, grid size, the plan (Hyperband's iterations when it
    runs), estimated duration."""

    problem: str | None = None  # why the space and settings shown cannot run, if they cannot

    def show(self, space: Space, settings: RunSettings, timing: Timing | None = None) -> None:
        """Draw the panel for this space and settings; its plan is made once per change, here
        (`r` reads `problem` rather than planning again)."""
        chosen, self.problem = plan_or_problem(space, settings)
        self.update(render_panel(space, settings, timing, chosen, self.problem))


def workers_shown(settings: RunSettings, chosen: Plan | None) -> str:
    """`auto → 2` as the backend and algorithm are shown: the setting, then what it became."""
    text = str(workers_text(settings.workers))
    return f"{text} → {chosen.workers}" if text == "auto" and chosen is not None else text


def budget_text(settings: RunSettings, chosen: Plan | None) -> str:
    """The trial budget: the one set, or the default (`all N`: a grid search's whole grid)."""
    if settings.max_trials is None and chosen is not None and chosen.algorithm == "grid":
        return f"all {chosen.planned_trials:,}"
    return f"{settings.trials:,}"


def plan_or_problem(space: Space, settings: RunSettings) -> tuple[Plan | None, str | None]:
    """The plan, or None and why there is none."""
    try:
        return plan(space, settings), None
    except InputError as exc:
        return None, str(exc)


def render_panel(
    space: Space,
    settings: RunSettings,
    timing: Timing | None = None,
    chosen: Plan | None = None,
    problem: str | None = None,
) -> Table:
    """The panel's table; `chosen`/`problem` as `plan_or_problem` gives them (made here when absent)."""
    table = Table.grid(padding=(0, 1))
    table.add_column(style="bold", no_wrap=True)
    table.add_column(overflow="fold")
    if chosen is None and problem is None:
        chosen, problem = plan_or_problem(space, settings)
    backend = settings.backend
    algorithm = settings.algorithm
    if chosen is not None:
        backend = f"{backend} → {chosen.backend}" if backend == "auto" else backend
        algorithm = f"{algorithm} → {chosen.algorithm}" if algorithm == "auto" else algorithm
    key = lambda k: (f"  {k}", "dim")  # noqa: E731
    epochs = "from space" if settings.epochs is None else str(settings.epochs)
    source = space.source
    table.add_row("Model", str(source.model) if source.model else "built-in")
    data = settings.dataset
    if source.data is not None and data == str(space.resolved().source.data):
        data = f"{source.data} (the space's)"  # as written in the file, not its full path
    table.add_row("Dataset", Text.assemble(data, key("d f")))
    if settings.dataset.strip().lower().endswith(".csv"):
        table.add_row("Target", Text.assemble(settings.target or "auto", key("g")))
    task = source.task or "auto"
    table.add_row("Task", Text.assemble(task, key("T")))
    objective = str(source.objective) if source.objective else "auto (the task's)"
    table.add_row("Objective", Text.assemble(objective, key("O")))
    folds = chosen is not None and chosen.backend == "sklearn"
    cv = (f"  folds {settings.cv}", key("c")) if folds else ""
    table.add_row("Backend", Text.assemble(backend, key("b"), *cv))
    table.add_row("Algorithm", Text.assemble(algorithm, key("a")))
    table.add_row(
        "Budget",
        Text.assemble(budget_text(settings, chosen), key("t"), f"  seed {settings.seed}", key("s")),
    )
    table.add_row(
        "Epochs",
        Text.assemble(epochs, key("e"), f"  workers {workers_shown(settings, chosen)}", key("p")),
    )
    if chosen is not None and chosen.backend == "keras-tuner" and chosen.algorithm != "hyperband":
        table.add_row("Pruning", Text.assemble("on" if settings.prune else "off", key("P")))
    table.add_row("Grid", grid_text(space, settings.cv if folds else None))
    if chosen is None:
        table.add_row("Plan", Text(f"⚠ {problem}", "bold red"))
    else:
        planned = count(chosen.planned_trials, candidates(chosen.algorithm))
        if folds:
            planned += (
                f" × {settings.cv} folds = {count(chosen.planned_trials * settings.cv, 'fit')}"
            )
        table.add_row("Plan", f"{planned}, ≤ {count(chosen.epochs_budget, 'epoch')}")
        if chosen.hyperband_iterations:
            table.add_row("Hyperband", _iterations(chosen.hyperband_iterations))
        table.add_row("Estimate", estimate_words(chosen, space, settings, timing))
        table.add_row("Why", Text(console_words(chosen.reason), "italic"))
    table.add_row("Data", Text(data_text(space, settings), "dim"))
    return table

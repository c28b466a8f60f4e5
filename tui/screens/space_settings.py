"""The space editor's run settings: dataset, target, backend, algorithm, folds, budget,
epochs, seed, workers, pruning, task and objective, each on its key (`d`, `b`, `t`, …)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from engine.face import (
    ALGORITHMS,
    BACKENDS,
    BUILTIN,
    SUPPORTED,
    TASKS,
    InputError,
    Objective,
    RunSettings,
    Space,
    check_dataset,
    parse_workers,
    workers_text,
)
from tui.draft import Draft
from tui.screens.dialogs import PromptScreen

if TYPE_CHECKING:
    from textual.app import App


class SpaceSettings:
    """Mixed into the editor screen, whose settings, draft and status line it uses."""

    app: App[Any]
    draft: Draft
    settings: RunSettings

    # the editor's own, which it defines
    @property
    def space(self) -> Space:
        raise NotImplementedError

    def say(self, text: str, error: bool = False) -> None:
        raise NotImplementedError

    def _refresh(self) -> None:
        raise NotImplementedError

    def _commit(self, draft: Draft, what: str) -> None:
        raise NotImplementedError

    def _settle(self, **changes: object) -> None:
        try:
            self.settings = self.settings.but(**changes)
        except InputError as exc:
            if not self.settings.prune or "prune" in changes:
                self.say(str(exc), error=True)
            else:  # a backend or algorithm pruning does not apply to: the change wins
                self._settle(**changes, prune=False)
                self.say("pruning off: it applies to random, grid and Bayesian on Keras Tuner")
                return
        self._refresh()

    def action_prune(self) -> None:
        self._settle(prune=not self.settings.prune)

    def action_next_dataset(self) -> None:
        current = self.settings.dataset.lower()
        index = BUILTIN.index(current) + 1 if current in BUILTIN else 0
        self._settle(dataset=BUILTIN[index % len(BUILTIN)], target=None)

    def action_dataset_path(self) -> None:
        def done(value: str | None) -> None:
            if value:
                self._settle(dataset=value.strip(), target=None)

        prompt = PromptScreen(
            "Dataset: builtin name or .csv/.npz path", self.settings.dataset, dataset_problem
        )
        self.app.push_screen(prompt, done)

    def action_target(self) -> None:
        dataset = self.settings.dataset
        if not dataset.strip().lower().endswith(".csv"):
            self.say("only a CSV dataset has a target column to pick (f picks a file)", True)
            return

        def check(text: str) -> str | None:
            return dataset_problem(dataset, text.strip() or None)

        def done(value: str | None) -> None:
            if value is not None:
                self._settle(target=value.strip() or None)

        title = "Target column (empty: one named target, label or class, else the last)"
        self.app.push_screen(PromptScreen(title, self.settings.target or "", check), done)

    def action_folds(self) -> None:
        self._ask_number("Cross-validation folds (scikit-learn backend)", "cv", 2)

    def action_next_backend(self) -> None:
        offered = offered_backends()
        current = self.settings.backend
        index = offered.index(current) + 1 if current in offered else 0
        backend = offered[index % len(offered)]
        algorithm = self.settings.algorithm
        if backend != "auto" and algorithm not in ("auto", *SUPPORTED[backend]):
            algorithm = "auto"
        self._settle(backend=backend, algorithm=algorithm)

    def action_next_algorithm(self) -> None:
        backend = self.settings.backend
        offered = ALGORITHMS if backend == "auto" else ("auto", *SUPPORTED[backend])
        current = self.settings.algorithm
        index = offered.index(current) + 1 if current in offered else 0
        self._settle(algorithm=offered[index % len(offered)])

    def _ask_number(self, title: str, field: str, low: int | None, empty_ok: bool = False) -> None:
        def check(text: str) -> str | None:
            text = text.strip()
            if not text and empty_ok:
                return None
            try:
                value = int(text)
            except ValueError:
                return f"expected a whole number, got {text!r}"
            return f"must be at least {low}" if low is not None and value < low else None

        def done(value: str | None) -> None:
            if value is not None:
                self._settle(**{field: int(value) if value.strip() else None})

        current = getattr(self.settings, field)
        self.app.push_screen(
            PromptScreen(title, "" if current is None else str(current), check), done
        )

    def action_next_task(self) -> None:
        order = (None, *TASKS)
        task = order[(order.index(self.space.source.task) + 1) % len(order)]
        self._commit(self.draft.with_source(task=task), f"task {task or 'inferred'}")
        self.say(f"task: {task or 'inferred from the labels'} (u undoes)")

    def action_objective(self) -> None:
        parsed: dict[str, Objective] = {}

        def check(text: str) -> str | None:
            if not text.strip():
                return None
            try:
                parsed["objective"] = Objective.parse(text.strip())
            except InputError as exc:
                return str(exc)
            return None

        def done(value: str | None) -> None:
            if value is not None:
                objective = parsed.get("objective")
                what = f"objective {objective or 'the task’s'}"
                self._commit(self.draft.with_source(objective=objective), what)

        current = self.space.source.objective
        text = f"{current.metric}:{current.direction}" if current else ""
        title = "Objective: METRIC[:min|max], e.g. val_loss or val_auc (empty: the task's)"
        self.app.push_screen(PromptScreen(title, text, check), done)

    def action_trials(self) -> None:
        title = "Trial budget (empty: 10, and a grid search runs its whole grid)"
        self._ask_number(title, "max_trials", 1, True)

    def action_epochs(self) -> None:
        self._ask_number("Epochs for every trial (empty: the space's epochs)", "epochs", 1, True)

    def action_seed(self) -> None:
        self._ask_number("Seed", "seed", None)

    def action_workers(self) -> None:
        """A count, or `auto`: the plan picks one from the cores, GPUs and the search's size."""

        def check(text: str) -> str | None:
            value = parse_workers(text)
            return (
                None
                if isinstance(value, int)
                else f"expected auto or a whole number ≥ 1, got {text.strip()!r}"
            )

        def done(value: str | None) -> None:
            if value is not None:
                self._settle(workers=parse_workers(value))

        title = "Trials run at once (parallel workers; auto: by cores, GPUs and search size)"
        current = str(workers_text(self.settings.workers))
        self.app.push_screen(PromptScreen(title, current, check), done)


def offered_backends() -> tuple[str, ...]:
    """The backends `b` cycles through. `fake` (no training, for tests) only where a test has
    asked for it by setting its speed, `TUNEDECK_FAKE_DELAY`."""
    if os.environ.get("TUNEDECK_FAKE_DELAY") is not None:
        return BACKENDS
    return tuple(b for b in BACKENDS if b != "fake")


def dataset_problem(spec: str, target: str | None = None) -> str | None:
    """The engine's check of a dataset name or file, as a dialog's refusal (None: fine)."""
    try:
        check_dataset(spec.strip(), target)
    except InputError as exc:
        return str(exc)
    return None

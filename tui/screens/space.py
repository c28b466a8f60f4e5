"""The space editor: the space as a tree, the engine's plan beside it, and the run settings.

The screen owns the draft, the undo stack and the settings; the tree and the side panel only
show them. Starting a search is asked of the app with a message.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import partial
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from engine.face import (
    Hyperparameter,
    RunSettings,
    Space,
    SpaceError,
    describe,
)
from tui.bridge import Standby
from tui.draft import Draft, file_settings
from tui.history import History
from tui.messages import RunRequested
from tui.screens.dialogs import PromptScreen, SummaryScreen
from tui.screens.space_files import SpaceFiles
from tui.screens.space_settings import SpaceSettings, dataset_problem
from tui.timing import Key, ModelTimer
from tui.widgets.side_panel import SidePanel
from tui.widgets.space_tree import NodeRef, SpaceTree, layer_of


class SpaceScreen(SpaceFiles, SpaceSettings, Screen[None]):
    """Edit the space (tree), choose dataset/backend/algorithm/budget (side panel), run."""

    BINDINGS = [
        Binding("r", "run", "Run", tooltip="In its own process, under runs/", id="space.run"),
        Binding("u", "undo", "Undo", id="space.undo"),
        Binding("U,ctrl+r", "redo", "Redo", show=False, id="space.redo"),
        Binding("slash", "find", "Find", key_display="/", id="space.find"),
        Binding(
            "m",
            "summary",
            "Summary",
            tooltip="Keras model summary (a second once the warm engine is up)",
            id="space.summary",
        ),
        Binding("d", "next_dataset", "Dataset", show=False, id="space.next_dataset"),
        Binding("f", "dataset_path", "Dataset file…", show=False, id="space.dataset_path"),
        Binding(
            "g",
            "target",
            "Target column…",
            show=False,
            tooltip="Of a CSV dataset",
            id="space.target",
        ),
        Binding(
            "c", "folds", "CV folds…", show=False, tooltip="scikit-learn backend", id="space.folds"
        ),
        Binding("b", "next_backend", "Backend", show=False, id="space.next_backend"),
        Binding("a", "next_algorithm", "Algorithm", show=False, id="space.next_algorithm"),
        Binding("t", "trials", "Trials…", show=False, id="space.trials"),
        Binding("e", "epochs", "Epochs…", show=False, id="space.epochs"),
        Binding("s", "seed", "Seed…", show=False, id="space.seed"),
        Binding("p", "workers", "Parallel workers…", show=False, id="space.workers"),
        Binding(
            "P",
            "prune",
            "Pruning",
            show=False,
            tooltip="Stop trials trailing the median (Keras Tuner random, grid, Bayesian)",
            id="space.prune",
        ),
        Binding("T", "next_task", "Task", show=False, id="space.next_task"),
        Binding("O", "objective", "Objective…", show=False, id="space.objective"),
        Binding(
            "w",
            "save",
            "Save",
            show=False,
            tooltip="Over the open file, else asks a name",
            id="space.save",
        ),
        Binding("W", "save_as", "Save as…", show=False, id="space.save_as"),
        Binding("o", "open", "Open…", show=False, id="space.open"),
        Binding("v", "app.show_monitor", "Back to the run", show=False, id="space.monitor"),
        Binding(
            "l",
            "app.runs",
            "Runs…",
            show=False,
            tooltip="Open or delete earlier runs",
            id="space.runs",
        ),
    ]

    def __init__(self, space: Space, settings: RunSettings, space_path: str | None = None) -> None:
        super().__init__()
        self.draft = Draft(space)
        self.history = History()
        self.settings = settings
        self.space_path = space_path
        # as last opened or saved: what `modified` compares with (no file: as the console began)
        self.saved = space if space_path else replace(space, console=file_settings(settings))
        self.timer = ModelTimer()  # the warm engine's timings of the model, for the estimate

    @property
    def space(self) -> Space:
        return self.draft.space

    @property
    def modified(self) -> bool:
        """The space or the console's settings (saved with it) differ from those last opened
        or saved."""
        return self.space != self.saved or file_settings(self.settings) != dict(self.saved.console)

    @property
    def name(self) -> str:
        return self.space_path or "built-in default space"

    def compose(self) -> ComposeResult:
        yield Static(self._title(), id="title", classes="title")
        with Horizontal(id="space-body"):
            yield SpaceTree(self.draft, id="space-tree")
            with VerticalScroll(id="side"):
                yield SidePanel(id="side-panel")
        yield Static("", id="space-status", classes="hint")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(SpaceTree).move_cursor_to_line(0)
        self._refresh()
        self.set_interval(1.0, self._time_model)  # once the warm engine is up and idle
        if self.space.note:  # a W&B sweep or an NNI space, converted: say what went where
            self.say(self.space.note)
        self.read_declared()

    def _title(self) -> str:
        mark = " (modified)" if self.modified else ""
        return f"tunedeck · space · {self.name}{mark}   ? keys"

    def say(self, text: str, error: bool = False) -> None:
        """One line under the tree: the last refusal (in place, not a passing toast) or news."""
        status = self.query_one("#space-status", Static)
        status.update(("⚠ " if error else "") + text)
        status.set_class(error, "error")

    def _refresh(self) -> None:
        self.query_one(SpaceTree).show(self.draft)
        self._show_plan()
        self.query_one("#title", Static).update(self._title())

    def _show_plan(self) -> None:
        timing = self.timer.get(self.space, self.settings)
        self.query_one(SidePanel).show(self.space, self.settings, timing)

    def _time_model(self) -> None:
        """Ask the warm engine to time the model on the data, when it is idle (see tui.timing)."""
        standby = getattr(self.app, "standby", None)
        key = self.timer.wanted(self.space, self.settings, standby)
        if key is not None and standby is not None:
            self.run_worker(self._timed(key, standby), group="timing")

    async def _timed(self, key: Key, standby: Standby) -> None:
        await self.timer.fetch(key, standby, self.space, self.settings)
        self._show_plan()

    # ---- space edits -----------------------------------------------------------------------
    def _commit(self, draft: Draft, what: str) -> None:
        """Apply an edit; `what` names it when it is undone or redone."""
        self.history.record(self.draft, what)
        self.draft = draft
        self.say("")
        self._refresh()

    def _try(self, change: Callable[[], Draft], what: str) -> str | None:
        """Apply an edit; the engine's refusal comes back as the message to show."""
        try:
            self._commit(change(), what)
        except SpaceError as exc:
            return str(exc)
        return None

    def on_space_tree_edit_requested(self, message: SpaceTree.EditRequested) -> None:
        ref: NodeRef = message.ref
        if ref.kind == "group":
            self._edit_layers(message.action, layer_of(ref))
            return
        name = ref.name
        spec = self.space.spec(name)
        if message.action == "edit":

            def apply(new: Hyperparameter) -> str | None:
                return self._try(lambda: self.draft.set(name, new), f"edit of {name}")

            from tui.screens.editor import EditorScreen  # its widgets load on first use

            self.app.push_screen(EditorScreen(self.space, name, apply))
        elif message.action == "add":

            def add(text: str) -> str | None:
                return self._try(
                    lambda: self.draft.add(name, text), f"{text.strip()} added to {name}"
                )

            hint = f"{spec.type.__name__}: {spec.help}"
            self.app.push_screen(PromptScreen(f"Add a value to {spec.path}", check=add, hint=hint))
        elif ref.kind != "value":
            self.say("move to a value first (the ● lines)", error=True)
        else:
            value = ref.value
            if message.action == "toggle":
                on = any(
                    o for v, o in self.draft.values(name) if v == value and type(v) is type(value)
                )
                change = self.draft.toggle
                what = f"{name} {value} switched {'off' if on else 'on'}"
            else:
                change, what = self.draft.remove, f"{value} removed from {name}"
            problem = self._try(lambda: change(name, value), what)
            if problem:
                self.say(problem, error=True)

    def _edit_layers(self, action: str, layer: int | None) -> None:
        """`+` on a hidden layer's node inserts one after it; delete removes it."""
        if layer is None or action not in ("add", "remove"):
            return
        if action == "add":
            change, what = partial(self.draft.layer_inserted, layer), f"layer added after {layer}"
        else:
            change, what = partial(self.draft.layer_removed, layer), f"layer {layer} removed"
        problem = self._try(change, what)
        self.say(problem or f"{what} (u undoes)", error=problem is not None)

    def action_undo(self) -> None:
        self._step(self.history.undo(self.draft), "undid", "nothing to undo", "U redoes")

    def action_redo(self) -> None:
        self._step(self.history.redo(self.draft), "redid", "nothing to redo", "u undoes")

    def _step(self, step: tuple[Draft, str] | None, done: str, none: str, back: str) -> None:
        if step is None:
            self.say(none)
            return
        self.draft, what = step
        self._refresh()
        self.say(f"{done}: {what} ({back})")

    def palette_entries(self) -> list[tuple[str, str, Callable[[], Any]]]:
        """Every parameter, for the command palette: choosing one moves the tree to it."""
        tree = self.query_one(SpaceTree)
        return [
            (
                f"{spec.name}  ({spec.group})",
                f"go to {spec.path}: {describe(hp)}",
                partial(tree.focus_param, spec.name),
            )
            for spec in self.space.specs
            if (hp := self.space.params.get(spec.name)) is not None
        ]

    def action_find(self) -> None:
        def check(text: str) -> str | None:
            names = [p.name for p in self.space.specs if text.strip().lower() in p.name]
            if not text.strip() or not names:
                return f"no parameter matches {text!r}"
            exact = [n for n in names if n == text.strip().lower()]
            self.query_one(SpaceTree).focus_param((exact or names)[0])
            return None

        self.app.push_screen(PromptScreen("Find a parameter", check=check))

    # ---- elsewhere -------------------------------------------------------------------------
    def action_summary(self) -> None:
        self.app.push_screen(SummaryScreen(self.space, self.settings.dataset))

    def action_run(self) -> None:
        problem = self.query_one(SidePanel).problem  # planned when the space last changed
        if problem:
            self.say(f"cannot run: {problem}", error=True)
            return
        problem = dataset_problem(self.settings.dataset)
        if problem:
            self.say(f"cannot run: {problem}", error=True)
            return
        self.post_message(RunRequested(self.space, self.settings))

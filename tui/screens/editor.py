"""Edit one parameter: switch it between choice, range and fixed, and set its values.

The fields are turned into the space-file form and parsed by the engine, so what the editor
accepts is exactly what a space file accepts; a refusal is shown in place and the editor stays.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from engine.face import Fixed, Float, Hyperparameter, Int, Space, SpaceError
from tui.draft import kind_of, kinds_for, parse_list, parse_token
from tui.fmt import fmt_value
from tui.widgets.tickbox import TickBox

Apply = Callable[[Hyperparameter], str | None]


class EditorScreen(ModalScreen[Hyperparameter | None]):
    """Returns the new hyperparameter; `apply` may still refuse it (message shown in place)."""

    BINDINGS = [
        Binding("ctrl+t", "cycle_kind", "Kind", id="editor.cycle_kind"),
        Binding("enter", "submit", "Apply", id="editor.submit"),
        Binding("escape", "cancel", "Cancel", id="editor.cancel"),
    ]

    def __init__(self, space: Space, name: str, apply: Apply) -> None:
        super().__init__()
        self.space = space
        self.param = name
        self.hp = space.params[name]
        self.apply = apply
        self.spec = space.spec(name)
        self.kinds = kinds_for(space, name)
        self.kind = kind_of(self.hp)

    def compose(self) -> ComposeResult:
        spec, hp = self.spec, self.hp
        shown = hp.values() or ()  # a fixed value or a small grid pre-fills the choice
        values = ", ".join(fmt_value(v) for v in shown) if len(shown) <= 12 else ""
        low, high, step, log = _range_fields(hp)
        with Vertical(classes="dialog wide", id="editor"):
            yield Label(f"Edit {spec.path} ({spec.type.__name__})", classes="dialog-title")
            yield Static(self._help(), classes="hint")
            yield Static("", id="editor-kind")
            with Vertical(id="kind-choice", classes="kind"):
                yield Label("values, comma-separated")
                yield Input(values, id="values")
            with Vertical(id="kind-range", classes="kind"):
                with Horizontal(classes="range-row"):
                    yield Input(low, placeholder="min", id="min")
                    yield Input(high, placeholder="max", id="max")
                    yield Input(step, placeholder="step (empty: continuous)", id="step")
                yield TickBox("log sampling", log, id="log")
            with Vertical(id="kind-fixed", classes="kind"):
                yield Label("value")
                yield Input(fmt_value(hp.default), id="fixed")
            yield Static("", id="editor-error")
            yield Label(
                "enter apply · ctrl+t kind · tab next field · space ticks · esc cancel",
                classes="hint",
            )

    def _help(self) -> str:
        spec = self.spec
        parts = [spec.help]
        if spec.names:
            parts.append("one of: " + ", ".join(spec.names))
        if spec.bound is not None:
            parts.append(spec.bound.describe())
        if spec.parent:
            parts.append(
                f"only used when {spec.parent} is " + "/".join(fmt_value(v) for v in spec.when)
            )
        return " · ".join(parts)

    def on_mount(self) -> None:
        self._show_kind()

    def _show_kind(self) -> None:
        for kind in ("choice", "range", "fixed"):
            self.query_one(f"#kind-{kind}").display = kind == self.kind
        names = "  ".join(f"[b]({k})[/b]" if k == self.kind else k for k in self.kinds)
        self.query_one("#editor-kind", Static).update(f"kind: {names}   ctrl+t switches")
        first = {"choice": "#values", "range": "#min", "fixed": "#fixed"}[self.kind]
        self.query_one(first, Input).focus()

    def action_cycle_kind(self) -> None:
        self.kind = self.kinds[(self.kinds.index(self.kind) + 1) % len(self.kinds)]
        self._show_kind()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_submit()

    def action_submit(self) -> None:
        try:
            hp = self.build()
        except SpaceError as exc:
            self._error(str(exc))
            return
        problem = self.apply(hp)
        if problem:
            self._error(problem)
            return
        self.dismiss(hp)

    def build(self) -> Hyperparameter:
        """The fields as a hyperparameter (raises SpaceError with the engine's message)."""
        value = lambda wid: self.query_one(wid, Input).value.strip()  # noqa: E731
        if self.kind == "choice":
            return self.space.parse_value(self.param, parse_list(value("#values")))
        if self.kind == "fixed":
            if not value("#fixed"):
                raise SpaceError(self.spec.path, "type a value")
            hp = self.space.parse_value(self.param, parse_token(value("#fixed")))
            return hp if isinstance(hp, Fixed) else Fixed(hp.default)
        raw: dict[str, object] = {
            "min": parse_token(value("#min")),
            "max": parse_token(value("#max")),
        }
        if value("#step"):
            raw["step"] = parse_token(value("#step"))
        raw["sampling"] = "log" if self.query_one("#log", TickBox).value else "linear"
        for key in ("min", "max"):
            if raw[key] is None or raw[key] == "":
                raise SpaceError(f"{self.spec.path}.{key}", "required for a range")
        return self.space.parse_value(self.param, raw)

    def _error(self, message: str) -> None:
        error = self.query_one("#editor-error", Static)
        error.update(f"⚠ {message}")
        error.set_class(True, "error")

    def action_cancel(self) -> None:
        self.dismiss(None)


def _range_fields(hp: Hyperparameter) -> tuple[str, str, str, bool]:
    """min, max, step and log of a range; a numeric choice or value pre-fills min and max."""
    if isinstance(hp, Int | Float):
        step = "" if hp.step is None else fmt_value(hp.step)
        return fmt_value(hp.min), fmt_value(hp.max), step, hp.sampling == "log"
    numbers = [
        v for v in hp.values() or () if isinstance(v, int | float) and not isinstance(v, bool)
    ]
    if not numbers:
        return "", "", "", False
    return fmt_value(min(numbers)), fmt_value(max(numbers)), "", False

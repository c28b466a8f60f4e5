"""A checkbox whose state is its glyph (☑ / ☐), not its colour, and where enter is left to the
dialog (it applies it) while space ticks."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.widgets import Checkbox

ON, OFF = "☑", "☐"


class TickBox(Checkbox, inherit_bindings=False):
    BUTTON_LEFT = ""
    BUTTON_RIGHT = ""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "toggle_button", "Tick", show=False, id="tickbox.toggle_button")
    ]

    def __init__(self, label: str, value: bool = False, *, id: str | None = None) -> None:
        super().__init__(label, value, id=id)
        self.BUTTON_INNER = ON if value else OFF

    def watch_value(self) -> None:
        self.BUTTON_INNER = ON if self.value else OFF
        super().watch_value()

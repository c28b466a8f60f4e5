"""The command palette (ctrl+p): every key binding of the current screen, found by name, and
what the screen offers to jump to (the editor: every parameter).

Built from the same bindings as the footer and the help screen, so an action can never be
reachable by key but missing from the palette.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any, Protocol, runtime_checkable

from textual.command import DiscoveryHit, Hit, Hits, Provider

from tui.screens.help import screen_bindings


class BindingCommands(Provider):
    """One command per binding of the screen the palette was opened on."""

    def _commands(self) -> list[tuple[str, str, Callable[[], Any]]]:
        screen = self.screen
        out: list[tuple[str, str, Callable[[], Any]]] = []
        seen: set[tuple[int, str]] = set()
        for active in screen.active_bindings.values():
            binding = active.binding
            ident = (id(active.node), binding.action)
            if not binding.description or binding.system or ident in seen:
                continue
            if binding.action in ("command_palette",):
                continue
            seen.add(ident)
            keys = [k for k, d, _ in screen_bindings(screen) if d == binding.description]
            run = partial(self.app.run_action, binding.action, active.node)
            out.append((binding.description, keys[0] if keys else binding.key, run))
        return out

    async def discover(self) -> Hits:
        for description, keys, run in self._commands():
            yield DiscoveryHit(description, run, help=f"key: {keys}")

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for description, keys, run in self._commands():
            score = matcher.match(description)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(description),
                    run,
                    text=description,
                    help=f"key: {keys}",
                )


Entry = tuple[str, str, Callable[[], Any]]  # what to show, a help line, what it does


@runtime_checkable
class HasPaletteEntries(Protocol):
    def palette_entries(self) -> list[Entry]: ...


class ScreenEntries(Provider):
    """The places a screen offers (`palette_entries`), e.g. the editor's parameters by name."""

    def _entries(self) -> list[Entry]:
        screen = self.screen
        return screen.palette_entries() if isinstance(screen, HasPaletteEntries) else []

    async def discover(self) -> Hits:
        for text, help_text, run in self._entries():
            yield DiscoveryHit(text, run, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text, help_text, run in self._entries():
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, matcher.highlight(text), run, text=text, help=help_text)

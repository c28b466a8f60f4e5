"""The command palette (ctrl+p): every key binding of the current screen, found by name (or,
ranked lower, by its tooltip: what it does).

Built from the same bindings as the footer and the help screen, so an action can never be
reachable by key but missing from the palette.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

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

    def _tooltips(self) -> dict[str, str]:
        return {a.binding.description: a.binding.tooltip
                for a in self.screen.active_bindings.values() if a.binding.tooltip}  # fmt: skip

    async def discover(self) -> Hits:
        for description, keys, run in self._commands():
            yield DiscoveryHit(description, run, help=f"key: {keys}")

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        tooltips = self._tooltips()
        for description, keys, run in self._commands():
            score = matcher.match(description)
            if score == 0 and description in tooltips:
                score = matcher.match(tooltips[description]) / 2
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(description),
                    run,
                    text=description,
                    help=f"key: {keys}",
                )

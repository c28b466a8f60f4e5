"""Undo and redo of the space editor's drafts, each step named so the status line can say what
was undone or redone (a silent undo leaves the user guessing what changed)."""

from __future__ import annotations

from dataclasses import dataclass, field

from tui.draft import Draft

LIMIT = 200


@dataclass
class History:
    """Drafts before each edit (undo) and after each undone one (redo), with what the edit was."""

    undos: list[tuple[Draft, str]] = field(default_factory=list)
    redos: list[tuple[Draft, str]] = field(default_factory=list)

    def record(self, before: Draft, what: str) -> None:
        """A new edit: it can be undone, and what was undone before can no longer be redone."""
        self.undos.append((before, what))
        del self.undos[:-LIMIT]
        self.redos.clear()

    def undo(self, current: Draft) -> tuple[Draft, str] | None:
        """The draft before the last edit, and that edit; None when there is none."""
        if not self.undos:
            return None
        before, what = self.undos.pop()
        self.redos.append((current, what))
        return before, what

    def redo(self, current: Draft) -> tuple[Draft, str] | None:
        """The draft the last undo went back from, and that edit; None when there is none."""
        if not self.redos:
            return None
        after, what = self.redos.pop()
        self.undos.append((current, what))
        return after, what

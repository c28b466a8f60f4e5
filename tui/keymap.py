"""The user's own keys: a YAML mapping of binding ids to keys, Textual's keymap.

Every binding of the console has an id (`space.save`, `monitor.stop`, ...; `tunedeck keys`
lists them). The file (`engine.system.places.keymap_file`) is checked before the console opens, so
a typo is one line naming the file and the id rather than a key that silently does nothing,
and two actions of one screen given the same key are refused rather than one of them lost.
"""

from __future__ import annotations

import difflib
import importlib
import pkgutil
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from textual.binding import Binding
from textual.dom import DOMNode

from engine.face import InputError, keymap_file, parse_text, read_text

KEY = re.compile(r"[A-Za-z0-9_]+(\+[A-Za-z0-9_]+)*")  # Textual's key names: ctrl+s, f5, slash


@dataclass(frozen=True)
class Bound:
    """One binding of the console: its id, default keys, what it does and where."""

    ident: str
    keys: str
    description: str
    owner: str


def _subclasses(cls: type) -> Iterator[type]:
    sub: type
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def bindings() -> list[Bound]:
    """Every binding the console declares, each class's own (every tui module imported)."""
    import tui

    for module in pkgutil.walk_packages(tui.__path__, "tui."):
        importlib.import_module(module.name)
    out: dict[str, Bound] = {}
    for cls in _subclasses(DOMNode):
        if not cls.__module__.startswith("tui."):
            continue
        for binding in cls.__dict__.get("BINDINGS", []):
            if isinstance(binding, Binding) and binding.id:
                keys = ",".join(k.strip() for k in binding.key.split(","))
                out[binding.id] = Bound(binding.id, keys, binding.description, cls.__name__)
    return sorted(out.values(), key=lambda b: b.ident)


def read_keymap(path: Path | None = None) -> dict[str, str]:
    """The keymap in `path` (default: the user's keymap file), checked; {} when there is none."""
    path = path or keymap_file()
    if not path.exists() and not path.is_symlink():
        return {}
    source = str(path)
    try:
        data = parse_text(read_text(path), path.suffix)
    except InputError as err:
        raise err.with_source(source) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InputError(
            "expected a mapping of binding ids to keys (`tunedeck keys` lists the ids)",
            source=source,
        )
    known = {b.ident: b for b in bindings()}
    keymap: dict[str, str] = {}
    for ident, keys in data.items():
        if not isinstance(ident, str) or ident not in known:
            close = difflib.get_close_matches(str(ident), list(known), n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            raise InputError(
                f"{ident}: no such binding{hint}; `tunedeck keys` lists them", source=source
            )
        names = [k.strip() for k in keys.split(",")] if isinstance(keys, str) else []
        if not names or not all(KEY.fullmatch(name) for name in names):
            raise InputError(
                f"{ident}: expected key names such as 'ctrl+s' or 'f2,slash', got {keys!r}",
                source=source,
            )
        keymap[ident] = ",".join(names)
    _refuse_clashes(known, keymap, source)
    return keymap


def _refuse_clashes(known: dict[str, Bound], keymap: dict[str, str], source: str) -> None:
    """Two actions of one screen on one key: Textual would keep one and drop the other."""
    taken: dict[tuple[str, str], str] = {}
    for ident, bound in known.items():
        for key in keymap.get(ident, bound.keys).split(","):
            other = taken.setdefault((bound.owner, key), ident)
            if other != ident and (ident in keymap or other in keymap):
                raise InputError(
                    f"{other} and {ident} both take {key!r} on one screen (give "
                    "one of them another key)",
                    source=source,
                )


def keys_lines(keymap: dict[str, str]) -> list[str]:
    """`tunedeck keys`: every binding id, its keys (the user's marked) and what it does."""
    rows = [
        (
            b.ident,
            keymap.get(b.ident, b.keys) + (" *" if b.ident in keymap else ""),
            b.description or "-",
        )
        for b in bindings()
    ]
    width = [max(len(r[i]) for r in rows) for i in range(2)]
    lines = [f"{i:<{width[0]}}  {k:<{width[1]}}  {d}" for i, k, d in rows]
    note = f"* from {keymap_file()}" if keymap else f"your keys go in {keymap_file()}"
    return [*lines, "", note + " (YAML: `space.save: ctrl+s`)"]

"""Reading a space or settings file a user hands over, whatever it really is.

Only a regular file of sane size is opened (a FIFO or a device would block or never end; a
symlink loop is one line). YAML and JSON are parsed strictly: a key given twice is refused
(the second would silently win), and YAML aliases may not expand past a bound (an alias bomb
of a few hundred bytes stands for billions of values; its expansion is never built nor printed).
"""

from __future__ import annotations

import errno
import json
import os
import stat
from pathlib import Path
from typing import Any

from engine.errors import InputError

MAX_BYTES = 10 * 2**20  # a space file is a few kB; 10 MB holds a 100,000-value choice
MAX_NODES = 1_000_000  # values a YAML document may stand for once its aliases are expanded


def read_text(path: str | Path, max_bytes: int = MAX_BYTES) -> str:
    """The UTF-8 text of the regular file at `path`; anything else is one InputError."""
    refuse_code(str(path))
    path = Path(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        raise InputError("no such file", source=str(path)) from None
    except OSError as exc:
        why = "a symlink loop" if exc.errno == errno.ELOOP else exc.strerror or str(exc)
        raise InputError(f"cannot read ({why})", source=str(path)) from None
    if stat.S_ISDIR(info.st_mode):
        raise InputError("cannot read (IsADirectoryError)", source=str(path))
    if not stat.S_ISREG(info.st_mode):
        raise InputError("not a regular file (a device, FIFO or socket)", source=str(path))
    if info.st_size > max_bytes:
        raise InputError(
            f"too large ({info.st_size / 2**20:.0f} MB; at most {max_bytes / 2**20:.0f} MB)",
            source=str(path),
        )
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # swapped for a FIFO since: no block
        with os.fdopen(fd, "rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise InputError(f"cannot read ({type(exc).__name__})", source=str(path)) from None
    if len(data) > max_bytes:
        raise InputError(f"too large (more than {max_bytes / 2**20:.0f} MB)", source=str(path))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError("not a UTF-8 text file", source=str(path)) from None


def refuse_code(given: str) -> None:
    """A model's Python file (`net.py`, `net.py:build`) where a space file belongs: say how a
    space names it, or how to write one from it, rather than "no such file" or a YAML error."""
    file, colon, function = given.rpartition(":")
    if not (colon and file.endswith(".py") and function.isidentifier()):
        file, function = given, ""
    if not file.endswith(".py"):
        return
    grid = _grid_name(file, function)
    if grid is not None:  # a scikit-learn param_grid in it: that is the space
        ref = f"{file}:{grid}"
        raise InputError(
            f"{given} is Python code, not a space file: its param_grid is a space; name it "
            f"in one (params: {ref}) or write it out with `tunedeck space --from {ref} > "
            "space.yaml`"
        )
    ref = f"{file}:{function or 'FUNCTION'}"
    raise InputError(
        f"{given} is Python code, not a space file: name it in a space (model: {ref}) or "
        f"write one with `tunedeck space --from {ref} > space.yaml`"
    )


GRID_NAMES = ("param_grid", "params", "param_distributions", "grid")


def _grid_name(file: str, function: str) -> str | None:
    """The name `file` binds its scikit-learn param_grid to (the one named, if it is one),
    read from its syntax tree; None when it has none or cannot be read."""
    from engine.space.literal import PythonFile
    from engine.space.param_grid import looks_like_grid

    try:
        bindings = PythonFile.read(Path(file), "space").bindings()
    except InputError:
        return None
    names = [function] if function else [*GRID_NAMES, *bindings]
    for name in names:
        value = bindings.get(name)
        if isinstance(value, dict) and (name in GRID_NAMES or looks_like_grid(value)):
            return name
    return None


def parse_text(text: str, suffix: str) -> Any:
    """YAML (safe loader) or JSON by file suffix, with a one-line error on malformed input."""
    if suffix == ".json":
        try:
            return json.loads(text, object_pairs_hook=_unique_json)
        except json.JSONDecodeError as exc:
            raise InputError(f"malformed JSON at line {exc.lineno}: {exc.msg}") from None
        except RecursionError:
            raise InputError("malformed JSON: nested too deeply") from None
    import yaml

    try:
        return yaml.load(text, Loader=_strict_loader())  # noqa: S506 - a safe loader
    except RecursionError:
        raise InputError("malformed YAML: nested too deeply") from None
    except yaml.reader.ReaderError as exc:
        raise InputError(f"not a YAML text: {exc.reason} at position {exc.position}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "not valid YAML"
        if "nesting depth" in problem:  # libyaml's own bound
            raise InputError("malformed YAML: nested too deeply") from None
        raise InputError(f"malformed YAML{where}: {problem}") from None


def _unique_json(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise InputError(f"malformed JSON: key {key!r} given twice")
        out[key] = value
    return out


_LOADER: Any = None


def _strict_loader() -> Any:
    """yaml's safe loader refusing duplicate keys and alias bombs (built once, on first use)."""
    global _LOADER
    if _LOADER is not None:
        return _LOADER
    import yaml

    fast = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: 30× faster on large files

    class StrictLoader(fast):  # type: ignore[valid-type,misc]
        def get_single_node(self) -> Any:
            node = super().get_single_node()
            if node is not None and _expanded_size(node, {}) > MAX_NODES:
                raise InputError(
                    f"malformed YAML: its aliases expand to more than "
                    f"{MAX_NODES:,} values (an alias bomb?)"
                )
            return node

        def construct_mapping(self, node: Any, deep: bool = False) -> Any:
            if isinstance(node, yaml.MappingNode):
                seen: set[Any] = set()
                for key_node, _ in node.value:
                    key = self.construct_object(key_node, deep=deep)
                    try:
                        duplicate = key in seen
                    except TypeError:  # an unhashable key: the base class says so
                        break
                    if duplicate:
                        line = key_node.start_mark.line + 1
                        raise InputError(f"malformed YAML at line {line}: key {key!r} given twice")
                    seen.add(key)
            return super().construct_mapping(node, deep=deep)

    _LOADER = StrictLoader
    return _LOADER


def _expanded_size(node: Any, sizes: dict[int, int]) -> int:
    """How many nodes `node` stands for with every alias expanded, counted once per distinct
    node (linear in the document, however large its expansion)."""
    known = sizes.get(id(node))
    if known is not None:
        return known
    sizes[id(node)] = 1  # a recursive alias counts once
    children = node.value if isinstance(node.value, list) else []
    total = 1
    for child in children:
        parts = child if isinstance(child, tuple) else (child,)
        for part in parts:
            total += _expanded_size(part, sizes)
            if total > MAX_NODES:
                break
    sizes[id(node)] = total
    return total

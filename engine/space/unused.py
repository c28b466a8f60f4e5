"""Whether a user's model compiles itself, read from its file's syntax tree (never imported).

A model its code compiled keeps its own optimizer: tunedeck's optimizer and schedule settings
then change nothing, unless the space tunes one the code does not read, in which case every
trial's model is recompiled with them (`engine.model.user_model`). The console marks them
unused in the first case, so a fixed `learning_rate = 0.01` beside `model.compile(Adam(1e-3))`
is not taken for the rate the model trains with.

A `.compile(...)` call in the named function (or in the `build` and `fit` of a named class)
counts; one in a helper it calls does not, and a module reference (not a file) is not read:
both answer "does not compile itself", which shows the settings as before.
"""

from __future__ import annotations

import ast
from pathlib import Path

from engine.space.search_space import Space
from engine.user.code import CodeRef

OPTIMIZER_GROUPS = ("optimizer", "schedule")  # what `keras_build.recompile` reads
OWN_METHODS = ("build", "fit")  # a HyperModel's


def unused_settings(space: Space) -> tuple[str, ...]:
    """The optimizer and schedule settings a self-compiling user model never sees: () when the
    model is tunedeck's, does not compile itself, or is recompiled (the space tunes one of
    these settings that its code does not read)."""
    ref = space.source.model
    if ref is None:
        return ()
    body = _code_of(ref, space.base_dir)
    if body is None or not _compiles(body):
        return ()
    read = _names_read(body)
    settings = [p.name for p in space.specs if p.group in OPTIMIZER_GROUPS]
    tuned = set(space.tuned())
    if any(name in tuned and name not in read for name in settings):
        return ()  # recompiled with them: they all matter
    return tuple(name for name in settings if name not in read)


def _code_of(ref: CodeRef, base_dir: str | None) -> list[ast.AST] | None:
    """The named function's (or class's own methods') syntax trees; None when unreadable."""
    if not ref.is_file:
        return None
    path = Path(base_dir or ".") / ref.target
    try:
        tree = ast.parse(path.read_text(encoding="utf-8", errors="replace"), str(path))
    except (OSError, SyntaxError, ValueError):
        return None
    name, _, method = ref.function.partition(".")
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == name:
            return [node]
        if isinstance(node, ast.ClassDef) and node.name == name:
            wanted = (method,) if method else OWN_METHODS
            return [
                item
                for item in node.body
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef) and item.name in wanted
            ]
    return None


def _compiles(body: list[ast.AST]) -> bool:
    return any(
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "compile"
        for part in body
        for node in ast.walk(part)
    )


def _names_read(body: list[ast.AST]) -> set[str]:
    """Every string the code writes and every argument it takes: a setting it may read
    (`hp["learning_rate"]`, `hp.get("optimizer")`, `def build(learning_rate=1e-3)`)."""
    found: set[str] = set()
    for part in body:
        for node in ast.walk(part):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                found.add(node.value)
            elif isinstance(node, ast.arg):
                found.add(node.arg)
    return found

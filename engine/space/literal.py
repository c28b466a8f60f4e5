"""Values a user's Python file writes out literally, read without running the file.

A scikit-learn `param_grid` is usually a module-level dict of lists (`param_grid =
dict(model__neurons=neurons)`, `neurons = [1, 5, 10]` above it), and the scikeras wrapper that
names the model function a call (`KerasClassifier(model=create_model, epochs=100)`). Reading
them from the syntax tree keeps the console and `validate` from importing the user's module
(which imports TensorFlow) and runs none of its code. Names bound at the top of the module, in
a top-level `if` (`if __name__ == "__main__":`) or in a top-level function's body are read in
order; only literals count (numbers, text, true/false, None, lists, tuples, dicts, `dict(…)`
and `list(…)`, earlier such names, unary minus).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.errors import InputError, not_regular

WRAPPERS = ("KerasClassifier", "KerasRegressor", "SKLearnClassifier", "SKLearnRegressor")


class NotLiteral(Exception):
    """An expression that is not a literal: the value is only known by running the file."""


@dataclass(frozen=True)
class PythonFile:
    """A user's file as a syntax tree: its literal names, functions and scikeras wrapper."""

    path: Path
    tree: ast.Module

    @classmethod
    def read(cls, path: Path, field: str) -> PythonFile:
        if why := not_regular(path):  # a FIFO would block the read
            raise InputError(f"{field}: {path}: {why}")
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise InputError(f"{field}: no such file {path}") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"{field}: cannot read {path}: {exc}") from None
        try:
            return cls(path, ast.parse(text, str(path)))
        except (SyntaxError, ValueError) as exc:
            line = getattr(exc, "lineno", None)
            where = f" (line {line})" if line else ""
            raise InputError(f"{field}: {path} is not valid Python{where}") from None

    def bindings(self) -> dict[str, Any]:
        """Every name bound to a literal, the last binding winning; a name last bound to
        something else maps to NotLiteral."""
        names: dict[str, Any] = {}
        for node in _statements(self.tree.body):
            targets: list[ast.expr] = []
            if isinstance(node, ast.Assign):
                targets = node.targets
            elif isinstance(node, ast.AnnAssign) and node.value is not None:
                targets = [node.target]
            value = getattr(node, "value", None)
            for target in targets:
                if isinstance(target, ast.Name) and value is not None:
                    try:
                        names[target.id] = literal(value, names)
                    except NotLiteral as exc:
                        names[target.id] = exc
        return names

    def functions(self) -> set[str]:
        """Functions and classes defined at the top of the module."""
        kinds = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
        return {node.name for node in self.tree.body if isinstance(node, kinds)}

    def wrapper(self) -> tuple[str, str | None, dict[str, Any]] | None:
        """(wrapper class, model function name, literal keyword arguments) of the first
        `KerasClassifier(…)` / `KerasRegressor(…)` call (scikeras; Keras's own
        `SKLearnClassifier` / `SKLearnRegressor` alike) in the file, if any."""
        names = self.bindings()
        for node in ast.walk(self.tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if called not in WRAPPERS:
                continue
            model = node.args[0] if node.args else None
            kwargs: dict[str, Any] = {}
            for keyword in node.keywords:
                if keyword.arg == "model":
                    model = keyword.value
                elif keyword.arg is not None:
                    try:
                        kwargs[keyword.arg] = literal(keyword.value, names)
                    except NotLiteral:
                        continue  # an object (a callback, a loss instance): not a space value
            name = model.id if isinstance(model, ast.Name) else None
            return str(called), name, kwargs
        return None


def _statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Top-level statements, and those of top-level `if` blocks and functions, in order."""
    for node in body:
        if isinstance(node, ast.If):
            yield from _statements(node.body)
            yield from _statements(node.orelse)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield from _statements(node.body)
        else:
            yield node


def literal(node: ast.expr, names: Mapping[str, Any]) -> Any:
    """The value of a literal expression (see the module's docstring); NotLiteral otherwise."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Tuple):  # kept a tuple: a value such as (100,) is one value
        return tuple(literal(item, names) for item in node.elts)
    if isinstance(node, ast.List | ast.Set):
        return [literal(item, names) for item in node.elts]
    if isinstance(node, ast.Dict):
        if any(key is None for key in node.keys):
            raise NotLiteral("a ** expansion")
        pairs = zip(node.keys, node.values, strict=True)
        return {literal(k, names): literal(v, names) for k, v in pairs}  # type: ignore[arg-type]
    if isinstance(node, ast.Name):
        found = names.get(node.id, NotLiteral(node.id))
        if isinstance(found, NotLiteral):
            raise found
        return found
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        value = literal(node.operand, names)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise NotLiteral("a sign on a non-number")
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        if node.func.id == "dict" and not node.args:
            if any(k.arg is None for k in node.keywords):
                raise NotLiteral("a ** expansion")
            return {k.arg: literal(k.value, names) for k in node.keywords}
        if node.func.id in ("list", "tuple") and len(node.args) == 1 and not node.keywords:
            return list(literal(node.args[0], names))
    raise NotLiteral(ast.unparse(node))


def literal_or_fail(source: PythonFile, name: str, field: str) -> Any:
    """The literal value `name` is bound to in `source`; one line naming the file otherwise."""
    found = source.bindings()
    if name not in found:
        raise InputError(f"{field}: {source.path} binds no {name}")
    value = found[name]
    if isinstance(value, NotLiteral):
        raise InputError(
            f"{field}: {source.path}: {name} is computed ({value}), not written out; tunedeck "
            "reads it without running the file: write its values out as lists"
        )
    return value

"""A user's script imported for its definitions: the training it runs at its top is skipped.

Tutorials are scripts: `create_model` and the `KerasClassifier` are followed at the top of the
file by `GridSearchCV(...).fit(X, Y)` and the printing of its results, with no
`if __name__ == "__main__":` around them; a Keras Tuner script ends in `tuner.search(...)`.
Importing such a file for its model function would run the user's whole search (and load its
data) before tunedeck's own. So the file is read as a module of definitions: its imports,
functions and classes, and the top-level statements they need, run; a top-level statement that
trains, searches or scores (a call of `fit`, `search`, `GridSearchCV`, `cross_val_score`, …)
does not, nor does one that reads what such a statement made, nor one that only feeds them
(the data a search alone uses). A `__main__` block never runs on import anyway.

This file is copied verbatim into exported standalone training scripts, so that the script
imports the user's file as the search did: it imports only the standard library, never another
tunedeck module, and has no `from __future__` import.
"""

import ast
from collections.abc import Iterator
from typing import Any

# calls that train, search or score: a top-level statement making one is the script's own run
TRAINING_CALLS = frozenset(
    (
        "fit",
        "fit_generator",
        "train_on_batch",
        "search",
        "evaluate",
        "predict",
        "predict_proba",
        "score",
        "cross_val_score",
        "cross_validate",
        "cross_val_predict",
        "learning_curve",
        "validation_curve",
        "GridSearchCV",
        "RandomizedSearchCV",
        "HalvingGridSearchCV",
        "HalvingRandomSearchCV",
        "RandomSearch",
        "BayesianOptimization",
        "Hyperband",
        "GridSearch",
    )
)
DEFINITIONS = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)


def _walk_here(node: ast.AST) -> Iterator[ast.AST]:
    """The nodes a statement evaluates when it runs: not the bodies of the functions, classes
    and lambdas it defines."""
    todo = [node]
    while todo:
        current = todo.pop()
        yield current
        for child in ast.iter_child_nodes(current):
            if not isinstance(child, SCOPES):
                todo.append(child)


def _trains(node: ast.AST) -> bool:
    for inner in _walk_here(node):
        if isinstance(inner, ast.Call):
            callee = inner.func
            name = callee.attr if isinstance(callee, ast.Attribute) else getattr(callee, "id", "")
            if name in TRAINING_CALLS:
                return True
    return False


def _binds(node: ast.stmt) -> set[str]:
    """The module-level names a top-level statement binds."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {node.name}
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return {(a.asname or a.name).split(".")[0] for a in node.names}
    return {
        n.id
        for n in _walk_here(node)
        if isinstance(n, ast.Name) and isinstance(n.ctx, (ast.Store, ast.Del))
    }


def _reads(node: ast.AST) -> set[str]:
    """The names a top-level statement reads, in its own code and in the bodies of what it
    defines (a function's globals), less the names each function binds for itself."""
    names: set[str] = set()
    if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
        names.add(node.id)
    for child in ast.iter_child_nodes(node):
        names |= _reads(child)
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
        local = {a.arg for a in ast.walk(node.args) if isinstance(a, ast.arg)}
        local |= {
            n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
        }
        names -= local
    return names


def _is_main_block(node: ast.stmt) -> bool:
    """`if __name__ == "__main__":`, which never runs on import."""
    test = getattr(node, "test", None)
    return (
        isinstance(node, ast.If)
        and isinstance(test, ast.Compare)
        and isinstance(test.left, ast.Name)
        and test.left.id == "__name__"
    )


def definitions_only(tree: ast.Module) -> tuple[ast.Module, list[int], int]:
    """(the module without its own training, the lines of the statements that train, how
    many other statements were skipped with them); a module that trains nothing is whole."""
    body = [node for node in tree.body if not _is_main_block(node)]
    dropped = {i for i, node in enumerate(body) if _trains(node)}
    if not dropped:
        return tree, [], 0
    training = sorted(body[i].lineno for i in dropped)
    binds = [_binds(node) for node in body]
    reads = [_reads(node) for node in body]
    changed = True
    while changed:
        changed = False
        kept = [i for i in range(len(body)) if i not in dropped]
        made: set[str] = set().union(*(binds[i] for i in kept)) if kept else set()
        gone = set().union(*(binds[i] for i in dropped)) - made if dropped else set()
        needed: set[str] = set()
        for i in kept:
            if isinstance(body[i], DEFINITIONS) or not binds[i]:
                needed |= reads[i]
        grew = True
        while grew:  # what the needed statements read is needed too
            before = len(needed)
            for i in kept:
                if binds[i] & needed:
                    needed |= reads[i]
            grew = len(needed) != before
        for i in kept:
            definition = isinstance(body[i], DEFINITIONS)
            uses_gone = not definition and reads[i] & gone
            unneeded = not definition and binds[i] and not binds[i] & needed
            if uses_gone or unneeded:
                dropped.add(i)
                changed = True
    kept_body = [node for i, node in enumerate(body) if i not in dropped]
    return ast.Module(body=kept_body, type_ignores=[]), training, len(dropped) - len(training)


def definitions_code(path: str) -> tuple[Any, str]:
    """The code object of the file at `path`, its own training left out, and what was
    skipped, said in a few words (empty: nothing)."""
    with open(path, encoding="utf-8") as handle:
        tree = ast.parse(handle.read(), path)
    module, training, others = definitions_only(tree)
    said = ""
    if training:
        lines = ", ".join(map(str, training))
        said = f"line{'s' * (len(training) > 1)} {lines}"
        if others:
            said += f", and {others} statement{'s' * (others > 1)} only it uses"
    return compile(module, path, "exec"), said

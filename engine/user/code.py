"""References to a user's own code (`net.py:build`, `mypkg.models:build`) and their loading.

A space that names a `model:` or `data:` runs that code, as a Makefile does. Only the process
that trains or summarises calls `load()`: the console and `validate` handle references as text.
Every problem is one line (exit code 2) naming the field and the file; the full traceback of a
module that raised on import is kept on the error (`details`) for the run's log.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.errors import InputError, not_regular
from engine.user.definitions import definitions_code

_MODULE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*")


class UserCodeError(InputError):
    """The user's code cannot be found, imported or called as promised; `details` holds the
    traceback when their module raised."""


DECLARING_CALLS = ("Int", "Float", "Choice", "Boolean", "Fixed", "conditional_scope")


@dataclass(frozen=True)
class CodeRef:
    """`target:function`, where target is a `.py` file (relative to the space file) or a module."""

    target: str
    function: str

    @property
    def is_file(self) -> bool:
        return self.target.endswith(".py")

    def __str__(self) -> str:
        return f"{self.target}:{self.function}"

    def may_declare(self, base_dir: str | None = None) -> bool:
        """Whether the code may declare Keras Tuner parameters (`hp.Int(`, `hp.Choice(`, …),
        read as text, never imported: a file without such calls is not worth calling. A
        module is not read: it may."""
        if not self.is_file:
            return True
        path = Path(base_dir or ".") / self.target
        try:
            text = path.read_text(errors="replace")
        except OSError:
            return True  # the engine says what is wrong with it
        return any(f".{kind}(" in text for kind in DECLARING_CALLS)

    @classmethod
    def parse(cls, text: Any, field: str) -> CodeRef:
        """Check the form only (nothing is imported); an error names `field`."""
        if not isinstance(text, str) or ":" not in text:
            raise UserCodeError(
                f"{field}: expected FILE.py:FUNCTION or MODULE:FUNCTION, got {text!r}"
            )
        target, _, function = text.strip().rpartition(":")
        if not _MODULE.fullmatch(function):  # a name, or a class's method (`MyHyperModel.build`)
            raise UserCodeError(f"{field}: {function!r} is not a Python function name")
        if not target.endswith(".py") and not _MODULE.fullmatch(target):
            raise UserCodeError(f"{field}: {target!r} is neither a .py file nor a module name")
        return cls(target, function)

    def relative_to(self, base: Path | None) -> CodeRef:
        """The same reference with a relative file made absolute against `base` (a folder)."""
        if not self.is_file or base is None or Path(self.target).is_absolute():
            return self
        return CodeRef(str((base / self.target).resolve()), self.function)

    def check_file(self, field: str) -> None:
        """A file reference names a regular file (cheap: done before the data and TensorFlow
        load); a FIFO or a folder is said as such, not as a missing file."""
        if self.is_file and not Path(self.target).is_file():
            why = not_regular(self.target)
            raise UserCodeError(
                f"{field}: {self.target}: {why}" if why else f"{field}: no such file {self.target}"
            )

    def load(self, field: str) -> Callable[..., Any]:
        """Import the module (a file under a name of its own) and return the function."""
        function = self.load_object(field)
        if not callable(function):
            raise UserCodeError(f"{field}: {self} is not callable")
        return function

    def load_object(self, field: str) -> Any:
        """Import the module and return what the reference names, whatever it is."""
        found = _import(self, field)
        owner = None
        for name in self.function.split("."):
            owner, found = found, getattr(found, name, None)
            if found is None:
                raise UserCodeError(f"{field}: {self.target} has no function {self.function!r}")
        if "." in self.function and self.function.endswith(".build") and isinstance(owner, type):
            return owner  # `MyHyperModel.build`: the HyperModel it belongs to
        return found


def _import(ref: CodeRef, field: str) -> Any:
    try:
        if not ref.is_file:
            return importlib.import_module(ref.target)
        ref.check_file(field)
        path = Path(ref.target)
        name = f"tunedeck_user_{path.stem}_{abs(hash(str(path.resolve())))}"
        if name in sys.modules:
            return sys.modules[name]
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is None or spec.loader is None:
            raise UserCodeError(f"{field}: cannot import {ref.target}")
        module = importlib.util.module_from_spec(spec)
        sys.path.insert(0, str(path.parent))  # its own sibling modules import as usual
        saved, sys.dont_write_bytecode = sys.dont_write_bytecode, True  # no __pycache__ left
        try:  # in the user's folder
            sys.modules[name] = module
            code, skipped = definitions_code(str(path))  # a script's own search does not run
            if skipped:
                print(
                    f"tunedeck: {path.name}: its own training is not run ({skipped})",
                    file=sys.stderr,
                )
            exec(code, module.__dict__)
        except BaseException:
            sys.modules.pop(name, None)
            raise
        finally:
            sys.path.remove(str(path.parent))
            sys.dont_write_bytecode = saved
        return module
    except UserCodeError:
        raise
    except ModuleNotFoundError as exc:
        if not ref.is_file and exc.name == ref.target.split(".")[0]:
            raise UserCodeError(f"{field}: no module named {ref.target!r}") from None
        raise _raised(ref, field, exc) from None
    except (Exception, SystemExit) as exc:
        raise _raised(ref, field, exc) from None


def _raised(ref: CodeRef, field: str, exc: BaseException) -> UserCodeError:
    err = UserCodeError(f"{field}: importing {ref.target} raised {one_line(exc)}")
    err.details = "".join(traceback.format_exception(exc))
    return err


def one_line(exc: BaseException) -> str:
    """`TypeName: message` on one line (the message's whitespace folded)."""
    message = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__

"""The warm engine's protocol, in one place for both ends (`engine.standby` answers,
`tui.bridge.Standby` asks): one JSON object per line each way, and a `ready` line once warm.

- become a search: `{"args": [...], "log": PATH}`; no answer (the process is the search now);
- a question: `{"args": [...], "id": N}`, answered `{"id": N, "code", "out", "err"}`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

READY = "ready"  # the line the standby writes once TensorFlow is imported


@dataclass(frozen=True)
class Request:
    """What the console asks: run `args` and answer under `ident`, or become `args` (`log`)."""

    args: list[str]
    log: str | None = None
    ident: int | None = None

    def line(self) -> bytes:
        body: dict[str, Any] = {"args": self.args}
        if self.log is not None:
            body["log"] = self.log
        else:
            body["id"] = self.ident
        return json.dumps(body).encode() + b"\n"


@dataclass(frozen=True)
class Answer:
    ident: int | None
    code: int
    out: str
    err: str

    def line(self) -> str:
        return json.dumps({"id": self.ident, "code": self.code, "out": self.out, "err": self.err})


def read_request(line: str | bytes) -> Request | None:
    """The request on `line`, or None for a line not from the console."""
    try:
        body = json.loads(line)
        args = [str(a) for a in body["args"]]
    except (ValueError, KeyError, TypeError):
        return None
    log = body.get("log")
    return Request(args, log=str(log) if log is not None else None, ident=body.get("id"))


def read_answer(line: str | bytes) -> Answer | None:
    """The answer on `line`, or None for the `ready` line (or anything else)."""
    try:
        body = json.loads(line)
        return Answer(body.get("id"), int(body["code"]), str(body["out"]), str(body["err"]))
    except (ValueError, KeyError, TypeError):
        return None

"""Where the chief listens: whether it can (asked of a plain socket before anything starts) and,
when gRPC binds, its own C-core lines (`E1206 … add_port.cc:83] Failed to add port …`) written
to the run's log file, never beside tunedeck's one line on the user's terminal."""

from __future__ import annotations

import errno
import os
import socket
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from engine.errors import InputError

CHIEF_LOG = "chief.log"  # in the run's state/: what gRPC said while the oracle bound

_WHY = {
    errno.EADDRNOTAVAIL: "not an address of this machine",
    errno.EADDRINUSE: "the port is taken",
    errno.EACCES: "a port below 1024 needs root",
}


def listen_problem(address: str) -> str | None:
    """Why nothing can listen at `HOST:PORT` here (a name that does not resolve, an address of
    another machine, a port taken), or None. The socket is bound and closed at once."""
    host, _, port = address.rpartition(":")
    host = host.strip("[]")
    try:
        found = socket.getaddrinfo(
            host, int(port), type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )
    except (socket.gaierror, UnicodeError, ValueError) as exc:
        return f"{host!r} does not resolve: {getattr(exc, 'strerror', None) or exc}"
    first: OSError | None = None
    for family, kind, proto, _, where in found:
        try:
            with socket.socket(family, kind, proto) as probe:
                probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                probe.bind(where)
            return None
        except OSError as exc:
            first = first or exc
    if first is None:
        return f"{host!r} resolves to no address"
    reason = first.strerror or str(first)
    return f"{reason}: {_WHY[first.errno]}" if first.errno in _WHY else reason


def check_listen(address: str) -> None:
    """The chief's address, checked before the data, TensorFlow or any worker starts."""
    if why := listen_problem(address):
        raise InputError(f"chief: cannot listen on {address} ({why})")


@contextmanager
def stderr_into(log: Path) -> Iterator[None]:
    """File descriptor 2, where gRPC's C core writes, into `log` for a while (Python's own
    stderr is flushed either side, so nothing of ours lands there)."""
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(log, "ab") as handle:
            os.dup2(handle.fileno(), 2)
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)

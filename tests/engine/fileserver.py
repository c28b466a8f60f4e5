"""A loopback HTTP server for tests of code that downloads: it serves given bytes by name,
counts requests, can drop the connection halfway through a file (after promising all of it in
Content-Length), always or only the first N times, and can answer slowly."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Served:
    files: dict[str, bytes]
    drop: set[str] = field(default_factory=set)  # names sent only halfway
    drops_left: dict[str, int] = field(default_factory=dict)  # halfway the first N times
    delay: float = 0.0  # seconds before each answer
    requests: list[str] = field(default_factory=list)
    origin: str = ""


@contextmanager
def serving(
    files: dict[str, bytes],
    drop: set[str] | None = None,
    drop_first: dict[str, int] | None = None,
    delay: float = 0.0,
) -> Iterator[Served]:
    """Serve `files` (path -> bytes) at `served.origin` until the block ends."""
    served = Served(dict(files), set(drop or ()), dict(drop_first or {}), delay)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            path = self.path.split("?")[0].lstrip("/")
            served.requests.append(path)
            time.sleep(served.delay)
            body = served.files.get(path)
            if body is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            dropped = path in served.drop or served.drops_left.get(path, 0) > 0
            if path in served.drops_left:
                served.drops_left[path] -= 1
            if dropped:
                self.wfile.write(body[: len(body) // 2])
                self.wfile.flush()
                self.close_connection = True
                return
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    served.origin = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield served
    finally:
        server.shutdown()
        server.server_close()


def closed_origin() -> str:
    """An origin where nothing listens (a port just freed): connections are refused."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"

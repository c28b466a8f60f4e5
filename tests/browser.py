"""A real headless Chromium driven over the DevTools protocol (on a pipe: no port, no
websocket library), to open a page and record what it did: console messages, uncaught errors,
the network requests the page made, and a screenshot.

Only the page's own session is watched, so the browser's background traffic does not count.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHROMIUM = next((p for p in map(shutil.which, ("chromium", "chromium-browser")) if p), None)
BASH = shutil.which("bash") or "/bin/bash"  # dash cannot name descriptors above 9
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--hide-scrollbars",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--no-default-browser-check",
    "--remote-debugging-pipe",
]


@dataclass
class PageVisit:
    console: list[str] = field(default_factory=list)  # "level: text" of every message and error
    requests: list[str] = field(default_factory=list)  # URLs the page asked for, itself included
    screenshot: bytes = b""


class _Pipe:
    def __init__(self, profile: Path, timeout: float) -> None:
        assert CHROMIUM is not None
        self.deadline = time.monotonic() + timeout
        to_chrome_r, self.to_chrome = map(_high, os.pipe())
        self.from_chrome, from_chrome_w = map(_high, os.pipe())
        # chromium reads commands on fd 3 and writes replies on fd 4 (bash moves them there)
        shell = f'exec "$0" "$@" 3<&{to_chrome_r} 4>&{from_chrome_w}'
        self.proc = subprocess.Popen(
            [BASH, "-c", shell, CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            pass_fds=(to_chrome_r, from_chrome_w),
        )
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self.buffer = b""
        self.next_id = 0
        self.events: list[dict[str, Any]] = []

    def send(
        self, method: str, params: dict[str, Any] | None = None, session: str | None = None
    ) -> dict[str, Any]:
        self.next_id += 1
        message: dict[str, Any] = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self.to_chrome, json.dumps(message).encode() + b"\0")
        while True:
            reply = self.receive()
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})

    def receive(self) -> dict[str, Any]:
        while b"\0" not in self.buffer:
            left = self.deadline - time.monotonic()
            ready, _, _ = select.select([self.from_chrome], [], [], max(left, 0))
            if not ready:
                raise TimeoutError("chromium did not answer in time")
            chunk = os.read(self.from_chrome, 1 << 20)
            if not chunk:
                raise RuntimeError("chromium closed the pipe")
            self.buffer += chunk
        raw, self.buffer = self.buffer.split(b"\0", 1)
        message = json.loads(raw)
        if "method" in message:
            self.events.append(message)
        return message

    def wait_for(self, method: str) -> None:
        while not any(e["method"] == method for e in self.events):
            self.receive()

    def close(self) -> None:
        self.proc.kill()
        self.proc.wait()
        os.close(self.to_chrome)
        os.close(self.from_chrome)


def _high(fd: int) -> int:
    """`fd` moved to a number above 4, so that putting the pipe on 3 and 4 clobbers nothing."""
    moved = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return moved


def visit(
    url: str, profile: Path, size: tuple[int, int] = (1100, 2400), timeout: float = 60.0
) -> PageVisit:
    """Open `url` in a fresh headless Chromium and record what the page did."""
    pipe = _Pipe(profile, timeout)
    try:
        target = pipe.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = pipe.send("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        for domain in ("Page", "Network", "Runtime", "Log"):
            pipe.send(f"{domain}.enable", session=session)
        pipe.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": size[0], "height": size[1], "deviceScaleFactor": 1, "mobile": False},
            session=session,
        )
        pipe.events.clear()
        pipe.send("Page.navigate", {"url": url}, session=session)
        pipe.wait_for("Page.loadEventFired")
        shot = pipe.send("Page.captureScreenshot", {"format": "png"}, session=session)
        result = PageVisit(screenshot=base64.b64decode(shot["data"]))
        for event in pipe.events:
            if event.get("sessionId") != session:
                continue
            method, params = event["method"], event["params"]
            if method == "Network.requestWillBeSent":
                result.requests.append(params["request"]["url"])
            elif method == "Runtime.consoleAPICalled":
                text = " ".join(
                    str(a.get("value", a.get("description", ""))) for a in params["args"]
                )
                result.console.append(f"{params['type']}: {text}")
            elif method == "Runtime.exceptionThrown":
                result.console.append(f"exception: {params['exceptionDetails'].get('text')}")
            elif method == "Log.entryAdded":
                entry = params["entry"]
                result.console.append(f"{entry['level']}: {entry['text']}")
        return result
    finally:
        pipe.close()

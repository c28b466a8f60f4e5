"""Type-ahead: keys that arrive in a burst are handled one at a time, each once the console has
settled after the one before it.

Textual hands a key to whatever has focus *now*. Over SSH keys arrive in bursts, so after a key
that opens a dialog the next keys reach the old screen (the dialog's field is not mounted and
focused yet), and after Enter in a field they reach that field before it has closed its dialog:
`t 5 Enter` typed fast left the budget unchanged. Here every key from the terminal waits in
line; the next one is released only when every widget of the screen stack has handled all its
messages (the previous key, what it posted, the screens it pushed or closed) and every widget
of the screen on top is mounted. A key is never dropped: after `PATIENCE` seconds of a console
that never settles (something busy on a timer) it is released anyway.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque

from textual import events
from textual.app import App
from textual.message_pump import MessagePump
from textual.widget import Widget

PATIENCE = 1.0  # seconds a key waits for the console to settle at most


class TypeAhead:
    """The line of keys not yet handed to the app's usual key handling."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.waiting: deque[events.Key] = deque()
        self.released: dict[int, events.Key] = {}  # keys handed back to the app's queue
        self.task: asyncio.Task[None] | None = None

    def admit(self, event: events.Key) -> bool:
        """True if `event` goes on to the app's key handling now; False if it waits in line."""
        if self.released.pop(id(event), None) is event:
            return True
        self.waiting.append(event)
        if self.task is None or self.task.done():
            self.task = asyncio.create_task(self._release_in_turn(), name="type-ahead")
        return False

    def close(self) -> None:
        if self.task is not None:
            self.task.cancel()

    async def _release_in_turn(self) -> None:
        while self.waiting:
            await self.settled()
            event = self.waiting.popleft()
            self.released[id(event)] = event
            self.app.post_message(event)
            await asyncio.sleep(0)

    async def settled(self) -> None:
        """Return once nothing is left to handle (or after `PATIENCE` seconds).

        Settled: the screen on top and every widget in it mounted, and each of them and the
        app through every message it held (a callback queued behind them, `call_later`, has
        run on each) with none posted since — twice in a row, with the same widgets, so that
        what a key set off (a dialog pushed, its field mounted and focused) is done too.
        """
        deadline = time.monotonic() + PATIENCE
        seen: list[MessagePump] = []
        calm = 0
        while (left := deadline - time.monotonic()) > 0:
            try:
                screen = self.app.screen
            except Exception:  # no screen yet or any more: Textual's own handling decides
                return
            widgets = screen.walk_children(Widget, with_self=True)
            pumps: list[MessagePump] = [self.app, *widgets]
            await _drained(pumps, left)
            quiet = all(p.message_queue_size == 0 for p in pumps)
            mounted = all(w.is_mounted for w in widgets)
            calm = calm + 1 if quiet and mounted and pumps == seen else 0
            if calm == 2:
                return
            seen = pumps


async def _drained(pumps: list[MessagePump], timeout: float) -> None:
    """Wait until each pump has handled every message it holds now (a callback queued behind
    them, `call_later`, has run on each), or `timeout` seconds."""
    left = 0
    done = asyncio.Event()

    def one_done() -> None:
        nonlocal left
        left -= 1
        if left == 0:
            done.set()

    for pump in pumps:
        if pump.call_later(one_done):
            left += 1
    if left:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(done.wait(), timeout)

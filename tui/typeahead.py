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
import time
from collections import deque
from typing import Any

from textual import events
from textual.app import App
from textual.message_pump import MessagePump
from textual.widget import Widget

PATIENCE = 1.0  # seconds a key waits for the console to settle at most
POLL = 0.001  # seconds between two looks at a busy console


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
        """Return once nothing is left to handle (or after `PATIENCE` seconds)."""
        deadline = time.monotonic() + PATIENCE
        while not self.is_settled() and time.monotonic() < deadline:
            await asyncio.sleep(POLL)

    def is_settled(self) -> bool:
        """The screen on top mounted, and it and the app waiting for their next message."""
        try:
            screen = self.app.screen
        except Exception:  # no screen yet or any more: Textual's own handling decides
            return True
        widgets: list[Widget] = [screen, *screen.walk_children(Widget)]
        return all(w.is_mounted for w in widgets) and all(map(_idle, [self.app, *widgets]))


def _idle(pump: MessagePump) -> bool:
    """Waiting on an empty queue, no callback due: it has handled all it was sent.

    Textual's queue keeps no count of messages in hand, so a pump busy with one (its queue
    empty, an await inside a handler) is told apart by not waiting on its queue.
    """
    if pump._closing or pump._closed:
        return True
    queue: Any = pump._message_queue
    waiting = len(queue.ready_event._waiters) > 0
    return waiting and queue.empty() and not pump._next_callbacks

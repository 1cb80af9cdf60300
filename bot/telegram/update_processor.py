"""Updates from different chats are handled at the same time; one chat's in order.

python-telegram-bot handles updates one at a time by default, so every Bot API
round trip of one person's update (50-100 ms to Telegram's servers) holds up
everyone else: about 10-20 updates per second for the whole bot, however idle the
machine. Its ``concurrent_updates`` lifts that but gives up the order of updates,
which conversations rely on (python-telegram-bot's ConversationHandler warns
against it): two quick taps of one person could be handled the wrong way round.

:class:`PerChatUpdateProcessor` keeps both: an update waits only for the earlier
updates of the same chat (of the same user where there is no chat, e.g. inline
queries), so each conversation sees its updates in order while other people's
are handled meanwhile. It plugs in as python-telegram-bot's
:class:`telegram.ext.BaseUpdateProcessor` (``ApplicationBuilder.concurrent_updates``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Hashable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

#: Updates handled at the same time at most. At 100 ms per Bot API round trip that
#: is 640 updates/s, about what one process can work through (bench/updates.py).
MAX_RUNNING_UPDATES = 64

#: Updates accepted at most, running or waiting (python-telegram-bot's
#: ``max_concurrent_updates``; it holds the rest back in arrival order). Waiting
#: for its chat costs an update no running slot, so one busy chat cannot stall the
#: others until it has this many waiting, twenty getUpdates batches of 100.
MAX_ACCEPTED_UPDATES = 2048


def ordering_key(update: object) -> Hashable | None:
    """The key whose updates must be handled in order: ``("chat", id)`` for updates
    in a chat, ``("user", id)`` for those with only a user (inline queries, ...),
    None for the rest (e.g. poll updates), which need no order."""
    if isinstance(update, Update):
        if update.effective_chat is not None:
            return ("chat", update.effective_chat.id)
        if update.effective_user is not None:
            return ("user", update.effective_user.id)
    return None


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Runs up to ``max_running`` updates at the same time, but one at a time (in
    arrival order) per :func:`ordering_key`; accepts up to ``max_accepted``.

    An update first waits for the earlier updates of its chat, then for a running
    slot, so updates queued behind a busy chat hold no slot others could use. The
    order is kept because python-telegram-bot starts one task per update in arrival
    order, and its semaphore (``max_accepted``) as well as :class:`asyncio.Lock`
    wake their waiters first come, first served.
    """

    __slots__ = ("_locks", "_running")

    def __init__(
        self, max_running: int = MAX_RUNNING_UPDATES, max_accepted: int = MAX_ACCEPTED_UPDATES
    ):
        super().__init__(max(max_running, max_accepted))
        self._running = asyncio.Semaphore(max_running)
        # key -> [lock, number of updates holding or awaiting it]; removed at zero, so
        # the table only holds chats with an update in progress.
        self._locks: dict[Hashable, list[Any]] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = ordering_key(update)
        if key is None:
            async with self._running:
                await coroutine
            return
        entry = self._locks.get(key)
        if entry is None:
            entry = self._locks[key] = [asyncio.Lock(), 0]
        entry[1] += 1
        try:
            async with entry[0], self._running:
                await coroutine
        finally:
            entry[1] -= 1
            if entry[1] == 0:
                del self._locks[key]

    def busy_keys(self) -> int:
        """Number of chats (or users) with an update in progress or waiting."""
        return len(self._locks)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release: python-telegram-bot waits for running updates itself."""

"""The durable relay: copies queued messages between newcomers and helpdesk topics.

Each message to pass on is first a row in ``handoff_outbox`` (committed before
the handler returns), then copied with ``copyMessage`` (the sender is not
revealed) and only then marked ``sent``. Rows go out in order per conversation
(ticket): a ticket's next row waits until the one before was accepted, failed
for good, or — after a 429 or a network error — its retry time has come, while
other tickets go on. A kill -9 between receiving and relaying loses nothing: the
next start sends what is pending (at most the row in flight per ticket twice).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable

from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.storage.handoff import HandoffStore, Relay

log = logging.getLogger(__name__)

#: Tickets drained at the same time (each one in order). High on purpose: a drain
#: waiting for a helpdesk group's 20-a-minute limit (bot/telegram/rate_limiter.py)
#: holds no connection, and a small pool filled with such drains kept replies to
#: newcomers (private chats, not limited so) waiting behind them: measured p99
#: 21 s topic → newcomer with 32, while one group was over its limit.
MAX_TICKETS_AT_ONCE = 2000
#: Back-off after a network error or time-out: attempt n waits min(2**n, 300) s.
MAX_BACKOFF = 300.0

#: ``send(relay)`` copies one row; raising Permanent marks it failed (never retried).
Send = Callable[[Relay], Awaitable[None]]


class Permanent(Exception):
    """This relay can never be delivered (the message is gone, the person blocked the bot)."""


class RelayWorker:
    def __init__(self, store: HandoffStore, send: Send, clock: Callable[[], float] = time.time):
        self.store = store
        self.send = send
        self.clock = clock
        self._wake = asyncio.Event()
        self._draining: set[str] = set()
        self._tasks: set[asyncio.Task] = set()
        self._main: asyncio.Task | None = None
        self.sent = 0
        self.failed = 0

    def start(self) -> None:
        self._main = asyncio.create_task(self._run(), name="handoff-relay")
        self._wake.set()

    def wake(self) -> None:
        """Something was queued: look at the outbox now."""
        self._wake.set()

    async def stop(self) -> None:
        tasks = [t for t in (self._main, *self._tasks) if t is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            try:
                now = self.clock()
                for ticket in await self.store.due_tickets(now):
                    if ticket in self._draining or len(self._draining) >= MAX_TICKETS_AT_ONCE:
                        continue
                    self._draining.add(ticket)
                    task = asyncio.create_task(self._drain(ticket), name=f"handoff-{ticket}")
                    self._tasks.add(task)
                    task.add_done_callback(self._tasks.discard)
                next_due = await self.store.next_due()
            except Exception:
                log.exception("handoff relay: reading the outbox failed")
                next_due = self.clock() + 5
            timeout = None if next_due is None else max(0.05, next_due - self.clock())
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(timeout):
                    await self._wake.wait()

    async def _drain(self, ticket: str) -> None:
        try:
            while True:
                found = await self.store.first_pending(ticket)
                if found is None:
                    return
                relay, due_at = found
                if due_at > self.clock():
                    return  # waiting out a 429 or a back-off; _run comes back then
                if not await self._send_one(relay):
                    return
        except Exception:
            log.exception("handoff relay: ticket drain failed")
        finally:
            self._draining.discard(ticket)
            self._wake.set()  # rows queued while this drain was ending are seen

    async def _send_one(self, relay: Relay) -> bool:
        """Send one row; True if the ticket may go on with its next row."""
        try:
            await self.send(relay)
        except RetryAfter as exc:
            retry = exc.retry_after
            seconds = retry.total_seconds() if hasattr(retry, "total_seconds") else float(retry)
            await self.store.retry_later(relay.id, self.clock() + seconds)
            return False
        except (Permanent, Forbidden, BadRequest) as exc:
            log.warning("handoff relay %s %s not deliverable: %s", relay.ticket, relay.direction,
                        type(exc).__name__)  # fmt: skip
            await self.store.mark(relay.id, "failed", self.clock())
            self.failed += 1
            return True
        except (TimedOut, NetworkError):
            backoff = min(2.0 ** (relay.attempts + 1), MAX_BACKOFF)
            await self.store.retry_later(relay.id, self.clock() + backoff)
            return False
        await self.store.mark(relay.id, "sent", self.clock())
        self.sent += 1
        return True

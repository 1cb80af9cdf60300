"""Announcement delivery from the durable outbox.

Confirming an announcement writes one outbox row per recipient (see
:meth:`bot.storage.outbox.Announcements.create`); this worker sends them.
A row becomes ``sent`` only after Telegram accepted the message, and a sender
takes its next row only once that is committed, so a process killed at any moment
resumes where it stopped and at most the messages in flight at that moment (one
per sender) are sent twice. The ``sent`` marks of senders finishing at about the
same time share one commit (group commit) instead of one SQLite write each.

When a ``sent`` mark cannot be written (a full disk, another process holding the
write lock), the message stays sent in memory: its sender keeps the row, so the
feeder cannot hand it out again, and the mark is retried with back-off. Meanwhile
no new message goes out (senders and feeder wait until marks are written again),
so a broken database never makes the bot send the same message twice while it
runs, and a kill during the fault still resends at most one per sender.

A scheduled announcement is checked when its time comes (``authorise``): if its
author lost the role or the scope meanwhile, it is ``held`` and ``on_held`` tells
the admins, instead of going out.

Telegram's limits (Bot API FAQ, "broadcasting to users"): about 30 messages per
second overall (paid broadcasts up to 1000/s). Sends go through a leaky bucket
(aiolimiter, see :func:`leaky_bucket`), so no one-second window exceeds the rate;
a 429 answer pauses every sender for exactly ``retry_after`` seconds.
Announcements use their own :class:`telegram.Bot` and connection pool, so
interactive replies never queue behind a broadcast.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import logging
import math
import time
from collections.abc import Awaitable, Callable

from aiolimiter import AsyncLimiter
from telegram import Bot, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.storage import Announcement, OutboxItem, Storage

log = logging.getLogger(__name__)

#: Senders at most. The Bot given to the worker needs as many connections: a sender
#: that took its turn and then waits for a free connection reaches Telegram late,
#: bunched up with later ones.
MAX_SENDERS = 64

#: Network errors are retried with exponential backoff up to this many attempts.
MAX_ATTEMPTS = 6
MAX_BACKOFF_SECONDS = 300.0

#: A ``sent`` mark that could not be written is tried again after this many seconds,
#: doubling up to the maximum (each try may also wait SQLite's 5 s busy timeout).
MARK_RETRY_FIRST_SECONDS = 0.1
MARK_RETRY_MAX_SECONDS = 5.0
#: :meth:`DeliveryWorker.stop` waits this long for unwritten marks before giving up
#: (those messages may then go out again after a restart: at most one per sender).
STOP_MARK_SECONDS = 10.0
#: A sender whose row could not be recorded at all waits this long before the row
#: may be handed out again.
ERROR_PAUSE_SECONDS = 1.0

Render = Callable[[OutboxItem, dict[str, str], str], str]


@dataclasses.dataclass
class DeliveryStats:
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    retried: int = 0
    paused_seconds: float = 0.0
    #: Failed attempts to write ``sent`` marks (each retried until it succeeds).
    mark_failures: int = 0
    #: Scheduled announcements held because their author may no longer send them.
    held: int = 0


def _seconds(value: float | dt.timedelta) -> float:
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


#: Telegram counts messages when they arrive, not when a sender took its turn; a
#: request may leave a little later after its turn than the next one. Seconds of such
#: skew that :func:`leaky_bucket` leaves room for.
SKEW_SECONDS = 0.03


def leaky_bucket(rate: float) -> AsyncLimiter:
    """A limiter under which no one-second window holds more than ``rate`` sends (at
    least one per second), with :data:`SKEW_SECONDS` to spare.

    A leaky bucket of capacity ``c`` draining ``r`` per second lets at most
    ``r * t + c - 1`` sends follow any send within ``t`` seconds. Capacity one
    would be simplest, but at high rates the event loop cannot wake every
    ``1/rate`` seconds on the dot (timers have about 1 ms of resolution) and with
    no room in the bucket a late wake-up is lost for good: a 1000/s cap delivered
    ~840/s (bench/broadcast.py). So the bucket holds ``rate // 100`` sends (10 ms
    of slack at 1000/s), at least one, and drains at
    ``(floor(rate) - c + 1) / (1 + SKEW_SECONDS)`` per second: the ``floor(rate)``
    sends after any send then take at least ``1 + SKEW_SECONDS`` seconds, so a
    one-second window at Telegram's end holds at most ``rate`` unless requests
    arrive more than ``SKEW_SECONDS`` out of step. (30/s drains 29.1/s; 1000/s
    962/s.)
    """
    whole = max(1, math.floor(rate))
    capacity = max(1, whole // 100)
    drain = (whole - capacity + 1) / (1 + SKEW_SECONDS)
    return AsyncLimiter(capacity, capacity / drain)


class DeliveryWorker:
    """Sends due outbox rows at ``rate`` messages per second with ``concurrency`` senders.

    ``render(item, texts, default_language)`` builds the HTML text for one recipient.
    ``on_change(announcement_ids)`` is awaited when deliveries changed counts (for
    progress messages); it must not raise. ``authorise(announcement)`` says whether a
    scheduled announcement may still go out when its time comes (its author's role
    and scope); if not it is held and ``on_held(announcement)`` is awaited. Start
    with :meth:`start`, stop with :meth:`stop`; :meth:`wake` after writing new rows.
    """

    def __init__(
        self,
        storage: Storage,
        bot: Bot,
        render: Render,
        *,
        rate: float = 30.0,
        concurrency: int | None = None,
        on_change: Callable[[set[int]], Awaitable[None]] | None = None,
        clock: Callable[[], float] = time.time,
        authorise: Callable[[Announcement], bool] | None = None,
        on_held: Callable[[Announcement], Awaitable[None]] | None = None,
    ):
        self.storage = storage
        self.bot = bot
        self.render = render
        self.rate = rate
        # Enough senders to keep up the rate with Bot API round trips (plus the commit
        # of the sent mark) of up to 25 ms, e.g. a server in western Europe to
        # Telegram's. Each holds one message in flight: this is also how many a crash
        # may send twice. More senders than needed bunch requests up after their turn
        # (at 1000/s, 51 senders put up to 1013 into one second at the stand-in).
        self.concurrency = concurrency or max(2, min(MAX_SENDERS, math.ceil(rate * 0.025) + 1))
        self.limiter = leaky_bucket(rate)
        self.on_change = on_change
        self.clock = clock
        self.authorise = authorise
        self.on_held = on_held
        self.stats = DeliveryStats()
        self._queue: asyncio.Queue[OutboxItem] = asyncio.Queue(maxsize=self.concurrency * 2)
        self._in_flight: set[int] = set()
        self._wake = asyncio.Event()
        self._paused_until = 0.0
        self._texts: dict[int, tuple[dict[str, str], str]] = {}
        self._rendered: dict[tuple[int, str | None, str | None], str] = {}
        self._changed: set[int] = set()
        self._tasks: list[asyncio.Task] = []
        # Group commit of ``sent`` marks: rows waiting for the next commit, and the task
        # committing (no timer: a commit takes whatever gathered during the previous one).
        self._unrecorded: list[tuple[int, asyncio.Future[None]]] = []
        self._committer: asyncio.Task | None = None
        # Set while marks can be written; cleared from a failed mark until one succeeds.
        self._writable = asyncio.Event()
        self._writable.set()
        self._notices: set[asyncio.Task] = set()

    # -- lifecycle -----------------------------------------------------------------

    def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._tasks = [loop.create_task(self._feed(), name="outbox-feeder")]
        self._tasks += [
            loop.create_task(self._send_loop(), name=f"outbox-sender-{i}")
            for i in range(self.concurrency)
        ]
        self._tasks.append(loop.create_task(self._report_loop(), name="outbox-progress"))

    async def stop(self) -> None:
        for task in [*self._tasks, *self._notices]:
            task.cancel()
        # Every task is awaited, also when one of them had died of an error.
        await asyncio.gather(*self._tasks, *self._notices, return_exceptions=True)
        self._tasks = []
        # Messages Telegram accepted are recorded before leaving, or they would be resent.
        committer = self._committer
        if committer is not None and not committer.done():
            await asyncio.wait({committer}, timeout=STOP_MARK_SECONDS)
            if not committer.done():
                log.error(
                    "%d delivered messages could not be recorded as sent; they may go out "
                    "again after a restart",
                    len(self._unrecorded),
                )
                committer.cancel()
                await asyncio.gather(committer, return_exceptions=True)

    @property
    def marks_failing(self) -> bool:
        """True while ``sent`` marks cannot be written (no new messages go out)."""
        return not self._writable.is_set()

    def wake(self) -> None:
        """Look at the outbox now (new rows were written)."""
        self._wake.set()

    # -- feeding ---------------------------------------------------------------------

    async def _feed(self) -> None:
        while True:
            try:
                # No new rows while sent marks cannot be written.
                await self._writable.wait()
                now = self.clock()
                await self._start_due(now)
                room = self._queue.maxsize - self._queue.qsize()
                # A copy: a sender may finish a row (and drop it from _in_flight) while
                # the query runs, and the query may still have read it as pending.
                items = await self.storage.due_outbox(now, max(room, 1), set(self._in_flight))
                if items:
                    for item in items:
                        self._in_flight.add(item.id)
                        await self._queue.put(item)
                    continue
                next_due = await self.storage.next_due()
                delay = 30.0 if next_due is None else max(0.05, min(30.0, next_due - now))
                if next_due is not None and next_due <= now:
                    delay = 0.05  # rows due but all in flight: look again shortly
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(delay):
                        await self._wake.wait()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("outbox feeder failed; retrying in 1 s")
                await asyncio.sleep(1.0)

    async def _start_due(self, now: float) -> None:
        """Start scheduled announcements whose time has come, or hold those whose author
        may no longer send them."""
        for announcement in await self.storage.due_scheduled(now):
            if self.authorise is None or self.authorise(announcement):
                await self.storage.start_announcement(announcement.id)
                continue
            if not await self.storage.hold_announcement(announcement.id, "author not allowed"):
                continue  # cancelled meanwhile
            self.stats.held += 1
            log.warning("announcement %d held: its author may no longer send it", announcement.id)
            if self.on_held is not None:
                task = asyncio.create_task(self._tell_held(announcement), name="outbox-held")
                self._notices.add(task)
                task.add_done_callback(self._notices.discard)

    async def _tell_held(self, announcement: Announcement) -> None:
        try:
            await self.on_held(announcement)
        except Exception:
            log.exception("could not tell the admins about held announcement %d", announcement.id)

    # -- sending ------------------------------------------------------------------------

    async def _texts_for(self, announcement_id: int) -> tuple[dict[str, str], str]:
        cached = self._texts.get(announcement_id)
        if cached is None:
            announcement = await self.storage.announcement(announcement_id)
            texts = await self.storage.announcement_texts(announcement_id)
            cached = (texts, announcement.default_language if announcement else "en")
            self._texts[announcement_id] = cached
        return cached

    async def _wait_unpaused(self) -> None:
        while (delay := self._paused_until - time.monotonic()) > 0:
            await asyncio.sleep(delay)

    async def _send_loop(self) -> None:
        while True:
            item = await self._queue.get()
            try:
                await self._deliver(item)
            except asyncio.CancelledError:
                raise
            except Exception:
                if asyncio.current_task().cancelling():
                    raise  # stopping: the error came from an interrupted database call
                log.exception("delivery of outbox row %s failed unexpectedly", item.id)
                try:
                    await self._retry(item, "error")
                except Exception:
                    # The row stays pending and goes out again later; this sender goes
                    # on after a pause (a broken database must not make it spin).
                    log.exception("could not reschedule outbox row %s", item.id)
                    await asyncio.sleep(ERROR_PAUSE_SECONDS)
            finally:
                # Only now may the feeder hand out this row again: a sent row is 'pending'
                # in the database until its mark is committed.
                self._in_flight.discard(item.id)
                self._changed.add(item.announcement_id)

    async def _record_sent(self, outbox_id: int) -> None:
        """Return once the row is marked ``sent`` in the database. A failed commit is
        retried (with back-off) until it succeeds: until then the caller keeps the row,
        so it is not handed out again."""
        done = asyncio.get_running_loop().create_future()
        self._unrecorded.append((outbox_id, done))
        if self._committer is None or self._committer.done():
            self._committer = asyncio.create_task(self._commit_sent(), name="outbox-commit")
        await done

    async def _commit_sent(self) -> None:
        delay = MARK_RETRY_FIRST_SECONDS
        while self._unrecorded:
            batch, self._unrecorded = self._unrecorded, []
            try:
                await self.storage.mark_sent([outbox_id for outbox_id, _ in batch])
            except Exception as exc:
                # Telegram accepted these: they stay sent in memory (their senders keep
                # the rows) and are written later. No new sends meanwhile.
                self._unrecorded = batch + self._unrecorded
                self.stats.mark_failures += 1
                if self._writable.is_set():
                    self._writable.clear()
                    log.error(
                        "cannot record delivered messages as sent (%s: %s); sending paused "
                        "until the database can be written",
                        type(exc).__name__,
                        exc,
                    )
                await asyncio.sleep(delay)
                delay = min(MARK_RETRY_MAX_SECONDS, delay * 2)
                continue
            except BaseException:
                # Cancelled (stop gave up): the senders still waiting are cancelled too.
                for _, done in batch:
                    if not done.done():
                        done.cancel()
                raise
            delay = MARK_RETRY_FIRST_SECONDS
            if not self._writable.is_set():
                log.warning("delivered messages are recorded again; sending resumes")
                self._writable.set()
            for _, done in batch:
                if not done.done():
                    done.set_result(None)

    async def _deliver(self, item: OutboxItem) -> None:
        if not item.wanted:
            await self.storage.mark_outbox(item.id, "skipped", error="unsubscribed")
            self.stats.skipped += 1
            return
        # Recipients with the same language and municipality get the same text:
        # render it once per announcement.
        key = (item.announcement_id, item.language, item.municipality)
        text = self._rendered.get(key)
        if text is None:
            texts, default_language = await self._texts_for(item.announcement_id)
            text = self.render(item, texts, default_language)
            if len(self._rendered) > 10_000:
                self._rendered.clear()
            self._rendered[key] = text
        while True:
            await self._wait_unpaused()
            await self._writable.wait()
            await self.limiter.acquire()
            # A 429 pause (or a failed mark) may have begun while this sender waited
            # for its turn: then it waits again instead of sending into the pause.
            if self._paused_until > time.monotonic() or not self._writable.is_set():
                continue
            try:
                await self.bot.send_message(
                    item.chat_id,
                    text,
                    parse_mode=ParseMode.HTML,
                    link_preview_options=LinkPreviewOptions(is_disabled=True),
                )
            except RetryAfter as exc:
                # Telegram says exactly how long to wait; every sender pauses.
                pause = _seconds(exc.retry_after)
                self._paused_until = max(self._paused_until, time.monotonic() + pause)
                self.stats.paused_seconds += pause
                log.warning("Telegram asked to pause sending for %.1f s", pause)
                continue
            except Forbidden:
                # The user blocked the bot: stop writing to them and keep nothing.
                await self.storage.mark_outbox(item.id, "failed", error="forbidden")
                await self.storage.forget_user(item.chat_id)
                self.stats.failed += 1
                return
            except BadRequest as exc:
                if "chat not found" in exc.message.lower():
                    # The chat is gone (deleted account): like a block, keep nothing, so
                    # the next announcement does not try again.
                    await self.storage.mark_outbox(item.id, "failed", error="chat_not_found")
                    await self.storage.forget_user(item.chat_id)
                else:
                    await self.storage.mark_outbox(item.id, "failed", error="bad_request")
                self.stats.failed += 1
                return
            except (TimedOut, NetworkError):
                await self._retry(item, "network")
                return
            self.stats.sent += 1
            await self._record_sent(item.id)
            return

    async def _retry(self, item: OutboxItem, reason: str) -> None:
        if item.attempts + 1 >= MAX_ATTEMPTS:
            await self.storage.mark_outbox(item.id, "failed", error=reason)
            self.stats.failed += 1
            return
        backoff = min(MAX_BACKOFF_SECONDS, 2.0 ** (item.attempts + 1))
        await self.storage.mark_outbox(
            item.id, "pending", error=reason, due_at=self.clock() + backoff
        )
        self.stats.retried += 1

    # -- progress --------------------------------------------------------------------------

    async def _report_loop(self, interval: float = 2.0) -> None:
        """Every ``interval`` seconds: tell listeners which announcements changed, finish done ones."""
        while True:
            await asyncio.sleep(interval)
            await self.flush_progress()

    async def flush_progress(self) -> None:
        changed, self._changed = self._changed, set()
        if not changed or self.on_change is None:
            return
        try:
            await self.on_change(changed)
        except Exception:
            log.exception("progress report failed")

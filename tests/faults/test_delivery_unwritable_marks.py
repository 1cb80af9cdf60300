"""A broadcast while the database cannot record "sent" marks: nobody gets a second copy.

Measured before the fix (issue 10): a full disk for 25 s at 30/s made 708 extra
sends, 7 people got over 100 copies; another process holding the write lock for
45 s made 6 extra copies. A message Telegram accepted must never be sent again
while the bot runs: it stays sent in memory until its mark is written, and no new
message goes out while marks cannot be written.

The worker runs in this process against the local Bot API stand-in. The faults:
no file may grow (``RLIMIT_FSIZE`` at the WAL's current size: a full disk without
root), and a second connection holding ``BEGIN IMMEDIATE`` (another process with
the write lock).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import resource
import signal
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import aiosqlite
from telegram import Bot

from bot.delivery.worker import DeliveryWorker
from bot.devtools.fake_bot_api import FakeBotApi
from bot.storage import OutboxItem, Storage

SUBSCRIBERS = range(4_000_001, 4_000_301)  # 300 chat ids
RATE = 200.0
FAULT_AFTER = 60  # sends before the fault begins
TOKEN = "123456:faults-not-real"


def render(item: OutboxItem, texts: dict[str, str], default_language: str) -> str:
    return texts.get(item.language or "", texts[default_language])


async def until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    """Wait until ``condition()`` holds, looking every 10 ms (a condition, not a delay)."""
    try:
        async with asyncio.timeout(timeout):
            while not condition():
                await asyncio.sleep(0.01)
    except TimeoutError:
        raise AssertionError(f"timed out waiting until {what}") from None


def count_failures(storage: Storage, method: str) -> list[int]:
    """Count the calls of ``storage.<method>`` that raise (in ``[0]`` of the list returned)."""
    failures = [0]
    original = getattr(storage, method)

    async def counting(*args, **kwargs):
        try:
            return await original(*args, **kwargs)
        except Exception:
            failures[0] += 1
            raise

    setattr(storage, method, counting)
    return failures


def sent_per_chat(api: FakeBotApi) -> collections.Counter:
    return collections.Counter(c.chat_id for c in api.calls if c.method == "sendMessage")


async def make_outbox(db: Path) -> tuple[Storage, int]:
    storage = await Storage.open(db)
    async with storage.transaction():
        for user_id in SUBSCRIBERS:
            await storage.save_user(user_id, language="ar", municipality="remich", subscribed=True)
    now = time.time()
    announcement_id, recipients = await storage.create_announcement(
        author_id=1,
        region="miselerland",
        default_language="fr",
        targets=["remich"],
        texts={"fr": "Cours de français lundi à 18h.", "ar": "دورة فرنسية يوم الإثنين."},
        send_at=now,
        now=now,
    )
    assert recipients == len(SUBSCRIBERS)
    return storage, announcement_id


@contextlib.asynccontextmanager
async def broadcasting(
    tmp_path: Path,
) -> AsyncIterator[tuple[Storage, int, DeliveryWorker, FakeBotApi]]:
    storage, announcement_id = await make_outbox(tmp_path / "bot.sqlite3")
    api = await FakeBotApi().start()
    bot = Bot(TOKEN, base_url=api.base_url)
    worker = DeliveryWorker(storage, bot, render, rate=RATE)
    try:
        await bot.initialize()
        worker.start()
        yield storage, announcement_id, worker, api
    finally:
        await worker.stop()
        await bot.shutdown()
        await storage.close()
        await api.stop()


async def broadcast_through_fault(
    tmp_path: Path,
    begin: Callable[[Storage], Awaitable[None]],
    end: Callable[[Storage], Awaitable[None]],
) -> None:
    async with broadcasting(tmp_path) as (storage, announcement_id, worker, api):
        failed_marks = count_failures(storage, "mark_sent")
        await api.wait_count("sendMessage", FAULT_AFTER, timeout=20)
        await begin(storage)
        try:
            await until(lambda: failed_marks[0] >= 1, 30, "a sent mark failed")
            during = api.counts["sendMessage"]
            # Let the fault last through several attempts to write the marks.
            await until(lambda: failed_marks[0] >= 4, 30, "marks were tried again")
            sent_in_fault = api.counts["sendMessage"] - during
        finally:
            await end(storage)
        assert sent_in_fault <= worker.concurrency, (
            f"{sent_in_fault} messages went out while marks could not be written "
            f"(at most the {worker.concurrency} already on their way may)"
        )
        await until(
            lambda: set(sent_per_chat(api)) >= set(SUBSCRIBERS), 30, "everyone got the message"
        )
        # Every row is recorded once the worker has nothing left in hand.
        async with asyncio.timeout(30):
            while await storage.next_due() is not None:
                await asyncio.sleep(0.01)
        counts = await storage.delivery_counts(announcement_id)

    per_chat = sent_per_chat(api)
    duplicates = {chat: n for chat, n in per_chat.items() if n > 1}
    assert not duplicates, f"{len(duplicates)} people got copies: {sorted(duplicates.values())}"
    assert set(per_chat) == set(SUBSCRIBERS), "nobody was lost"
    assert counts["sent"] == len(SUBSCRIBERS) and counts["pending"] == 0, counts


async def test_a_full_disk_during_a_broadcast_sends_nobody_a_second_copy(tmp_path):
    wal = tmp_path / "bot.sqlite3-wal"
    limit = resource.getrlimit(resource.RLIMIT_FSIZE)
    xfsz = signal.getsignal(signal.SIGXFSZ)

    async def fill_disk(storage: Storage) -> None:
        # No file of this process may grow any more: the next commit, which appends to
        # the WAL, fails as on a full disk (SQLite reports EFBIG as a disk I/O error,
        # ENOSPC as "database or disk is full"; both are a write that did not happen).
        # PRAGMA max_page_count cannot make this fault: a sent mark rewrites its row in
        # place and needs no new database page.
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # the failed write, not a kill
        resource.setrlimit(resource.RLIMIT_FSIZE, (wal.stat().st_size, limit[1]))

    async def free_space(storage: Storage) -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, limit)
        signal.signal(signal.SIGXFSZ, xfsz)

    await broadcast_through_fault(tmp_path, fill_disk, free_space)


async def test_another_process_holding_the_write_lock_sends_nobody_a_second_copy(tmp_path):
    other: list[aiosqlite.Connection] = []

    async def lock(storage: Storage) -> None:
        # The bot waits 5 s for a lock before giving up; 0.2 s keeps this test short
        # and changes nothing else (the write fails with "database is locked" either way).
        await storage.db.execute("PRAGMA busy_timeout = 200")
        connection = await aiosqlite.connect(tmp_path / "bot.sqlite3", isolation_level=None)
        other.append(connection)
        await connection.execute("BEGIN IMMEDIATE")

    async def unlock(storage: Storage) -> None:
        for connection in other:
            await connection.execute("ROLLBACK")
            await connection.close()

    await broadcast_through_fault(tmp_path, lock, unlock)

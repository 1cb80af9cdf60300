"""What Telegram answers during a broadcast: gone chats are forgotten, and a 429 pause
holds every sender, also those already waiting for their turn (issue 10)."""

from __future__ import annotations

import asyncio
import collections
import time

from telegram import Bot

from bot.delivery.worker import DeliveryWorker
from bot.storage import Storage
from tests.botapi_faults import FaultyBotApi
from tests.faults.test_delivery_unwritable_marks import TOKEN, render

GONE = 5_000_002


async def announce(storage: Storage, text: str) -> int:
    now = time.time()
    announcement_id, _ = await storage.create_announcement(
        author_id=1,
        region="miselerland",
        default_language="fr",
        targets=["remich"],
        texts={"fr": text},
        send_at=now,
        now=now,
    )
    return announcement_id


async def settled(storage: Storage, announcement_id: int, timeout: float = 10) -> dict:
    """Wait until no row of the announcement is pending; returns its delivery counts."""
    async with asyncio.timeout(timeout):
        while (counts := await storage.delivery_counts(announcement_id))["pending"]:
            await asyncio.sleep(0.01)
    return counts


async def test_a_chat_that_no_longer_exists_is_forgotten_like_a_block(tmp_path):
    storage = await Storage.open(tmp_path / "bot.sqlite3")
    for user_id in (5_000_001, GONE, 5_000_003):
        await storage.save_user(user_id, language="fr", municipality="remich", subscribed=True)
    api = await FaultyBotApi().start()
    # Telegram answers 400 "chat not found" for a deleted account, every time.
    api.fail("sendMessage", chat_id=GONE, error_code=400, times=1000)
    bot = Bot(TOKEN, base_url=api.base_url)
    worker = DeliveryWorker(storage, bot, render, rate=100)
    try:
        await bot.initialize()
        worker.start()
        first = await announce(storage, "Premier")
        worker.wake()
        await settled(storage, first)
        assert await storage.get_user(GONE) is None, "nothing is kept about a gone chat"
        assert GONE not in {uid for uid, _ in await storage.subscribers(["remich"])}

        second = await announce(storage, "Deuxième")
        worker.wake()
        assert (await settled(storage, second))["sent"] == 2
    finally:
        await worker.stop()
        await bot.shutdown()
        await storage.close()
        await api.stop()
    tries = collections.Counter(c.chat_id for c in api.calls if c.method == "sendMessage")
    assert tries[GONE] == 1, "the next announcement does not try the gone chat again"


async def test_senders_waiting_for_their_turn_do_not_send_into_a_429_pause(tmp_path):
    storage = await Storage.open(tmp_path / "bot.sqlite3")
    async with storage.transaction():
        for user_id in range(5_100_001, 5_100_041):
            await storage.save_user(user_id, language="fr", municipality="remich", subscribed=True)
    api = await FaultyBotApi().start()
    started: list[float] = []  # when each send_message call began (monotonic)

    class RecordingBot(Bot):
        async def send_message(self, *args, **kwargs):
            started.append(time.monotonic())
            return await super().send_message(*args, **kwargs)

    bot = RecordingBot(TOKEN, base_url=api.base_url)
    # Eight senders at 30/s: seven of them wait in the limiter at any moment.
    worker = DeliveryWorker(storage, bot, render, rate=30, concurrency=8)
    try:
        await bot.initialize()
        worker.start()
        announcement_id = await announce(storage, "Cours")
        worker.wake()
        await api.wait_count("sendMessage", 5, timeout=10)
        api.fail("sendMessage", error_code=429, retry_after=1)
        assert (await settled(storage, announcement_id, timeout=20))["sent"] == 40
    finally:
        await worker.stop()
        await bot.shutdown()
        await storage.close()
        await api.stop()
    assert worker.stats.paused_seconds == 1, "Telegram asked for one pause of 1 s"
    # The pause began when the 429 arrived: retry_after before it ends.
    until_ = worker._paused_until
    inside = [t for t in started if until_ - 1 < t < until_]
    assert not inside, f"{len(inside)} sends began inside the 1 s pause Telegram asked for"

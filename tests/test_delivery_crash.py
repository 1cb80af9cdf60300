"""kill -9 in the middle of a broadcast, restart: every subscriber still gets the announcement.

The delivery worker runs in a real subprocess (``tests/delivery_process.py``)
against the local Bot API stand-in in this process. It is killed with SIGKILL
after about 100 of 300 messages went out, then a fresh process resumes from the
durable outbox. At most the messages in flight at the kill (one per sender) may
be sent twice; none may be lost.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import dataclasses
import sys
import time
from pathlib import Path

from bot.devtools.fake_bot_api import FakeBotApi
from bot.storage import Storage

HELPER = Path(__file__).with_name("delivery_process.py")
SUBSCRIBERS = range(3_000_001, 3_000_301)  # 300 chat ids
LANGUAGES = ("ar", "uk", "de", "fr")
RATE = 200.0  # messages/s: about 1.5 s for all 300
KILL_AFTER = 100


@dataclasses.dataclass
class Worker:
    """A running ``delivery_process.py`` and the sender count it reported."""

    process: asyncio.subprocess.Process
    concurrency: int


async def start_worker(db: Path, base_url: str) -> Worker:
    """Start the helper and wait for its ``ready concurrency=<n>`` line."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(HELPER),
        str(db),
        base_url,
        str(RATE),
        "--idle-exit",
        "0.5",
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        async with asyncio.timeout(15):
            line = (await process.stdout.readline()).decode().strip()
    except BaseException:
        await stop(process)
        raise
    assert line.startswith("ready concurrency="), f"unexpected first line {line!r}"
    return Worker(process, int(line.removeprefix("ready concurrency=")))


async def stop(process: asyncio.subprocess.Process) -> None:
    """SIGKILL the process unless it has exited, and reap it (its pipe included)."""
    if process.returncode is None:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
    await process.communicate()


def sent_per_chat(api: FakeBotApi) -> collections.Counter:
    return collections.Counter(c.chat_id for c in api.calls if c.method == "sendMessage")


async def wait_until_each_chat_received(api: FakeBotApi, chats: set[int], timeout: float) -> None:
    """Wait until every chat in ``chats`` got at least one sendMessage."""
    async with asyncio.timeout(timeout):
        while chats - set(sent_per_chat(api)):
            # A missing chat can only arrive with a new call: wait for the next one.
            await api.wait_count("sendMessage", api.counts.get("sendMessage", 0) + 1)


async def make_outbox(db: Path) -> int:
    """300 subscribers in Remich and one announcement to them; returns its id."""
    storage = await Storage.open(db)
    try:
        async with storage.transaction():
            for i, user_id in enumerate(SUBSCRIBERS):
                await storage.save_user(
                    user_id,
                    language=LANGUAGES[i % len(LANGUAGES)],
                    municipality="remich",
                    subscribed=True,
                    asked_subscribe=True,
                )
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
    finally:
        await storage.close()
    assert recipients == len(SUBSCRIBERS)
    return announcement_id


async def test_kill_9_mid_broadcast_and_restart_loses_nothing(tmp_path):
    db = tmp_path / "bot.sqlite3"
    announcement_id = await make_outbox(db)
    api = await FakeBotApi().start()
    workers: list[Worker] = []
    try:
        workers.append(await start_worker(db, api.base_url))
        await api.wait_count("sendMessage", KILL_AFTER, timeout=15)
        await stop(workers[0].process)  # SIGKILL: no clean-up runs in the worker
        at_kill = sum(sent_per_chat(api).values())
        assert at_kill < len(SUBSCRIBERS), "the kill must come mid-way through the broadcast"

        workers.append(await start_worker(db, api.base_url))
        await wait_until_each_chat_received(api, set(SUBSCRIBERS), timeout=15)
        # Once nothing is pending the helper leaves by itself: then the outbox is final.
        async with asyncio.timeout(15):
            await workers[1].process.wait()
        assert workers[1].process.returncode == 0
    finally:
        for worker in workers:
            await stop(worker.process)
        await api.stop()

    per_chat = sent_per_chat(api)
    assert set(per_chat) == set(SUBSCRIBERS), "every subscriber received the announcement"
    duplicates = {chat: n for chat, n in per_chat.items() if n > 1}
    assert len(duplicates) <= workers[0].concurrency, (
        f"{len(duplicates)} chats got it twice, more than the {workers[0].concurrency} "
        f"messages that can be in flight at the kill ({at_kill} were sent before it)"
    )
    storage = await Storage.open(db)
    try:
        counts = await storage.delivery_counts(announcement_id)
    finally:
        await storage.close()
    assert counts == {
        "sent": len(SUBSCRIBERS),
        "pending": 0,
        "failed": 0,
        "skipped": 0,
        "cancelled": 0,
    }

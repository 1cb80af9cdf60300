"""kill -9 between receiving a newcomer's messages and relaying them, restart: every
message reaches the helpdesk topic, once, in order (the durable outbox of bot/handoff).

The bot runs in a real subprocess (``tests/handoff_process.py``) against the Bot API
stand-in in this process, whose copyMessage never answers during the first run.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import time
from pathlib import Path

from bot.devtools.fake_bot_api import UpdateFactory
from bot.storage import Storage
from tests.botapi_faults import FaultyBotApi
from tests.handoff_helpers import HELPDESK, NEWCOMER, staff_yaml

HELPER = Path(__file__).with_name("handoff_process.py")
MESSAGES = ("first", "second", "third")


async def start_bot(db: Path, base_url: str, staff: Path) -> asyncio.subprocess.Process:
    process = await asyncio.create_subprocess_exec(
        sys.executable, str(HELPER), str(db), base_url, str(staff),
        stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        async with asyncio.timeout(30):
            line = (await process.stdout.readline()).decode().strip()
    except BaseException:
        await kill(process)
        raise
    assert line == "ready", f"unexpected first line {line!r}"
    return process


async def kill(process: asyncio.subprocess.Process) -> None:
    if process.returncode is None:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
    await process.communicate()


async def processed(process: asyncio.subprocess.Process, update_ids: set[int]) -> None:
    """Read the bot's lines until every update in ``update_ids`` was handled."""
    async with asyncio.timeout(60):  # generous: a loaded CI machine starts the bot slowly
        while update_ids:
            line = (await process.stdout.readline()).decode().strip()
            assert line, "the bot process ended"
            if line.startswith("processed "):
                update_ids.discard(int(line.removeprefix("processed ")))


async def marked_sent(process: asyncio.subprocess.Process, count: int) -> None:
    """Read the bot's lines until ``count`` relays were marked sent."""
    async with asyncio.timeout(60):  # generous: a loaded CI machine starts the bot slowly
        while count:
            line = (await process.stdout.readline()).decode().strip()
            assert line, "the bot process ended"
            assert line != "marked failed"
            count -= line == "marked sent"


async def open_conversation(db: Path) -> str:
    storage = await Storage.open(db)
    try:
        await storage.save_user(NEWCOMER, language="ar", municipality="remich")
        store = storage.handoff
        return (await store.start(NEWCOMER, HELPDESK, time.time())).ticket
    finally:
        await storage.close()


async def test_kill_9_between_receiving_and_relaying_loses_nothing(tmp_path):
    db = tmp_path / "bot.sqlite3"
    staff = tmp_path / "staff.yaml"
    staff.write_text(staff_yaml(), encoding="utf-8")
    ticket = await open_conversation(db)
    api = await FaultyBotApi().start()
    api.add_forum(HELPDESK)
    api.hang("copyMessage")  # Telegram does not answer: nothing is relayed in run 1
    updates = UpdateFactory()
    processes = []
    try:
        processes.append(await start_bot(db, api.base_url, staff))
        ids = set()
        for text in MESSAGES:
            ids.add(await api.push_update(updates.message(NEWCOMER, text)))
        await processed(processes[0], ids)
        await api.wait_hung(1)
        await kill(processes[0])  # SIGKILL: the messages are received, not relayed
        assert not [m for m in api.messages.values() if m["chat"]["id"] == HELPDESK
                    and m.get("text") in MESSAGES]  # fmt: skip

        api._hangs.clear()
        processes.append(await start_bot(db, api.base_url, staff))
        await marked_sent(processes[1], len(MESSAGES))
    finally:
        for process in processes:
            await kill(process)
        await api.stop()

    topics = api.forums[HELPDESK].topics
    assert len(topics) == 1, "one topic for the conversation"
    (thread,) = topics
    relayed = [m.get("text") for m in api.topic_messages(HELPDESK, thread) if "text" in m]
    assert [t for t in relayed if t in MESSAGES] == list(MESSAGES), relayed
    storage = await Storage.open(db)
    try:
        counts = await storage.handoff.counts()
        conversation = await storage.handoff.by_ticket(ticket)
    finally:
        await storage.close()
    assert counts == {"pending": 0, "sent": len(MESSAGES), "failed": 0}
    assert conversation.topic_id == thread

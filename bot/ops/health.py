"""Liveness and readiness.

``/healthz`` answers as long as the event loop runs (a hung or dead process does
not answer). ``/readyz`` checks what serving newcomers needs:

* the database is writable: a real committed write (one row in ``ops_heartbeat``)
  through the bot's own connection, so a read-only file or volume, a full disk or
  a write lock held too long all show;
* content is loaded (at least one entry);
* the Bot API answered recently: any answer within :data:`API_FRESH_SECONDS`
  counts (long polling asks every few seconds); after a quiet spell (webhook mode,
  nobody writing) the check asks ``getMe`` itself.

Each failing check says why in one line; no user data is in any answer.
"""

from __future__ import annotations

import asyncio
import dataclasses
import sqlite3
import time
from typing import Any

from telegram.error import TelegramError

#: The Bot API counts as reached when it answered within this many seconds.
API_FRESH_SECONDS = 120.0
#: Seconds each check may take before it counts as failed.
CHECK_TIMEOUT = 5.0

HEARTBEAT_TABLE = """
CREATE TABLE IF NOT EXISTS ops_heartbeat (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    at REAL NOT NULL
)"""


@dataclasses.dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


async def database_writable(storage: Any) -> Check:
    """Write and commit one heartbeat row through the bot's connection."""
    try:
        async with asyncio.timeout(CHECK_TIMEOUT), storage.transaction():
            await storage.db.execute(HEARTBEAT_TABLE)
            await storage.db.execute(
                "INSERT INTO ops_heartbeat (id, at) VALUES (1, ?) "
                "ON CONFLICT (id) DO UPDATE SET at = excluded.at",
                (time.time(),),
            )
    except TimeoutError:
        return Check("database", False, f"no write within {CHECK_TIMEOUT:.0f} s")
    except (sqlite3.Error, ValueError) as exc:  # ValueError: the connection is closed
        return Check("database", False, f"not writable: {exc}")
    return Check("database", True, "writable")


def content_loaded(snapshot: Any) -> Check:
    entries = len(snapshot.content.entries) if snapshot is not None else 0
    if not entries:
        return Check("content", False, "no content loaded")
    return Check("content", True, f"{entries} entries")


async def bot_api_reached(bot: Any, metrics: Any) -> Check:
    """Recent answer from the Bot API, or a fresh ``getMe``."""
    last = metrics.last_api_contact
    if last is not None and time.monotonic() - last <= API_FRESH_SECONDS:
        return Check("bot_api", True, f"answered {time.monotonic() - last:.0f} s ago")
    try:
        async with asyncio.timeout(CHECK_TIMEOUT):
            await bot.get_me()
    except (TelegramError, TimeoutError) as exc:
        return Check("bot_api", False, f"not reached: {type(exc).__name__}")
    metrics.last_api_contact = time.monotonic()
    return Check("bot_api", True, "answered getMe just now")


async def readiness(application: Any) -> list[Check]:
    """Run every check for ``application``'s bot (the slow ones at the same time)."""
    data = application.bot_data
    storage = getattr(data, "storage", None)

    async def database() -> Check:
        if storage is None:
            return Check("database", False, "not open")
        return await database_writable(storage)

    db, api = await asyncio.gather(database(), bot_api_reached(application.bot, data.metrics))
    return [db, content_loaded(getattr(data, "snapshot", None)), api]

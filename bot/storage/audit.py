"""The audit log of staff actions, and the questions the bot could not answer (gaps)."""

from __future__ import annotations

import datetime as dt
import secrets
import sqlite3

from bot.privacy import is_empty, scrub
from bot.storage.connection import Connection


class AuditLog:
    """``audit_log``: who did what to what; counts only, never recipient lists."""

    def __init__(self, connection: Connection):
        self.connection = connection

    async def record(self, actor_id: int, action: str, subject: str = "", detail: str = "") -> None:
        """Record a staff action. Inside a transaction of this task it is part of it."""
        await self.connection.write(
            "INSERT INTO audit_log (at, actor_id, action, subject, detail) VALUES (?, ?, ?, ?, ?)",
            (int(self.connection.now()), actor_id, action, subject, detail),
        )

    async def entries(self, limit: int = 50) -> list[tuple[int, int, str, str, str]]:
        async with self.connection.db.execute(
            "SELECT at, actor_id, action, subject, detail FROM audit_log ORDER BY id DESC LIMIT ?",
            (limit,),
        ) as cur:
            return [tuple(r) for r in await cur.fetchall()]


class Unanswered:
    """``unanswered``: questions without an answer (issue: gaps), kept so that editors
    see what is missing, and kept so that no row points at a person:

    - no user id;
    - the text scrubbed (:func:`bot.privacy.scrub`: no phone numbers, e-mail addresses,
      runs of 5+ digits, names or addresses introduced as such), at most 200 characters;
    - the UTC day only, never a time of day (a time could be matched with a user's
      ``updated_at``);
    - a random row id, so that the order of the rows does not tell the order in which
      the questions were asked either.

    What remains linkable: language, municipality and day. Someone holding the whole
    database can narrow a question down to the users with that language and
    municipality who used the bot that day, no further (tests/faults/test_linkage_unanswered.py).
    """

    #: Unanswered questions are deleted after this many days.
    DAYS = 90
    #: Characters of a question that are kept.
    MAX_CHARS = 200

    def __init__(self, connection: Connection):
        self.connection = connection

    def _day(self, now: float | None = None) -> dt.date:
        stamp = self.connection.now() if now is None else now
        return dt.datetime.fromtimestamp(stamp, dt.UTC).date()

    async def record(self, query: str, language: str, municipality: str | None) -> None:
        """Keep a question the bot could not answer: scrubbed text, language, place and
        day; no user id, no time. Nothing is kept if nothing but placeholders is left."""
        text = scrub(query, self.MAX_CHARS)
        if is_empty(text):
            return
        day = self._day().isoformat()
        for _ in range(3):  # a random id collides with one in 2**63 / rows: practically never
            try:
                await self.connection.write(
                    "INSERT INTO unanswered (id, query, language, municipality, day) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (secrets.randbits(63), text, language, municipality, day),
                )
                return
            except sqlite3.IntegrityError:
                continue

    async def expire(self, now: float | None = None) -> int:
        """Delete unanswered questions older than :attr:`DAYS` days; returns the count."""
        cutoff = (self._day(now) - dt.timedelta(days=self.DAYS)).isoformat()
        return await self.connection.write("DELETE FROM unanswered WHERE day < ?", (cutoff,))

    async def gaps(self, days: int, limit: int = 20) -> list[tuple[str, str | None, str, int]]:
        """Most frequent unanswered questions of the last ``days`` days (today included).

        Returns ``(language, municipality, folded query, count)`` rows, most frequent first.
        """
        since = (self._day() - dt.timedelta(days=max(days, 1) - 1)).isoformat()
        async with self.connection.db.execute(
            "SELECT language, municipality, lower(trim(query)) AS q, count(*) AS n "
            "FROM unanswered WHERE day >= ? GROUP BY language, municipality, q "
            "ORDER BY n DESC, language, q LIMIT ?",
            (since, limit),
        ) as cur:
            return [(r[0], r[1], r[2], r[3]) for r in await cur.fetchall()]

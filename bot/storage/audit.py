"""The audit log of staff actions, and the questions the bot could not answer (gaps)."""

from __future__ import annotations

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
    """``unanswered``: questions without an answer, with no user id (issue: gaps)."""

    #: Unanswered questions are deleted after this many days.
    DAYS = 90

    def __init__(self, connection: Connection):
        self.connection = connection

    async def record(self, query: str, language: str, municipality: str | None) -> None:
        """Keep a question the bot could not answer: text, language, place, time; no user id."""
        await self.connection.write(
            "INSERT INTO unanswered (query, language, municipality, created_at) VALUES (?, ?, ?, ?)",
            (query[:200], language, municipality, int(self.connection.now())),
        )

    async def expire(self, now: float | None = None) -> int:
        """Delete unanswered questions older than :attr:`DAYS`; returns the count."""
        cutoff = int((now or self.connection.now()) - self.DAYS * 86400)
        return await self.connection.write("DELETE FROM unanswered WHERE created_at < ?", (cutoff,))

    async def gaps(self, days: int, limit: int = 20) -> list[tuple[str, str | None, str, int]]:
        """Most frequent unanswered questions of the last ``days`` days.

        Returns ``(language, municipality, folded query, count)`` rows, most frequent first.
        """
        since = int(self.connection.now() - days * 86400)
        async with self.connection.db.execute(
            "SELECT language, municipality, lower(trim(query)) AS q, count(*) AS n "
            "FROM unanswered WHERE created_at >= ? GROUP BY language, municipality, q "
            "ORDER BY n DESC, language, q LIMIT ?",
            (since, limit),
        ) as cur:
            return [(r[0], r[1], r[2], r[3]) for r in await cur.fetchall()]

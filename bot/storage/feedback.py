"""Newcomers' feedback on entries: counts per kind and day, short comments, the day's
vote tokens, and which weekly digests went out.

Nothing here names a user. Counts are per entry, kind and day. Comments are kept
without any user id and deleted after :data:`COMMENT_DAYS` days. "One vote per
person, entry and day" is kept as ``HMAC(salt, user_id:entry_id)`` tokens, where
the salt is random, made per day and held in memory only
(:mod:`bot.feedback`): the tokens of a day cannot be linked to anybody, and
they are deleted when the day changes (or the bot restarts, which forgets the salt).

The tables come with migration 4 (:mod:`bot.storage.migrations`); the repository
is :attr:`bot.storage.Storage.feedback`. Times come from the connection's clock.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

from bot.storage.connection import Connection

#: Comments are deleted after this many days (like unanswered questions).
COMMENT_DAYS = 90
#: Longest comment kept, in characters.
COMMENT_MAX_CHARS = 300

#: What a newcomer can say about an entry; all but "helpful" say something is wrong.
KINDS = ("helpful", "phone", "address", "hours", "closed", "other")
WRONG_KINDS = KINDS[1:]


@dataclasses.dataclass(frozen=True)
class EntryFeedback:
    """What newcomers said about one entry in a period: votes per kind and comments
    as ``(kind, language, comment, created_at)``, newest first."""

    entry_id: str
    counts: dict[str, int]
    comments: tuple[tuple[str, str, str, int], ...] = ()

    @property
    def wrong(self) -> int:
        return sum(self.counts.get(kind, 0) for kind in WRONG_KINDS)

    @property
    def helpful(self) -> int:
        return self.counts.get("helpful", 0)

    def as_dict(self) -> dict:
        return {
            "entry": self.entry_id,
            "wrong": self.wrong,
            "counts": {kind: self.counts.get(kind, 0) for kind in KINDS},
            "comments": [
                {"kind": k, "language": lang, "comment": c, "date": _date(at).isoformat()}
                for k, lang, c, at in self.comments
            ],
        }


def _date(timestamp: int) -> dt.date:
    return dt.datetime.fromtimestamp(timestamp, dt.UTC).date()


class FeedbackStore:
    """``feedback_*`` and ``digest_*`` tables (see the module docstring)."""

    def __init__(self, connection: Connection):
        self.connection = connection

    @property
    def db(self):
        return self.connection.db

    # -- votes ---------------------------------------------------------------------

    async def forget_other_days(self, day: str) -> int:
        """Delete every vote token not of ``day``; returns how many."""
        async with self.connection.transaction():
            cur = await self.db.execute("DELETE FROM feedback_votes WHERE day != ?", (day,))
            return cur.rowcount

    async def forget_all_votes(self) -> None:
        """At start-up: the salt of earlier tokens is gone, so they are worthless."""
        async with self.connection.transaction():
            await self.db.execute("DELETE FROM feedback_votes")

    async def vote(self, token: bytes, day: str, entry_id: str, kind: str) -> bool:
        """Count one ``kind`` vote for ``entry_id`` on ``day`` unless ``token`` voted on
        it today already; True if counted."""
        if kind not in KINDS:
            raise ValueError(f"unknown feedback kind {kind!r}")
        async with self.connection.transaction():
            cur = await self.db.execute(
                "INSERT OR IGNORE INTO feedback_votes (token, day) VALUES (?, ?)", (token, day)
            )
            if cur.rowcount == 0:
                return False
            await self.db.execute(
                "INSERT INTO feedback_counts (entry_id, day, kind, count) VALUES (?, ?, ?, 1) "
                "ON CONFLICT (entry_id, day, kind) DO UPDATE SET count = count + 1",
                (entry_id, day, kind),
            )
        return True

    async def has_voted(self, token: bytes) -> bool:
        async with self.db.execute("SELECT 1 FROM feedback_votes WHERE token = ?", (token,)) as cur:
            return await cur.fetchone() is not None

    # -- comments ------------------------------------------------------------------

    async def add_comment(
        self, entry_id: str, kind: str, language: str, comment: str, now: float | None = None
    ) -> None:
        """Keep a (scrubbed) comment: entry, kind, language, time; never who wrote it."""
        async with self.connection.transaction():
            await self.db.execute(
                "INSERT INTO feedback_comments (entry_id, kind, language, comment, created_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (
                    entry_id,
                    kind,
                    language,
                    comment[:COMMENT_MAX_CHARS],
                    int(now or self.connection.now()),
                ),
            )

    async def expire_comments(self, now: float | None = None) -> int:
        """Delete comments older than :data:`COMMENT_DAYS` days; returns how many."""
        cutoff = int((now or self.connection.now()) - COMMENT_DAYS * 86400)
        async with self.connection.transaction():
            cur = await self.db.execute(
                "DELETE FROM feedback_comments WHERE created_at < ?", (cutoff,)
            )
            return cur.rowcount

    # -- reports -------------------------------------------------------------------

    async def report(self, since: dt.date, *, now: float | None = None) -> list[EntryFeedback]:
        """Feedback per entry from ``since`` on: most problems first, then most helpful.
        Entries with only comments older than ``since`` are left out."""
        counts: dict[str, dict[str, int]] = {}
        async with self.db.execute(
            "SELECT entry_id, kind, sum(count) FROM feedback_counts WHERE day >= ? "
            "GROUP BY entry_id, kind",
            (since.isoformat(),),
        ) as cur:
            for entry_id, kind, count in await cur.fetchall():
                counts.setdefault(entry_id, {})[kind] = count
        start = int(dt.datetime.combine(since, dt.time(), dt.UTC).timestamp())
        comments: dict[str, list[tuple[str, str, str, int]]] = {}
        async with self.db.execute(
            "SELECT entry_id, kind, language, comment, created_at FROM feedback_comments "
            "WHERE created_at >= ? ORDER BY created_at DESC, id DESC",
            (start,),
        ) as cur:
            for entry_id, kind, language, comment, created_at in await cur.fetchall():
                comments.setdefault(entry_id, []).append((kind, language, comment, created_at))
        report = [
            EntryFeedback(entry_id, counts.get(entry_id, {}), tuple(comments.get(entry_id, ())))
            for entry_id in {*counts, *comments}
        ]
        return sorted(report, key=lambda f: (-f.wrong, -len(f.comments), -f.helpful, f.entry_id))

    # -- weekly digest -------------------------------------------------------------

    async def digest_sent(self, region: str, week: str) -> bool:
        async with self.db.execute(
            "SELECT 1 FROM digest_sent WHERE region = ? AND week = ?", (region, week)
        ) as cur:
            return await cur.fetchone() is not None

    async def mark_digest_sent(self, region: str, week: str, now: float | None = None) -> None:
        async with self.connection.transaction():
            await self.db.execute(
                "INSERT OR IGNORE INTO digest_sent (region, week, sent_at) VALUES (?, ?, ?)",
                (region, week, int(now or self.connection.now())),
            )

    async def last_coverage(self, region: str) -> dict[str, int] | None:
        """Outdated translations per language at the region's last digest, or None."""
        async with self.db.execute(
            "SELECT counts FROM digest_coverage WHERE region = ?", (region,)
        ) as cur:
            row = await cur.fetchone()
        if row is None:
            return None
        try:
            counts = json.loads(row[0])
        except ValueError:
            return None
        if not isinstance(counts, dict):
            return None
        return {k: v for k, v in counts.items() if isinstance(k, str) and isinstance(v, int)}

    async def save_coverage(self, region: str, counts: dict[str, int]) -> None:
        async with self.connection.transaction():
            await self.db.execute(
                "INSERT INTO digest_coverage (region, counts) VALUES (?, ?) "
                "ON CONFLICT (region) DO UPDATE SET counts = excluded.counts",
                (region, json.dumps(counts, sort_keys=True)),
            )

"""Newcomers: language, municipality, subscription. Nothing else about them."""

from __future__ import annotations

import dataclasses

from bot.storage.connection import Connection


@dataclasses.dataclass(frozen=True)
class User:
    """What the bot remembers about one Telegram user."""

    user_id: int
    language: str | None
    municipality: str | None
    subscribed: bool
    asked_subscribe: bool


_UNSET = object()


class Users:
    """The ``users`` table, with the most recently used users kept in memory."""

    #: Users kept in memory (most recently used); every update reads its user, and
    #: this process is the only writer, so the cache is written through on change.
    CACHE_SIZE = 10_000

    def __init__(self, connection: Connection):
        self.connection = connection
        self._cache: dict[int, User | None] = {}
        # Users written in a rolled-back transaction are remembered as written:
        # forget them all then.
        connection.on_rollback.append(self._cache.clear)

    def _remember(self, user_id: int, user: User | None) -> None:
        cache = self._cache
        cache.pop(user_id, None)
        cache[user_id] = user
        if len(cache) > self.CACHE_SIZE:
            del cache[next(iter(cache))]

    async def get(self, user_id: int) -> User | None:
        """The stored user, or None if the bot knows nothing about them."""
        if user_id in self._cache:
            user = self._cache[user_id]
            self._remember(user_id, user)
            return user
        user = await self._read(user_id)
        self._remember(user_id, user)
        return user

    async def _read(self, user_id: int) -> User | None:
        async with self.connection.db.execute(
            "SELECT user_id, language, municipality, subscribed, asked_subscribe "
            "FROM users WHERE user_id = ?",
            (user_id,),
        ) as cur:
            row = await cur.fetchone()
        if row is None:
            return None
        return User(row[0], row[1], row[2], bool(row[3]), bool(row[4]))

    async def save(
        self,
        user_id: int,
        *,
        language: str | object | None = _UNSET,
        municipality: str | object | None = _UNSET,
        subscribed: bool | object = _UNSET,
        asked_subscribe: bool | object = _UNSET,
    ) -> User:
        """Create or update a user; only the given fields change. Returns the stored user."""
        now = int(self.connection.now())
        fields = {
            k: v
            for k, v in (
                ("language", language),
                ("municipality", municipality),
                ("subscribed", subscribed),
                ("asked_subscribe", asked_subscribe),
            )
            if v is not _UNSET
        }
        columns = ", ".join(fields)
        placeholders = ", ".join("?" for _ in fields)
        updates = ", ".join(f"{k} = excluded.{k}" for k in fields)
        sql = (
            f"INSERT INTO users (user_id, created_at, updated_at{', ' if fields else ''}{columns}) "
            f"VALUES (?, ?, ?{', ' if fields else ''}{placeholders}) "
            f"ON CONFLICT (user_id) DO UPDATE SET updated_at = excluded.updated_at"
            f"{', ' if fields else ''}{updates}"
        )
        sql += " RETURNING user_id, language, municipality, subscribed, asked_subscribe"
        async with (
            self.connection.writing(),
            self.connection.db.execute(sql, (user_id, now, now, *fields.values())) as cur,
        ):
            row = await cur.fetchone()
        user = User(row[0], row[1], row[2], bool(row[3]), bool(row[4]))
        self._remember(user_id, user)
        return user

    async def forget(self, user_id: int) -> None:
        """Delete everything stored about a user (``/forget``, or when they blocked the
        bot or their chat is gone).

        Their undelivered announcements go too: the outbox row is the only other
        place their id appears.
        """
        async with self.connection.transaction():
            await self.connection.db.execute("DELETE FROM users WHERE user_id = ?", (user_id,))
            await self.connection.db.execute("DELETE FROM outbox WHERE chat_id = ?", (user_id,))
            # "Ask a person": their conversations and relays (bot/storage/handoff.py)
            await self.connection.db.execute(
                "DELETE FROM handoff_outbox WHERE ticket IN (SELECT ticket FROM "
                "handoff_conversations WHERE user_id = ?)",
                (user_id,),
            )
            await self.connection.db.execute(
                "DELETE FROM handoff_conversations WHERE user_id = ?", (user_id,)
            )
        self._remember(user_id, None)

    async def subscribers(self, municipalities: list[str]) -> list[tuple[int, str | None]]:
        """``(user_id, language)`` of users subscribed in any of ``municipalities``."""
        marks = ",".join("?" for _ in municipalities)
        async with self.connection.db.execute(
            f"SELECT user_id, language FROM users WHERE subscribed = 1 AND municipality IN ({marks})",
            municipalities,
        ) as cur:
            return [(row[0], row[1]) for row in await cur.fetchall()]

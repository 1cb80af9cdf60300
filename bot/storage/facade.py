"""One :class:`Storage` object for the handlers and the delivery worker.

It opens the connection, runs the migrations and composes the repositories
(:attr:`Storage.users`, :attr:`Storage.announcements`, :attr:`Storage.audit_log`,
:attr:`Storage.unanswered`, :attr:`Storage.feedback`); its methods are the ones callers used before the
split, each handing over to one repository.
"""

from __future__ import annotations

import contextlib
import time
from pathlib import Path

import aiosqlite

from bot.storage.audit import AuditLog, Unanswered
from bot.storage.connection import Clock, Connection
from bot.storage.feedback import FeedbackStore
from bot.storage.handoff import HandoffStore
from bot.storage.migrations import migrate, schema_version
from bot.storage.outbox import Announcement, Announcements, OutboxItem
from bot.storage.users import _UNSET, User, Users


class Storage:
    """The bot's database. Create with :meth:`open`; close with :meth:`close`.

    ``clock`` (Unix seconds) stamps rows; the bot sets it to its own clock
    (:attr:`bot.context.BotData.clock`).
    """

    UNANSWERED_DAYS = Unanswered.DAYS
    USER_CACHE_SIZE = Users.CACHE_SIZE

    def __init__(self, connection: Connection):
        self.connection = connection
        self.users = Users(connection)
        self.audit_log = AuditLog(connection)
        self.unanswered = Unanswered(connection)
        self.announcements = Announcements(connection, self.audit_log)
        self.feedback = FeedbackStore(connection)
        self.handoff = HandoffStore(connection)  # "Ask a person" (bot/handoff)

    @classmethod
    async def open(cls, path: str | Path, *, clock: Clock = time.time) -> Storage:
        """Open (creating folders and file as needed), enable WAL, apply migrations.

        ``path`` may be ``":memory:"`` for tests. Raises
        :class:`~bot.storage.connection.StorageUnusable` (one line for an operator)
        if the database is damaged, read-only or newer than this code.
        """
        connection = await Connection.open(path, clock)
        try:
            await migrate(connection, path)
        except BaseException:
            await connection.close()
            raise
        return cls(connection)

    async def close(self) -> None:
        await self.connection.close()

    @property
    def db(self) -> aiosqlite.Connection:
        return self.connection.db

    @property
    def clock(self) -> Clock:
        return self.connection.clock

    @clock.setter
    def clock(self, clock: Clock) -> None:
        self.connection.clock = clock

    def transaction(self) -> contextlib.AbstractAsyncContextManager[None]:
        return self.connection.transaction()

    async def schema_version(self) -> int:
        return await schema_version(self.connection)

    async def migrate(self) -> int:
        return await migrate(self.connection)

    # -- users ---------------------------------------------------------------

    async def get_user(self, user_id: int) -> User | None:
        return await self.users.get(user_id)

    async def save_user(
        self,
        user_id: int,
        *,
        language: str | object | None = _UNSET,
        municipality: str | object | None = _UNSET,
        subscribed: bool | object = _UNSET,
        asked_subscribe: bool | object = _UNSET,
    ) -> User:
        return await self.users.save(
            user_id,
            language=language,
            municipality=municipality,
            subscribed=subscribed,
            asked_subscribe=asked_subscribe,
        )

    async def forget_user(self, user_id: int) -> None:
        await self.users.forget(user_id)

    async def subscribers(self, municipalities: list[str]) -> list[tuple[int, str | None]]:
        return await self.users.subscribers(municipalities)

    # -- unanswered questions and the audit log --------------------------------

    async def record_unanswered(self, query: str, language: str, municipality: str | None) -> None:
        await self.unanswered.record(query, language, municipality)

    async def expire_unanswered(self, now: float | None = None) -> int:
        return await self.unanswered.expire(now)

    async def gaps(self, days: int, limit: int = 20) -> list[tuple[str, str | None, str, int]]:
        return await self.unanswered.gaps(days, limit)

    async def audit(self, actor_id: int, action: str, subject: str = "", detail: str = "") -> None:
        await self.audit_log.record(actor_id, action, subject, detail)

    async def audit_entries(self, limit: int = 50) -> list[tuple[int, int, str, str, str]]:
        return await self.audit_log.entries(limit)

    # -- announcements and the outbox ----------------------------------------

    async def create_announcement(
        self,
        *,
        author_id: int,
        region: str,
        default_language: str,
        targets: list[str],
        texts: dict[str, str],
        send_at: float,
        now: float,
        progress_chat_id: int | None = None,
    ) -> tuple[int, int]:
        """See :meth:`bot.storage.outbox.Announcements.create`."""
        return await self.announcements.create(
            author_id=author_id,
            region=region,
            default_language=default_language,
            targets=targets,
            texts=texts,
            send_at=send_at,
            now=now,
            progress_chat_id=progress_chat_id,
        )

    async def set_progress_message(self, announcement_id: int, chat_id: int, message_id: int):
        await self.announcements.set_progress_message(announcement_id, chat_id, message_id)

    async def due_outbox(self, now: float, limit: int, exclude: set[int]) -> list[OutboxItem]:
        return await self.announcements.due_outbox(now, limit, exclude)

    async def next_due(self) -> float | None:
        return await self.announcements.next_due()

    async def due_scheduled(self, now: float) -> list[Announcement]:
        return await self.announcements.due_scheduled(now)

    async def start_announcement(self, announcement_id: int) -> bool:
        return await self.announcements.start(announcement_id)

    async def hold_announcement(self, announcement_id: int, reason: str) -> bool:
        return await self.announcements.hold(announcement_id, reason)

    async def start_due_announcements(self, now: float) -> list[int]:
        return await self.announcements.start_due(now)

    async def mark_outbox(
        self, outbox_id: int, status: str, *, error: str | None = None, due_at: float | None = None
    ) -> None:
        await self.announcements.mark(outbox_id, status, error=error, due_at=due_at)

    async def mark_sent(self, outbox_ids: list[int]) -> None:
        await self.announcements.mark_sent(outbox_ids)

    async def announcement_texts(self, announcement_id: int) -> dict[str, str]:
        return await self.announcements.texts(announcement_id)

    async def announcement(self, announcement_id: int) -> Announcement | None:
        return await self.announcements.get(announcement_id)

    async def recent_announcements(self, limit: int = 10) -> list[Announcement]:
        return await self.announcements.recent(limit)

    async def delivery_counts(self, announcement_id: int) -> dict[str, int]:
        return await self.announcements.delivery_counts(announcement_id)

    async def finish_announcement(self, announcement_id: int) -> bool:
        return await self.announcements.finish(announcement_id)

    async def cancel_announcement(self, announcement_id: int, actor_id: int) -> bool:
        return await self.announcements.cancel(announcement_id, actor_id)

    async def news_for(self, municipality: str, since: float, limit: int = 5) -> list[Announcement]:
        return await self.announcements.news_for(municipality, since, limit)


__all__ = ["Announcement", "OutboxItem", "Storage", "User"]

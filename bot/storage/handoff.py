"""Storage of "Ask a person" (bot/handoff): conversations and their durable relay outbox.

What is stored, and nothing more: a short ticket number, the newcomer's Telegram
id, the helpdesk group and its topic id, the state and timestamps; per message
to relay, the ticket, the direction and the source chat id and message id
(Telegram keeps the message; ids are not texts). No message texts, captions or
file ids. Closed conversations and their outbox rows are deleted after the
staff file's ``helpdesk_retention_days`` (:meth:`HandoffStore.purge`).

The tables come with migration 4 (:data:`SCHEMA`, in bot/storage/migrations.py);
:class:`HandoffStore` is the repository, ``Storage.handoff``.
"""

from __future__ import annotations

import dataclasses
import secrets
import sqlite3

from bot.storage.connection import Connection

#: Migration 4: conversations and their relay outbox.
SCHEMA = """
    CREATE TABLE handoff_conversations (
        ticket           TEXT PRIMARY KEY,
        user_id          INTEGER NOT NULL,
        helpdesk_chat_id INTEGER NOT NULL,
        topic_id         INTEGER,
        state            TEXT NOT NULL,
        created_at       INTEGER NOT NULL,
        updated_at       INTEGER NOT NULL,
        closed_at        INTEGER
    );
    -- one open conversation per person
    CREATE UNIQUE INDEX handoff_open_user ON handoff_conversations (user_id)
        WHERE state = 'open';
    CREATE INDEX handoff_topic ON handoff_conversations (helpdesk_chat_id, topic_id);
    CREATE INDEX handoff_closed ON handoff_conversations (closed_at) WHERE state != 'open';
    CREATE TABLE handoff_outbox (
        id           INTEGER PRIMARY KEY,
        ticket       TEXT NOT NULL REFERENCES handoff_conversations (ticket) ON DELETE CASCADE,
        direction    TEXT NOT NULL,
        from_chat_id INTEGER NOT NULL,
        message_id   INTEGER NOT NULL,
        status       TEXT NOT NULL DEFAULT 'pending',
        attempts     INTEGER NOT NULL DEFAULT 0,
        due_at       REAL NOT NULL,
        sent_at      REAL
    );
    CREATE INDEX handoff_outbox_pending ON handoff_outbox (ticket, id) WHERE status = 'pending';
    CREATE INDEX handoff_outbox_due ON handoff_outbox (due_at) WHERE status = 'pending';
"""

#: Directions of a relay: a newcomer's message copied into the topic, a staff
#: member's reply copied to the newcomer, or a notice (closed, blocked, handed
#: over) the bot writes to the newcomer in their language when it is sent.
TO_STAFF = "to_staff"
TO_PERSON = "to_person"
NOTICE = "notice"

#: Notice kinds (stored as ``message_id`` of a NOTICE row, with ``from_chat_id`` 0).
NOTICE_CLOSED = 1
NOTICE_BLOCKED = 2
NOTICE_HANDED_OVER = 3

OPEN, CLOSED, BLOCKED = "open", "closed", "blocked"

#: Ticket numbers: 5 characters from an alphabet without look-alikes (0/o, 1/l/i).
_TICKET_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
TICKET_LENGTH = 5


def new_ticket() -> str:
    return "".join(secrets.choice(_TICKET_ALPHABET) for _ in range(TICKET_LENGTH))


@dataclasses.dataclass(frozen=True)
class Conversation:
    ticket: str
    user_id: int
    helpdesk_chat_id: int
    topic_id: int | None
    state: str
    created_at: int
    updated_at: int
    closed_at: int | None


@dataclasses.dataclass(frozen=True)
class Relay:
    """One pending relay: copy ``(from_chat_id, message_id)`` for ``ticket``."""

    id: int
    ticket: str
    direction: str
    from_chat_id: int
    message_id: int
    attempts: int


_COLUMNS = "ticket, user_id, helpdesk_chat_id, topic_id, state, created_at, updated_at, closed_at"


class HandoffStore:
    """Queries of the handoff tables on the shared connection (``Storage.handoff``)."""

    def __init__(self, connection: Connection):
        self.connection = connection

    @property
    def db(self):
        return self.connection.db

    # -- conversations -------------------------------------------------------------

    async def _one(self, where: str, params: tuple) -> Conversation | None:
        async with self.db.execute(
            f"SELECT {_COLUMNS} FROM handoff_conversations WHERE {where}", params
        ) as cur:
            row = await cur.fetchone()
        return Conversation(*row) if row else None

    async def open_conversation_of(self, user_id: int) -> Conversation | None:
        return await self._one("user_id = ? AND state = 'open'", (user_id,))

    async def is_blocked(self, user_id: int, helpdesk_chat_id: int) -> bool:
        found = await self._one(
            "user_id = ? AND helpdesk_chat_id = ? AND state = 'blocked' LIMIT 1",
            (user_id, helpdesk_chat_id),
        )
        return found is not None

    async def by_ticket(self, ticket: str) -> Conversation | None:
        return await self._one("ticket = ?", (ticket,))

    async def by_topic(self, helpdesk_chat_id: int, topic_id: int) -> Conversation | None:
        return await self._one(
            "helpdesk_chat_id = ? AND topic_id = ? ORDER BY created_at DESC LIMIT 1",
            (helpdesk_chat_id, topic_id),
        )

    async def open_user_ids(self) -> list[int]:
        async with self.db.execute(
            "SELECT user_id FROM handoff_conversations WHERE state = 'open'"
        ) as cur:
            return [r[0] for r in await cur.fetchall()]

    async def start(self, user_id: int, helpdesk_chat_id: int, now: float) -> Conversation:
        """The person's open conversation, or a new one with a fresh ticket number."""
        for _ in range(20):
            existing = await self.open_conversation_of(user_id)
            if existing is not None:
                return existing
            try:
                await self.connection.write(
                    "INSERT INTO handoff_conversations (ticket, user_id, helpdesk_chat_id, "
                    "state, created_at, updated_at) VALUES (?, ?, ?, 'open', ?, ?)",
                    (new_ticket(), user_id, helpdesk_chat_id, int(now), int(now)),
                )
            except sqlite3.IntegrityError:
                continue  # ticket taken, or another task opened one meanwhile: look again
        raise RuntimeError("no free ticket number")

    async def set_topic(self, ticket: str, topic_id: int | None, now: float) -> None:
        await self.connection.write(
            "UPDATE handoff_conversations SET topic_id = ?, updated_at = ? WHERE ticket = ?",
            (topic_id, int(now), ticket),
        )

    async def move(self, ticket: str, helpdesk_chat_id: int, now: float) -> None:
        """Hand over to another helpdesk: its new topic is created on the next relay."""
        await self.connection.write(
            "UPDATE handoff_conversations SET helpdesk_chat_id = ?, topic_id = NULL, "
            "updated_at = ? WHERE ticket = ? AND state = 'open'",
            (helpdesk_chat_id, int(now), ticket),
        )

    async def end(self, ticket: str, state: str, now: float) -> bool:
        """Close or block an open conversation; True if it was open."""
        changed = await self.connection.write(
            "UPDATE handoff_conversations SET state = ?, closed_at = ?, updated_at = ? "
            "WHERE ticket = ? AND state = 'open'",
            (state, int(now), int(now), ticket),
        )
        return changed > 0

    async def forget(self, user_id: int) -> list[Conversation]:
        """Delete every conversation of the person (and their relays); returns those that
        were open, so their topics can be told."""
        async with self.connection.transaction():
            async with self.db.execute(
                f"SELECT {_COLUMNS} FROM handoff_conversations WHERE user_id = ? "
                "AND state = 'open'",
                (user_id,),
            ) as cur:
                open_ones = [Conversation(*r) for r in await cur.fetchall()]
            await self.db.execute(
                "DELETE FROM handoff_outbox WHERE ticket IN "
                "(SELECT ticket FROM handoff_conversations WHERE user_id = ?)",
                (user_id,),
            )
            await self.db.execute("DELETE FROM handoff_conversations WHERE user_id = ?", (user_id,))
        return open_ones

    async def purge(self, now: float, days: int) -> int:
        """Delete conversations closed or blocked more than ``days`` ago, with their relays."""
        cutoff = int(now - days * 86400)
        async with self.connection.transaction():
            await self.db.execute(
                "DELETE FROM handoff_outbox WHERE ticket IN (SELECT ticket FROM "
                "handoff_conversations WHERE state != 'open' AND closed_at < ?)",
                (cutoff,),
            )
            cur = await self.db.execute(
                "DELETE FROM handoff_conversations WHERE state != 'open' AND closed_at < ?",
                (cutoff,),
            )
            return cur.rowcount

    # -- the outbox -------------------------------------------------------------------

    async def enqueue(
        self, ticket: str, direction: str, from_chat_id: int, message_id: int, now: float
    ) -> int:
        """Queue one relay; committed before this returns (so it survives a kill -9)."""
        async with (
            self.connection.writing(),
            self.db.execute(
                "INSERT INTO handoff_outbox (ticket, direction, from_chat_id, message_id, due_at) "
                "VALUES (?, ?, ?, ?, ?) RETURNING id",
                (ticket, direction, from_chat_id, message_id, now),
            ) as cur,
        ):
            row = await cur.fetchone()
        return int(row[0])

    async def due_tickets(self, now: float) -> list[str]:
        """Tickets whose oldest pending relay is due (a ticket waits behind its oldest)."""
        async with self.db.execute(
            "SELECT o.ticket FROM handoff_outbox o WHERE o.status = 'pending' AND o.id = "
            "(SELECT min(id) FROM handoff_outbox p WHERE p.ticket = o.ticket AND "
            "p.status = 'pending') AND o.due_at <= ? ORDER BY o.id",
            (now,),
        ) as cur:
            return [r[0] for r in await cur.fetchall()]

    async def next_due(self) -> float | None:
        async with self.db.execute(
            "SELECT min(due_at) FROM handoff_outbox WHERE status = 'pending'"
        ) as cur:
            row = await cur.fetchone()
        return row[0]

    async def first_pending(self, ticket: str) -> tuple[Relay, float] | None:
        """The ticket's oldest pending relay and when it is due."""
        async with self.db.execute(
            "SELECT id, ticket, direction, from_chat_id, message_id, attempts, due_at "
            "FROM handoff_outbox WHERE ticket = ? AND status = 'pending' ORDER BY id LIMIT 1",
            (ticket,),
        ) as cur:
            row = await cur.fetchone()
        return (Relay(*row[:6]), row[6]) if row else None

    async def mark(self, relay_id: int, status: str, now: float) -> None:
        """``sent`` (Telegram accepted it) or ``failed`` (it never can be)."""
        await self.connection.write(
            "UPDATE handoff_outbox SET status = ?, sent_at = ? WHERE id = ?",
            (status, now, relay_id),
        )

    async def retry_later(self, relay_id: int, due_at: float) -> None:
        await self.connection.write(
            "UPDATE handoff_outbox SET attempts = attempts + 1, due_at = ? WHERE id = ?",
            (due_at, relay_id),
        )

    async def counts(self) -> dict[str, int]:
        async with self.db.execute(
            "SELECT status, count(*) FROM handoff_outbox GROUP BY status"
        ) as cur:
            found = {r[0]: r[1] for r in await cur.fetchall()}
        return {k: found.get(k, 0) for k in ("pending", "sent", "failed")}

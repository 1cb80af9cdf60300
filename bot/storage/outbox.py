"""Announcements and their durable outbox (one row per recipient).

Statuses of an announcement: ``scheduled`` (waits for ``send_at``), ``sending``,
``done``, ``cancelled``, and ``held``: its time came but its author no longer
had the role or scope to send it (issue 10), so it waits for an admin.
Outbox rows: ``pending``, ``sent``, ``failed``, ``skipped``, ``cancelled``.
"""

from __future__ import annotations

import dataclasses
import json

from bot.storage.audit import AuditLog
from bot.storage.connection import Connection


@dataclasses.dataclass(frozen=True)
class OutboxItem:
    """One message to deliver. ``wanted`` is False when the recipient has since left,
    unsubscribed or moved away from the targets (then it is skipped, not sent)."""

    id: int
    announcement_id: int
    chat_id: int
    attempts: int
    language: str | None
    municipality: str | None
    wanted: bool


@dataclasses.dataclass(frozen=True)
class Announcement:
    id: int
    author_id: int
    region: str
    default_language: str
    targets: list[str]
    status: str
    created_at: int
    send_at: int
    finished_at: int | None
    progress_chat_id: int | None
    progress_message_id: int | None


_ANNOUNCEMENT_COLUMNS = (
    "id, author_id, region, default_language, targets, status, created_at, send_at, "
    "finished_at, progress_chat_id, progress_message_id"
)


def _announcement(row) -> Announcement:
    values = list(row)
    values[4] = json.loads(values[4])
    return Announcement(*values)


class Announcements:
    """The ``announcements``, ``announcement_texts`` and ``outbox`` tables."""

    def __init__(self, connection: Connection, audit: AuditLog):
        self.connection = connection
        self.audit = audit

    @property
    def db(self):
        return self.connection.db

    async def create(
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
        """Store an announcement and one outbox row per current subscriber, atomically.

        ``send_at`` and ``now`` are Unix times (seconds); an announcement due later
        than ``now`` is ``scheduled``. Returns ``(announcement id, number of
        recipients)``. The audit log row is written in the same transaction, so
        either all of it exists or none.
        """
        status = "scheduled" if send_at > now + 1 else "sending"
        marks = ",".join("?" for _ in targets)
        async with self.connection.transaction():
            cur = await self.db.execute(
                "INSERT INTO announcements (author_id, region, default_language, targets, status,"
                " created_at, send_at, progress_chat_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    author_id,
                    region,
                    default_language,
                    json.dumps(sorted(targets)),
                    status,
                    int(now),
                    int(send_at),
                    progress_chat_id,
                ),
            )
            announcement_id = cur.lastrowid
            await self.db.executemany(
                "INSERT INTO announcement_texts (announcement_id, language, text) VALUES (?, ?, ?)",
                [(announcement_id, lang, text) for lang, text in texts.items()],
            )
            cur = await self.db.execute(
                "INSERT INTO outbox (announcement_id, chat_id, due_at) SELECT ?, user_id, ? "
                f"FROM users WHERE subscribed = 1 AND municipality IN ({marks})",
                (announcement_id, send_at, *targets),
            )
            recipients = cur.rowcount
            detail = json.dumps(
                {"recipients": recipients, "languages": sorted(texts), "targets": len(targets)}
            )
            await self.db.execute(
                "INSERT INTO audit_log (at, actor_id, action, subject, detail) "
                "VALUES (?, ?, 'announce', ?, ?)",
                (int(now), author_id, f"announcement:{announcement_id}", detail),
            )
        return announcement_id, recipients

    async def set_progress_message(self, announcement_id: int, chat_id: int, message_id: int):
        await self.connection.write(
            "UPDATE announcements SET progress_chat_id = ?, progress_message_id = ? WHERE id = ?",
            (chat_id, message_id, announcement_id),
        )

    async def due_outbox(self, now: float, limit: int, exclude: set[int]) -> list[OutboxItem]:
        """Pending outbox rows of ``sending`` announcements due by ``now`` (oldest first),
        with the recipient's current language and subscription; rows in ``exclude``
        (already in flight) are skipped.

        Waits for any open transaction first: the rows of an announcement still being
        written must not go out before it is committed (it might be rolled back).
        Rows of a ``scheduled`` announcement wait until it was started (see
        :meth:`start`): its author is checked first."""
        async with (
            self.connection.writing(),
            self.db.execute(
                "SELECT o.id, o.announcement_id, o.chat_id, o.attempts, u.language, "
                "u.subscribed, u.municipality, a.targets "
                "FROM outbox o JOIN announcements a ON a.id = o.announcement_id "
                "LEFT JOIN users u ON u.user_id = o.chat_id "
                "WHERE o.status = 'pending' AND o.due_at <= ? "
                "AND a.status = 'sending' ORDER BY o.due_at, o.id LIMIT ?",
                (now, limit + len(exclude)),
            ) as cur,
        ):
            rows = await cur.fetchall()
        items = []
        for row in rows:
            if row[0] in exclude:
                continue
            targets = json.loads(row[7])
            still_wanted = bool(row[5]) and row[6] in targets
            items.append(OutboxItem(row[0], row[1], row[2], row[3], row[4], row[6], still_wanted))
        return items[:limit]

    async def next_due(self) -> float | None:
        """Earliest ``due_at`` among pending outbox rows of live announcements, or None."""
        async with self.db.execute(
            "SELECT min(o.due_at) FROM outbox o JOIN announcements a ON a.id = o.announcement_id "
            "WHERE o.status = 'pending' AND a.status IN ('sending', 'scheduled')"
        ) as cur:
            row = await cur.fetchone()
        return row[0]

    async def due_scheduled(self, now: float) -> list[Announcement]:
        """Scheduled announcements whose time has come (to be started or held)."""
        async with self.db.execute(
            f"SELECT {_ANNOUNCEMENT_COLUMNS} FROM announcements "
            "WHERE status = 'scheduled' AND send_at <= ? ORDER BY send_at, id",
            (now,),
        ) as cur:
            return [_announcement(r) for r in await cur.fetchall()]

    async def start(self, announcement_id: int) -> bool:
        """Flip a scheduled announcement to ``sending``; False if it is no longer
        scheduled. One statement, so one cancelled meanwhile stays cancelled."""
        changed = await self.connection.write(
            "UPDATE announcements SET status = 'sending' WHERE id = ? AND status = 'scheduled'",
            (announcement_id,),
        )
        return changed > 0

    async def hold(self, announcement_id: int, reason: str) -> bool:
        """Keep a scheduled announcement from going out (``held``), with an audit row;
        False if it is no longer scheduled. Its outbox rows stay pending."""
        async with self.connection.transaction():
            cur = await self.db.execute(
                "UPDATE announcements SET status = 'held' WHERE id = ? AND status = 'scheduled' "
                "RETURNING author_id",
                (announcement_id,),
            )
            row = await cur.fetchone()
            await cur.close()
            if row is None:
                return False
            await self.audit.record(row[0], "hold", f"announcement:{announcement_id}", reason)
        return True

    async def start_due(self, now: float) -> list[int]:
        """Start every scheduled announcement whose time has come; returns their ids.
        (The delivery worker checks each author first: :meth:`due_scheduled`.)"""
        started = []
        for announcement in await self.due_scheduled(now):
            if await self.start(announcement.id):
                started.append(announcement.id)
        return started

    async def mark(
        self, outbox_id: int, status: str, *, error: str | None = None, due_at: float | None = None
    ) -> None:
        """Record a delivery outcome: ``sent``, ``failed`` (undeliverable), ``skipped``, or
        ``pending`` again with a later ``due_at`` (retry)."""
        if status == "pending":
            await self.connection.write(
                "UPDATE outbox SET attempts = attempts + 1, due_at = ?, error = ? WHERE id = ?",
                (due_at, error, outbox_id),
            )
        else:
            await self.connection.write(
                "UPDATE outbox SET status = ?, error = ?, sent_at = ? WHERE id = ?",
                (status, error, self.connection.now(), outbox_id),
            )

    async def mark_sent(self, outbox_ids: list[int]) -> None:
        """Record that Telegram accepted the messages of these outbox rows, in one
        statement (one commit for a whole group of deliveries). At most SQLite's
        32,766 variables per statement: the delivery worker passes a few dozen."""
        if not outbox_ids:
            return
        marks = ",".join("?" for _ in outbox_ids)
        await self.connection.write(
            f"UPDATE outbox SET status = 'sent', error = NULL, sent_at = ? WHERE id IN ({marks})",
            (self.connection.now(), *outbox_ids),
        )

    async def texts(self, announcement_id: int) -> dict[str, str]:
        async with self.db.execute(
            "SELECT language, text FROM announcement_texts WHERE announcement_id = ?",
            (announcement_id,),
        ) as cur:
            return {r[0]: r[1] for r in await cur.fetchall()}

    async def get(self, announcement_id: int) -> Announcement | None:
        async with self.db.execute(
            f"SELECT {_ANNOUNCEMENT_COLUMNS} FROM announcements WHERE id = ?", (announcement_id,)
        ) as cur:
            row = await cur.fetchone()
        return _announcement(row) if row else None

    async def recent(self, limit: int = 10) -> list[Announcement]:
        async with self.db.execute(
            f"SELECT {_ANNOUNCEMENT_COLUMNS} FROM announcements ORDER BY id DESC LIMIT ?", (limit,)
        ) as cur:
            return [_announcement(r) for r in await cur.fetchall()]

    async def delivery_counts(self, announcement_id: int) -> dict[str, int]:
        """Outbox rows per status (``pending``, ``sent``, ``failed``, ``skipped``, ``cancelled``)."""
        async with self.db.execute(
            "SELECT status, count(*) FROM outbox WHERE announcement_id = ? GROUP BY status",
            (announcement_id,),
        ) as cur:
            counts = {r[0]: r[1] for r in await cur.fetchall()}
        return {k: counts.get(k, 0) for k in ("sent", "pending", "failed", "skipped", "cancelled")}

    async def finish(self, announcement_id: int) -> bool:
        """Mark a sending announcement done if nothing is pending; True if it was finished now."""
        changed = await self.connection.write(
            "UPDATE announcements SET status = 'done', finished_at = ? WHERE id = ? "
            "AND status = 'sending' AND NOT EXISTS (SELECT 1 FROM outbox WHERE "
            "announcement_id = ? AND status = 'pending')",
            (int(self.connection.now()), announcement_id, announcement_id),
        )
        return changed > 0

    async def cancel(self, announcement_id: int, actor_id: int) -> bool:
        """Stop an announcement still scheduled, held or sending; pending rows become
        cancelled."""
        now = int(self.connection.now())
        async with self.connection.transaction():
            cur = await self.db.execute(
                "UPDATE announcements SET status = 'cancelled', finished_at = ? "
                "WHERE id = ? AND status IN ('scheduled', 'held', 'sending')",
                (now, announcement_id),
            )
            changed = cur.rowcount > 0
            if changed:
                await self.db.execute(
                    "UPDATE outbox SET status = 'cancelled' WHERE announcement_id = ? "
                    "AND status = 'pending'",
                    (announcement_id,),
                )
                await self.db.execute(
                    "INSERT INTO audit_log (at, actor_id, action, subject) "
                    "VALUES (?, ?, 'cancel', ?)",
                    (now, actor_id, f"announcement:{announcement_id}"),
                )
        return changed

    async def news_for(self, municipality: str, since: float, limit: int = 5) -> list[Announcement]:
        """Announcements sent (or being sent) to ``municipality`` since ``since``, newest first."""
        async with self.db.execute(
            f"SELECT {_ANNOUNCEMENT_COLUMNS} FROM announcements WHERE status IN "
            "('sending', 'done') AND send_at >= ? AND EXISTS (SELECT 1 FROM json_each(targets) "
            "WHERE value = ?) ORDER BY send_at DESC LIMIT ?",
            (int(since), municipality, limit),
        ) as cur:
            return [_announcement(r) for r in await cur.fetchall()]

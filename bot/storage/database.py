"""SQLite state through aiosqlite: users, unanswered queries, announcements and the outbox.

Only what the bot needs is stored: the Telegram user id, language, municipality,
subscription and timestamps. No names, usernames or message texts of newcomers.
The schema is versioned (``PRAGMA user_version``) and forward migrations run at
start-up, each in its own transaction.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import sqlite3
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiosqlite

#: Forward migrations; index + 1 is the schema version they bring the database to.
MIGRATIONS: tuple[str, ...] = (
    # 1: newcomers
    """
    CREATE TABLE users (
        user_id      INTEGER PRIMARY KEY,
        language     TEXT,
        municipality TEXT,
        subscribed   INTEGER NOT NULL DEFAULT 0,
        asked_subscribe INTEGER NOT NULL DEFAULT 0,
        created_at   INTEGER NOT NULL,
        updated_at   INTEGER NOT NULL
    );
    CREATE INDEX users_municipality ON users (municipality) WHERE subscribed = 1;
    """,
    # 2: questions the bot could not answer, without any user id (issue: gaps)
    """
    CREATE TABLE unanswered (
        id           INTEGER PRIMARY KEY,
        query        TEXT NOT NULL,
        language     TEXT NOT NULL,
        municipality TEXT,
        created_at   INTEGER NOT NULL
    );
    CREATE INDEX unanswered_created ON unanswered (created_at);
    """,
    # 3: announcements, their outbox and the audit log
    """
    CREATE TABLE announcements (
        id               INTEGER PRIMARY KEY,
        author_id        INTEGER NOT NULL,
        region           TEXT NOT NULL,
        default_language TEXT NOT NULL,
        targets          TEXT NOT NULL,
        status           TEXT NOT NULL,
        created_at       INTEGER NOT NULL,
        send_at          INTEGER NOT NULL,
        finished_at      INTEGER,
        progress_chat_id INTEGER,
        progress_message_id INTEGER
    );
    CREATE TABLE announcement_texts (
        announcement_id INTEGER NOT NULL REFERENCES announcements (id) ON DELETE CASCADE,
        language        TEXT NOT NULL,
        text            TEXT NOT NULL,
        PRIMARY KEY (announcement_id, language)
    );
    CREATE TABLE outbox (
        id              INTEGER PRIMARY KEY,
        announcement_id INTEGER NOT NULL REFERENCES announcements (id) ON DELETE CASCADE,
        chat_id         INTEGER NOT NULL,
        status          TEXT NOT NULL DEFAULT 'pending',
        attempts        INTEGER NOT NULL DEFAULT 0,
        due_at          REAL NOT NULL,
        sent_at         REAL,
        error           TEXT
    );
    CREATE INDEX outbox_due ON outbox (due_at) WHERE status = 'pending';
    CREATE INDEX outbox_announcement ON outbox (announcement_id, status);
    CREATE INDEX outbox_chat ON outbox (chat_id);
    CREATE TABLE audit_log (
        id        INTEGER PRIMARY KEY,
        at        INTEGER NOT NULL,
        actor_id  INTEGER NOT NULL,
        action    TEXT NOT NULL,
        subject   TEXT,
        detail    TEXT
    );
    """,
)


@dataclasses.dataclass(frozen=True)
class User:
    """What the bot remembers about one Telegram user."""

    user_id: int
    language: str | None
    municipality: str | None
    subscribed: bool
    asked_subscribe: bool


_UNSET = object()


class Storage:
    """The bot's database. Create with :meth:`open`; close with :meth:`close`."""

    def __init__(self, db: aiosqlite.Connection):
        self.db = db
        self._users: dict[int, User | None] = {}
        # One connection serves every task (updates of different chats, the delivery
        # worker, jobs). A statement run while another task's transaction is open
        # would join it (and be rolled back with it), and a second BEGIN would fail.
        # So a transaction has the connection to itself; single statements, which
        # commit on their own, run side by side (aiosqlite queues them in its thread).
        self._transaction_task: asyncio.Task | None = None
        self._no_transaction = asyncio.Event()
        self._no_transaction.set()
        self._statements = 0  # single writing statements under way
        self._no_statements = asyncio.Event()
        self._no_statements.set()

    @classmethod
    async def open(cls, path: str | Path) -> Storage:
        """Open (creating folders and file as needed), enable WAL, apply migrations.

        ``path`` may be ``":memory:"`` for tests.
        """
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        db = await aiosqlite.connect(str(path), isolation_level=None)
        db.row_factory = aiosqlite.Row
        await db.execute("PRAGMA journal_mode=WAL")
        # NORMAL is durable against process crashes in WAL mode (only an OS crash
        # may lose the last commits), which is what "kill -9 loses nothing" needs.
        await db.execute("PRAGMA synchronous=NORMAL")
        await db.execute("PRAGMA foreign_keys=ON")
        await db.execute("PRAGMA busy_timeout=5000")
        storage = cls(db)
        await storage.migrate()
        return storage

    async def close(self) -> None:
        await self.db.close()

    async def schema_version(self) -> int:
        async with self.db.execute("PRAGMA user_version") as cur:
            row = await cur.fetchone()
        return int(row[0])

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        """``BEGIN IMMEDIATE`` … ``COMMIT``, or ``ROLLBACK`` if the block raises (the
        exception propagates). Starts once other tasks' transactions and statements
        under way have ended; theirs wait until it ends. This task's own writes
        (e.g. :meth:`save_user`) run inside it. Not reentrant."""
        while self._transaction_task is not None:
            await self._no_transaction.wait()
        self._transaction_task = asyncio.current_task()
        self._no_transaction.clear()
        try:
            while self._statements:
                await self._no_statements.wait()
            await self.db.execute("BEGIN IMMEDIATE")
            try:
                yield
                await self.db.execute("COMMIT")
            except BaseException:
                # Cancelled while waiting for COMMIT, the commit still runs in
                # aiosqlite's thread and this ROLLBACK finds no transaction: the
                # cancellation, not that error, must reach the caller.
                with contextlib.suppress(sqlite3.OperationalError):
                    await self.db.execute("ROLLBACK")
                # Users written in the block are remembered as written: forget them.
                self._users.clear()
                raise
        finally:
            self._transaction_task = None
            self._no_transaction.set()

    @contextlib.asynccontextmanager
    async def _writing(self) -> AsyncIterator[None]:
        """Run a statement outside any other task's transaction: wait for one that is
        open, and keep the next from starting until the block ends (an ``INSERT …
        RETURNING`` keeps its implicit transaction open until its rows are read)."""
        current = asyncio.current_task()
        if self._transaction_task is current:
            yield
            return
        while self._transaction_task is not None:
            await self._no_transaction.wait()
        self._statements += 1
        self._no_statements.clear()
        try:
            yield
        finally:
            self._statements -= 1
            if not self._statements:
                self._no_statements.set()

    async def _write(self, sql: str, parameters: tuple = ()) -> int:
        """Run one writing statement (see :meth:`_writing`); returns the rows it changed."""
        async with self._writing():
            cursor = await self.db.execute(sql, parameters)
            return cursor.rowcount

    async def migrate(self) -> int:
        """Apply pending migrations; returns the resulting schema version.

        Raises RuntimeError if the database is newer than this code knows.
        """
        version = await self.schema_version()
        if version > len(MIGRATIONS):
            raise RuntimeError(
                f"database schema version {version} is newer than this bot "
                f"({len(MIGRATIONS)}); upgrade the bot"
            )
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            await self.db.executescript(
                f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;"
            )
        return len(MIGRATIONS)

    # -- users ---------------------------------------------------------------

    #: Users kept in memory (most recently used); every update reads its user, and
    #: this process is the only writer, so the cache is written through on change.
    USER_CACHE_SIZE = 10_000

    def _remember(self, user_id: int, user: User | None) -> None:
        cache = self._users
        cache.pop(user_id, None)
        cache[user_id] = user
        if len(cache) > self.USER_CACHE_SIZE:
            del cache[next(iter(cache))]

    async def get_user(self, user_id: int) -> User | None:
        """The stored user, or None if the bot knows nothing about them."""
        if user_id in self._users:
            user = self._users[user_id]
            self._remember(user_id, user)
            return user
        user = await self._read_user(user_id)
        self._remember(user_id, user)
        return user

    async def _read_user(self, user_id: int) -> User | None:
        async with self.db.execute(
            "SELECT user_id, language, municipality, subscribed, asked_subscribe "
            "FROM users WHERE user_id = ?",
            (user_id,),
        ) as cur:
            row = await cur.fetchone()
        if row is None:
            return None
        return User(row[0], row[1], row[2], bool(row[3]), bool(row[4]))

    async def save_user(
        self,
        user_id: int,
        *,
        language: str | object | None = _UNSET,
        municipality: str | object | None = _UNSET,
        subscribed: bool | object = _UNSET,
        asked_subscribe: bool | object = _UNSET,
    ) -> User:
        """Create or update a user; only the given fields change. Returns the stored user."""
        now = int(time.time())
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
            self._writing(),
            self.db.execute(sql, (user_id, now, now, *fields.values())) as cur,
        ):
            row = await cur.fetchone()
        user = User(row[0], row[1], row[2], bool(row[3]), bool(row[4]))
        self._remember(user_id, user)
        return user

    async def forget_user(self, user_id: int) -> None:
        """Delete everything stored about a user (``/forget``, or when they block the bot).

        Their undelivered announcements go too: the outbox row is the only other
        place their id appears.
        """
        async with self.transaction():
            await self.db.execute("DELETE FROM users WHERE user_id = ?", (user_id,))
            await self.db.execute("DELETE FROM outbox WHERE chat_id = ?", (user_id,))
        self._remember(user_id, None)

    async def subscribers(self, municipalities: list[str]) -> list[tuple[int, str | None]]:
        """``(user_id, language)`` of users subscribed in any of ``municipalities``."""
        marks = ",".join("?" for _ in municipalities)
        async with self.db.execute(
            f"SELECT user_id, language FROM users WHERE subscribed = 1 AND municipality IN ({marks})",
            municipalities,
        ) as cur:
            return [(row[0], row[1]) for row in await cur.fetchall()]

    # -- unanswered questions ------------------------------------------------

    #: Unanswered questions are deleted after this many days (issue: gaps).
    UNANSWERED_DAYS = 90

    async def record_unanswered(self, query: str, language: str, municipality: str | None) -> None:
        """Keep a question the bot could not answer: text, language, place, time; no user id."""
        await self._write(
            "INSERT INTO unanswered (query, language, municipality, created_at) VALUES (?, ?, ?, ?)",
            (query[:200], language, municipality, int(time.time())),
        )

    async def expire_unanswered(self, now: float | None = None) -> int:
        """Delete unanswered questions older than :attr:`UNANSWERED_DAYS`; returns the count."""
        cutoff = int((now or time.time()) - self.UNANSWERED_DAYS * 86400)
        return await self._write("DELETE FROM unanswered WHERE created_at < ?", (cutoff,))

    async def gaps(self, days: int, limit: int = 20) -> list[tuple[str, str | None, str, int]]:
        """Most frequent unanswered questions of the last ``days`` days.

        Returns ``(language, municipality, folded query, count)`` rows, most frequent first.
        """
        since = int(time.time() - days * 86400)
        async with self.db.execute(
            "SELECT language, municipality, lower(trim(query)) AS q, count(*) AS n "
            "FROM unanswered WHERE created_at >= ? GROUP BY language, municipality, q "
            "ORDER BY n DESC, language, q LIMIT ?",
            (since, limit),
        ) as cur:
            return [(r[0], r[1], r[2], r[3]) for r in await cur.fetchall()]

    # -- audit ---------------------------------------------------------------

    async def audit(self, actor_id: int, action: str, subject: str = "", detail: str = "") -> None:
        """Record a staff action (who, what, on what; counts only, never recipient lists)."""
        await self._write(
            "INSERT INTO audit_log (at, actor_id, action, subject, detail) VALUES (?, ?, ?, ?, ?)",
            (int(time.time()), actor_id, action, subject, detail),
        )

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
        """Store an announcement and one outbox row per current subscriber, atomically.

        ``send_at`` and ``now`` are Unix times (seconds); an announcement due later
        than ``now`` is ``scheduled``. Returns ``(announcement id, number of
        recipients)``. The audit log row is written in the same transaction, so
        either all of it exists or none.
        """
        status = "scheduled" if send_at > now + 1 else "sending"
        marks = ",".join("?" for _ in targets)
        async with self.transaction():
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
        await self._write(
            "UPDATE announcements SET progress_chat_id = ?, progress_message_id = ? WHERE id = ?",
            (chat_id, message_id, announcement_id),
        )

    async def due_outbox(self, now: float, limit: int, exclude: set[int]) -> list[OutboxItem]:
        """Pending outbox rows due by ``now`` (oldest first), with the recipient's current
        language and subscription; rows in ``exclude`` (already in flight) are skipped.

        Waits for any open transaction first: the rows of an announcement still being
        written must not go out before it is committed (it might be rolled back)."""
        async with (
            self._writing(),
            self.db.execute(
                "SELECT o.id, o.announcement_id, o.chat_id, o.attempts, u.language, "
                "u.subscribed, u.municipality, a.targets "
                "FROM outbox o JOIN announcements a ON a.id = o.announcement_id "
                "LEFT JOIN users u ON u.user_id = o.chat_id "
                "WHERE o.status = 'pending' AND o.due_at <= ? "
                "AND a.status IN ('sending', 'scheduled') ORDER BY o.due_at, o.id LIMIT ?",
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

    async def start_due_announcements(self, now: float) -> list[int]:
        """Flip scheduled announcements whose time has come to ``sending``; returns their ids.

        One statement, so an announcement cancelled meanwhile stays cancelled."""
        async with (
            self._writing(),
            self.db.execute(
                "UPDATE announcements SET status = 'sending' "
                "WHERE status = 'scheduled' AND send_at <= ? RETURNING id",
                (now,),
            ) as cur,
        ):
            return [r[0] for r in await cur.fetchall()]

    async def mark_outbox(
        self, outbox_id: int, status: str, *, error: str | None = None, due_at: float | None = None
    ) -> None:
        """Record a delivery outcome: ``sent``, ``failed`` (undeliverable), ``skipped``, or
        ``pending`` again with a later ``due_at`` (retry)."""
        if status == "pending":
            await self._write(
                "UPDATE outbox SET attempts = attempts + 1, due_at = ?, error = ? WHERE id = ?",
                (due_at, error, outbox_id),
            )
        else:
            await self._write(
                "UPDATE outbox SET status = ?, error = ?, sent_at = ? WHERE id = ?",
                (status, error, time.time(), outbox_id),
            )

    async def mark_sent(self, outbox_ids: list[int]) -> None:
        """Record that Telegram accepted the messages of these outbox rows, in one
        statement (one commit for a whole group of deliveries). At most SQLite's
        32,766 variables per statement: the delivery worker passes a few dozen."""
        if not outbox_ids:
            return
        marks = ",".join("?" for _ in outbox_ids)
        await self._write(
            f"UPDATE outbox SET status = 'sent', error = NULL, sent_at = ? WHERE id IN ({marks})",
            (time.time(), *outbox_ids),
        )

    async def announcement_texts(self, announcement_id: int) -> dict[str, str]:
        async with self.db.execute(
            "SELECT language, text FROM announcement_texts WHERE announcement_id = ?",
            (announcement_id,),
        ) as cur:
            return {r[0]: r[1] for r in await cur.fetchall()}

    async def announcement(self, announcement_id: int) -> Announcement | None:
        async with self.db.execute(
            f"SELECT {_ANNOUNCEMENT_COLUMNS} FROM announcements WHERE id = ?", (announcement_id,)
        ) as cur:
            row = await cur.fetchone()
        return _announcement(row) if row else None

    async def recent_announcements(self, limit: int = 10) -> list[Announcement]:
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

    async def finish_announcement(self, announcement_id: int) -> bool:
        """Mark a sending announcement done if nothing is pending; True if it was finished now."""
        changed = await self._write(
            "UPDATE announcements SET status = 'done', finished_at = ? WHERE id = ? "
            "AND status = 'sending' AND NOT EXISTS (SELECT 1 FROM outbox WHERE "
            "announcement_id = ? AND status = 'pending')",
            (int(time.time()), announcement_id, announcement_id),
        )
        return changed > 0

    async def cancel_announcement(self, announcement_id: int, actor_id: int) -> bool:
        """Stop an announcement still scheduled or sending; pending rows become cancelled."""
        async with self.transaction():
            cur = await self.db.execute(
                "UPDATE announcements SET status = 'cancelled', finished_at = ? "
                "WHERE id = ? AND status IN ('scheduled', 'sending')",
                (int(time.time()), announcement_id),
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
                    (int(time.time()), actor_id, f"announcement:{announcement_id}"),
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

    async def audit_entries(self, limit: int = 50) -> list[tuple[int, int, str, str, str]]:
        async with self.db.execute(
            "SELECT at, actor_id, action, subject, detail FROM audit_log ORDER BY id DESC LIMIT ?",
            (limit,),
        ) as cur:
            return [tuple(r) for r in await cur.fetchall()]


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

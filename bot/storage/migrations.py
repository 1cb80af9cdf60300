"""The schema, versioned with ``PRAGMA user_version``; forward migrations run at
start-up, each in its own transaction.

Only what the bot needs is stored: the Telegram user id, language, municipality,
subscription and timestamps. No names, usernames or message texts of newcomers.
"""

from __future__ import annotations

import sqlite3

from bot.storage.connection import Connection, StorageUnusable, describe_open_error
from bot.storage.handoff import SCHEMA as HANDOFF_SCHEMA

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
    # 4: newcomers' feedback on entries, without user ids (bot/storage/feedback.py),
    # and the editors' weekly digest (bot/editing/digest.py)
    """
    CREATE TABLE feedback_counts (
        entry_id TEXT NOT NULL,
        day      TEXT NOT NULL,
        kind     TEXT NOT NULL,
        count    INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (entry_id, day, kind)
    );
    CREATE TABLE feedback_comments (
        id         INTEGER PRIMARY KEY,
        entry_id   TEXT NOT NULL,
        kind       TEXT NOT NULL,
        language   TEXT NOT NULL,
        comment    TEXT NOT NULL,
        created_at INTEGER NOT NULL
    );
    CREATE INDEX feedback_comments_created ON feedback_comments (created_at);
    CREATE TABLE feedback_votes (
        token BLOB PRIMARY KEY,
        day   TEXT NOT NULL
    );
    CREATE TABLE digest_coverage (
        region TEXT PRIMARY KEY,
        counts TEXT NOT NULL
    );
    CREATE TABLE digest_sent (
        region  TEXT NOT NULL,
        week    TEXT NOT NULL,
        sent_at INTEGER NOT NULL,
        PRIMARY KEY (region, week)
    );
    """,
    # 5: "Ask a person" conversations and their relay outbox (bot/storage/handoff.py)
    HANDOFF_SCHEMA,
)


async def schema_version(connection: Connection) -> int:
    async with connection.db.execute("PRAGMA user_version") as cur:
        row = await cur.fetchone()
    return int(row[0])


async def migrate(connection: Connection, path: object = "the database") -> int:
    """Apply pending migrations; returns the resulting schema version.

    Raises :class:`StorageUnusable` if the database is newer than this code knows,
    is no SQLite database, or cannot be written.
    """
    try:
        version = await schema_version(connection)
        if version > len(MIGRATIONS):
            raise StorageUnusable(
                f"the database {path} has schema version {version}, newer than this "
                f"bot knows ({len(MIGRATIONS)}); run the newer bot version that wrote it, "
                "or restore a backup made for this version"
            )
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            await connection.db.executescript(
                f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;"
            )
        if version == len(MIGRATIONS):
            # Nothing to migrate: still find out now whether the file can be written
            # (a read-only file or mount), not at the first user's message.
            await connection.db.execute("BEGIN IMMEDIATE")
            await connection.db.execute("ROLLBACK")
    except sqlite3.Error as exc:
        raise StorageUnusable(describe_open_error(path, exc)) from None
    return len(MIGRATIONS)

"""``newcomer-bot backup FILE`` and ``newcomer-bot restore FILE``.

Backup: SQLite's online backup API (:meth:`sqlite3.Connection.backup`) copies the
database in one step, inside one read transaction, so the copy is one consistent
moment of the running bot's database (WAL mode: the bot keeps writing meanwhile,
nothing waits). The copy is checked with ``PRAGMA integrity_check``, switched to
a self-contained file (no ``-wal`` beside it) and only then renamed to ``FILE``:
a ``FILE`` that exists is a complete, checked backup.

Restore: refuses while anything has the database open (the bot included: stop it
first), checks the backup's integrity before touching anything, keeps the
current database as ``<database>.bak`` and copies the backup in, again through
the backup API, so SQLite itself replaces the pages and no stale ``-wal`` file
can be applied to the new content.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import sqlite3
from pathlib import Path


class BackupError(Exception):
    """The operation did not happen; the message is one line for the operator."""


@dataclasses.dataclass(frozen=True)
class Summary:
    """What a backup or restore wrote: the file, its size, schema version and rows."""

    path: Path
    bytes: int
    schema_version: int
    users: int
    outbox: int

    def __str__(self) -> str:
        return (
            f"{self.path}: {self.bytes:,} bytes, schema version {self.schema_version}, "
            f"{self.users} users, {self.outbox} outbox rows, integrity ok"
        )


def _integrity(db: sqlite3.Connection, what: str) -> None:
    rows = [row[0] for row in db.execute("PRAGMA integrity_check")]
    if rows != ["ok"]:
        raise BackupError(f"{what} is damaged: {'; '.join(rows[:3])}")


def _count(db: sqlite3.Connection, table: str) -> int:
    try:
        return db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    except sqlite3.OperationalError:  # an empty database: no such table
        return 0


def _summary(path: Path, db: sqlite3.Connection) -> Summary:
    return Summary(
        path,
        path.stat().st_size,
        db.execute("PRAGMA user_version").fetchone()[0],
        _count(db, "users"),
        _count(db, "outbox"),
    )


def backup(database: Path, target: Path) -> Summary:
    """Copy the (possibly running) ``database`` to ``target``; raise BackupError."""
    database, target = Path(database), Path(target)
    if not database.is_file():
        raise BackupError(f"there is no database at {database} (set BOT_DATABASE or --database)")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        source = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=30)
        copy = sqlite3.connect(partial, isolation_level=None)
        try:
            source.backup(copy)  # all pages in one step: one consistent snapshot
            _integrity(copy, "the copy")
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            if copy.execute("PRAGMA user_version").fetchone()[0] == 0:
                raise BackupError(f"{database} holds no bot database (schema version 0)")
        finally:
            copy.close()
            source.close()
        with open(partial, "rb") as f:
            os.fsync(f.fileno())
        partial.replace(target)
    except sqlite3.Error as exc:
        raise BackupError(f"could not back up {database}: {exc}") from None
    except OSError as exc:
        raise BackupError(f"could not write {target}: {exc.strerror}") from None
    finally:
        partial.unlink(missing_ok=True)
    with contextlib.closing(sqlite3.connect(f"file:{target}?mode=ro", uri=True)) as db:
        return _summary(target, db)


def restore(source: Path, database: Path) -> Summary:
    """Replace ``database`` with the backup ``source``; the old one goes to
    ``<database>.bak``. Raise BackupError (and change nothing) if the backup is
    damaged or the database is in use."""
    source, database = Path(source), Path(database)
    if not source.is_file():
        raise BackupError(f"there is no backup at {source}")
    try:
        backup_db = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise BackupError(f"cannot open the backup {source}: {exc}") from None
    with contextlib.closing(backup_db):
        try:
            _integrity(backup_db, f"the backup {source}")
            if backup_db.execute("PRAGMA user_version").fetchone()[0] == 0:
                raise BackupError(f"{source} is no backup of the bot's database")
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"the backup {source} is not a usable database: {exc}") from None
        database.parent.mkdir(parents=True, exist_ok=True)
        live = sqlite3.connect(database, isolation_level=None, timeout=0)
        with contextlib.closing(live):
            try:
                # Held until closed: nobody else can open the database meanwhile.
                live.execute("PRAGMA locking_mode=EXCLUSIVE")
                live.execute("BEGIN EXCLUSIVE")
                live.execute("COMMIT")
            except sqlite3.OperationalError as exc:
                if "locked" in str(exc) or "busy" in str(exc):
                    raise BackupError(
                        f"{database} is in use: stop the bot first, then restore"
                    ) from None
                raise BackupError(f"cannot open {database}: {exc}") from None
            if live.execute("PRAGMA user_version").fetchone()[0] > 0:
                keep = database.with_name(database.name + ".bak")
                with contextlib.closing(sqlite3.connect(keep)) as old:
                    live.backup(old)
            try:
                backup_db.backup(live)
                _integrity(live, f"the restored {database}")
            except sqlite3.Error as exc:
                raise BackupError(f"could not restore into {database}: {exc}") from None
            return _summary(database, live)

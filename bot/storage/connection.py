"""The one SQLite connection the bot uses, and how tasks share it.

One connection serves every task (updates of different chats, the delivery
worker, jobs). A statement run while another task's transaction is open would
join it (and be rolled back with it), and a second ``BEGIN`` would fail. So a
transaction has the connection to itself (:meth:`Connection.transaction`);
single statements, which commit on their own, run side by side (aiosqlite
queues them in its thread) but not inside another task's transaction
(:meth:`Connection.writing`).

Time comes from the injected ``clock`` (Unix seconds), never from the system
clock directly, so tests and the bot's own clock agree.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import aiosqlite

Clock = Callable[[], float]


class StorageUnusable(Exception):
    """The database cannot be used at all (not a database, read-only, too new).

    ``str(exc)`` is one line for an operator: what is wrong, which file, what to do.
    """


def describe_open_error(path: str | Path, exc: BaseException) -> str:
    """One line saying what is wrong with the database at ``path`` and what to do."""
    message = str(exc).lower()
    if "not a database" in message or "malformed" in message or "encrypted" in message:
        return (
            f"the database {path} is damaged or not an SQLite database ({exc}); "
            "restore it from a backup, or move it away to start with an empty one"
        )
    if "readonly" in message or "read-only" in message or "read only" in message:
        return (
            f"the database {path} cannot be written ({exc}); make the file and its "
            "folder writable for the bot's user (is the volume mounted read-only?)"
        )
    if "unable to open" in message or isinstance(exc, OSError):
        return (
            f"the database {path} cannot be opened ({exc}); check that its folder "
            "exists and is writable for the bot's user"
        )
    if "full" in message:
        return f"the disk holding the database {path} is full ({exc}); free some space"
    return f"the database {path} cannot be used ({type(exc).__name__}: {exc})"


class Connection:
    """An aiosqlite connection with transactions that have it to themselves.

    ``clock()`` is the time the repositories stamp rows with (Unix seconds).
    ``on_rollback`` callbacks run after a transaction was rolled back (caches
    that remembered its writes forget them).
    """

    def __init__(self, db: aiosqlite.Connection, clock: Clock = time.time):
        self.db = db
        self.clock = clock
        self.on_rollback: list[Callable[[], None]] = []
        self._transaction_task: asyncio.Task | None = None
        self._no_transaction = asyncio.Event()
        self._no_transaction.set()
        self._statements = 0  # single writing statements under way
        self._no_statements = asyncio.Event()
        self._no_statements.set()

    @classmethod
    async def open(cls, path: str | Path, clock: Clock = time.time) -> Connection:
        """Open (creating folders and file as needed) and set WAL, synchronous=NORMAL,
        foreign keys and a 5 s busy timeout. ``path`` may be ``":memory:"``.

        Raises :class:`StorageUnusable` if the file cannot be opened or is no database.
        """
        try:
            if str(path) != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            db = await aiosqlite.connect(str(path), isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise StorageUnusable(describe_open_error(path, exc)) from None
        try:
            db.row_factory = aiosqlite.Row
            await db.execute("PRAGMA journal_mode=WAL")
            # NORMAL is durable against process crashes in WAL mode (only an OS crash
            # may lose the last commits), which is what "kill -9 loses nothing" needs.
            await db.execute("PRAGMA synchronous=NORMAL")
            await db.execute("PRAGMA foreign_keys=ON")
            await db.execute("PRAGMA busy_timeout=5000")
        except sqlite3.Error as exc:
            # Closed here, or aiosqlite's (non-daemon) thread keeps the process alive.
            await db.close()
            raise StorageUnusable(describe_open_error(path, exc)) from None
        except BaseException:
            await db.close()
            raise
        return cls(db, clock)

    async def close(self) -> None:
        await self.db.close()

    def now(self) -> float:
        return self.clock()

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        """``BEGIN IMMEDIATE`` … ``COMMIT``, or ``ROLLBACK`` if the block raises (the
        exception propagates). Starts once other tasks' transactions and statements
        under way have ended; theirs wait until it ends. This task's own writes
        (:meth:`writing`) run inside it. Not reentrant."""
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
                for forget in self.on_rollback:
                    forget()
                raise
        finally:
            self._transaction_task = None
            self._no_transaction.set()

    @contextlib.asynccontextmanager
    async def writing(self) -> AsyncIterator[None]:
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

    async def write(self, sql: str, parameters: tuple = ()) -> int:
        """Run one writing statement (see :meth:`writing`); returns the rows it changed."""
        async with self.writing():
            cursor = await self.db.execute(sql, parameters)
            return cursor.rowcount

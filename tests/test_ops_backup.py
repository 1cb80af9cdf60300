"""Backups of the running database, and restoring them.

The broadcast runs in the real delivery worker in a subprocess
(tests/delivery_process.py) against the Bot API stand-in, as in the kill -9 test.
"""

from __future__ import annotations

import asyncio
import collections
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.devtools.fake_bot_api import FakeBotApi
from bot.ops.backup import BackupError, backup, restore
from bot.storage import Storage
from tests.conftest import ROOT
from tests.test_delivery_crash import (
    SUBSCRIBERS,
    make_outbox,
    sent_per_chat,
    start_worker,
    stop,
    wait_until_each_chat_received,
)


def outbox(path: Path) -> dict[int, str]:
    """chat id → status of every outbox row."""
    with sqlite3.connect(path) as db:
        return dict(db.execute("SELECT chat_id, status FROM outbox"))


async def finish(worker) -> None:
    """Wait for a delivery worker to leave by itself (it does once nothing is pending)."""
    async with asyncio.timeout(15):
        assert await worker.process.wait() == 0


async def test_a_backup_taken_during_a_broadcast_restores_with_nothing_lost(tmp_path):
    db, copy = tmp_path / "bot.sqlite3", tmp_path / "backups" / "nightly.sqlite3"
    await make_outbox(db)
    api = await FakeBotApi().start()
    workers = []
    try:
        workers.append(await start_worker(db, api.base_url))
        await api.wait_count("sendMessage", 60, timeout=15)
        summary = backup(db, copy)  # while the worker keeps sending
        received_by_then = set(sent_per_chat(api))
        await finish(workers[0])
        first_run = sent_per_chat(api)
        assert set(first_run) == set(SUBSCRIBERS)

        assert summary.outbox == len(SUBSCRIBERS)
        assert not Path(f"{copy}-wal").exists(), "the backup is one self-contained file"
        in_copy = outbox(copy)
        assert set(in_copy) == set(SUBSCRIBERS), "every outbox row is in the backup"
        sent = {chat for chat, status in in_copy.items() if status == "sent"}
        pending = {chat for chat, status in in_copy.items() if status == "pending"}
        assert sent | pending == set(SUBSCRIBERS)
        assert sent, "the backup was taken mid-broadcast"
        assert pending, "the backup was taken mid-broadcast"
        # "sent" in the backup means Telegram had accepted it when the copy was made
        assert sent <= received_by_then

        restored = restore(copy, db)
        assert restored.outbox == len(SUBSCRIBERS)
        assert outbox(db) == in_copy
        assert outbox(Path(f"{db}.bak")) == dict.fromkeys(SUBSCRIBERS, "sent")

        # The bot resumes from the restored outbox: exactly the rows pending in the
        # backup go out again, none of those it had recorded as sent.
        before = collections.Counter(first_run)
        workers.append(await start_worker(db, api.base_url))
        await wait_until_each_chat_received(api, set(SUBSCRIBERS), timeout=15)
        await finish(workers[1])
    finally:
        for worker in workers:
            await stop(worker.process)
        await api.stop()
    second_run = sent_per_chat(api) - before
    assert set(second_run) == pending
    assert outbox(db) == dict.fromkeys(SUBSCRIBERS, "sent")


async def test_restore_refuses_while_the_bot_has_the_database_open(tmp_path):
    db, copy = tmp_path / "bot.sqlite3", tmp_path / "copy.sqlite3"
    storage = await Storage.open(db)
    try:
        await storage.save_user(1, language="de")
        backup(db, copy)
        with pytest.raises(BackupError, match="in use: stop the bot first"):
            restore(copy, db)
        assert await storage.get_user(1) is not None
    finally:
        await storage.close()
    assert not Path(f"{db}.bak").exists()


@pytest.mark.parametrize(
    "content",
    [b"", b"not a database at all" * 100, b"SQLite format 3\x00" + b"\x00" * 200],
    ids=["empty", "text", "truncated"],
)
async def test_restore_refuses_a_damaged_backup_and_changes_nothing(tmp_path, content):
    db, broken = tmp_path / "bot.sqlite3", tmp_path / "broken.sqlite3"
    storage = await Storage.open(db)
    await storage.save_user(1, language="de")
    await storage.close()
    broken.write_bytes(content)
    with pytest.raises(BackupError):
        restore(broken, db)
    assert not Path(f"{db}.bak").exists()
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM users").fetchone()[0] == 1


def test_backup_of_a_missing_database_says_so(tmp_path):
    with pytest.raises(BackupError, match="no database"):
        backup(tmp_path / "nothing.sqlite3", tmp_path / "copy.sqlite3")
    assert not (tmp_path / "copy.sqlite3").exists()


async def test_cli_backup_and_restore(tmp_path):
    db, copy = tmp_path / "bot.sqlite3", tmp_path / "copy.sqlite3"
    storage = await Storage.open(db)
    await storage.save_user(7, language="uk", municipality="remich")
    await storage.close()

    def cli(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "bot", *args, "--database", str(db)],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )

    done = cli("backup", str(copy))
    assert done.returncode == 0, done.stderr
    assert "1 users" in done.stdout and "integrity ok" in done.stdout
    storage = await Storage.open(db)
    await storage.forget_user(7)
    await storage.close()
    done = cli("restore", str(copy))
    assert done.returncode == 0, done.stderr
    assert ".bak" in done.stdout
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT user_id FROM users").fetchall() == [(7,)]
    done = cli("restore", str(tmp_path / "missing.sqlite3"))
    assert done.returncode == 1 and done.stderr.startswith("newcomer-bot: there is no backup")

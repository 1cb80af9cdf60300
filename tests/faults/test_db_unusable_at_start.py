"""`newcomer-bot run` with a database it cannot use exits at once, non-zero, with one
clear line (what, which file, what to do) and no traceback (issue 10).

Before, the process printed a traceback and stayed alive without polling, so a
supervisor never restarted it. The bot is run as a subprocess with a fake token and
a Bot API address on 127.0.0.1 where nothing listens: it must stop before polling.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def unused_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_bot(database: Path, *, command: list[str] | None = None) -> subprocess.CompletedProcess:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(ROOT),
        "TELEGRAM_BOT_TOKEN": "123456:not-a-real-token",
        "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{unused_port()}/bot",
        "BOT_DATABASE": str(database),
        "BOT_CONTENT_DIR": str(ROOT / "content"),
        "BOT_STAFF_FILE": str(database.parent / "staff.yaml"),
        "BOT_WATCH_CONTENT": "0",
    }
    return subprocess.run(
        command or [sys.executable, "-m", "bot", "run"],
        cwd=database.parent,  # no .env of the developer's
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def assert_one_clear_line(result: subprocess.CompletedProcess, database: Path, *words: str):
    assert result.returncode != 0
    assert "Traceback" not in result.stderr + result.stdout
    ours = [line for line in result.stderr.splitlines() if line.startswith("newcomer-bot:")]
    assert len(ours) == 1, result.stderr
    line = ours[0]
    assert str(database) in line
    for word in words:
        assert word in line, line
    assert "restore" in line or "make " in line or "run " in line, "it says what to do"


def test_random_bytes_instead_of_a_database(tmp_path):
    database = tmp_path / "bot.sqlite3"
    database.write_bytes(os.urandom(8192))
    assert_one_clear_line(run_bot(database), database, "not an SQLite database")


def test_a_schema_newer_than_the_code(tmp_path):
    database = tmp_path / "bot.sqlite3"
    with sqlite3.connect(database) as raw:
        raw.execute("PRAGMA user_version = 99")
    assert_one_clear_line(run_bot(database), database, "schema version 99", "newer")


def test_a_read_only_database(tmp_path):
    """The database's folder mounted read-only; as an ordinary user, file and folder
    without write permission is the same to SQLite (root ignores permissions, so as
    root the folder really is bind-mounted read-only, in a private mount namespace)."""
    folder = tmp_path / "data"
    folder.mkdir()
    database = folder / "bot.sqlite3"
    with sqlite3.connect(database) as raw:
        raw.execute("CREATE TABLE t (x)")
    if os.geteuid() == 0:
        mount = (
            f"mount --bind {folder} {folder} && mount -o remount,bind,ro {folder} {folder} && "
            f"exec {sys.executable} -m bot run"
        )
        result = run_bot(database, command=["unshare", "--mount", "sh", "-c", mount])
    else:
        database.chmod(0o444)
        folder.chmod(0o555)
        try:
            result = run_bot(database)
        finally:
            folder.chmod(0o755)
    assert_one_clear_line(result, database, "cannot be written")

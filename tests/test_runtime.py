"""Running the bot: settings, the database, errors, logs without secrets or texts."""

from __future__ import annotations

import logging
import sqlite3
import subprocess
import sys

import pytest

from bot.config import ConfigError, Settings
from bot.devtools.sandbox import TEST_TOKEN, Sandbox
from bot.storage import Storage
from bot.storage.migrations import MIGRATIONS
from bot.views import newcomer as views
from tests.conftest import clock, last_text


def test_missing_token_is_one_clear_line_and_exit_2(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        capture_output=True,
        text=True,
        cwd=tmp_path,  # no .env here
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(sys.path[0])},
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "TELEGRAM_BOT_TOKEN" in lines[0] and "BotFather" in lines[0]


def test_settings_from_environment():
    settings = Settings.from_env(
        {
            "TELEGRAM_BOT_TOKEN": "1:abc",
            "TELEGRAM_API_BASE_URL": "http://127.0.0.1:8081/bot",
            "BOT_DATABASE": "/tmp/x.sqlite3",
            "BOT_BROADCAST_RATE": "1000",
        }
    )
    assert settings.api_base_url == "http://127.0.0.1:8081/bot"
    assert settings.broadcast_rate == 1000
    assert "1:abc" not in repr(settings), "the token never shows up in logs or tracebacks"
    with pytest.raises(ConfigError):
        Settings.from_env({"TELEGRAM_BOT_TOKEN": "1:abc", "BOT_BROADCAST_RATE": "fast"})


async def test_database_is_wal_and_migrates_forward(tmp_path):
    path = tmp_path / "old.sqlite3"
    # A database left by version 1 of the schema, with a user in it.
    raw = sqlite3.connect(path)
    raw.executescript(MIGRATIONS[0] + "PRAGMA user_version = 1;")
    raw.execute(
        "INSERT INTO users (user_id, language, created_at, updated_at) VALUES (5, 'ar', 0, 0)"
    )
    raw.commit()
    raw.close()
    storage = await Storage.open(path)
    try:
        assert await storage.schema_version() == len(MIGRATIONS)
        async with storage.db.execute("PRAGMA journal_mode") as cur:
            assert (await cur.fetchone())[0] == "wal"
        user = await storage.get_user(5)
        assert user.language == "ar", "migrations keep existing users"
    finally:
        await storage.close()


async def test_only_the_minimum_is_stored_about_a_user(sandbox):
    await sandbox.text(55, "/start", language_code="uk")
    await sandbox.text(55, "Remich", language_code="uk")
    await sandbox.text(55, "де вивчити французьку", language_code="uk")
    async with sandbox.storage.db.execute("SELECT * FROM users") as cur:
        columns = [d[0] for d in cur.description]
        rows = await cur.fetchall()
    assert set(columns) == {
        "user_id", "language", "municipality", "subscribed", "asked_subscribe",
        "created_at", "updated_at",
    }  # fmt: skip
    assert tuple(rows[0])[:3] == (55, "uk", "remich")


async def test_a_failing_update_gets_an_apology_and_the_bot_goes_on(sandbox, caplog, monkeypatch):
    caplog.set_level(logging.DEBUG)
    await sandbox.storage.save_user(66, language="ar", municipality="remich")
    original = views.main_menu

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(views, "main_menu", broken)
    calls = await sandbox.text(66, "/menu secret words")
    apology = last_text(calls)
    assert "\u0600" <= apology[1] <= "\u06ff", "the apology is in the user's language"
    record = next(r for r in caplog.records if "error while handling update" in r.getMessage())
    assert "(message)" in record.getMessage()
    monkeypatch.setattr(views, "main_menu", original)
    calls = await sandbox.text(66, "/menu")
    assert any(c.buttons for c in calls), "the next update is served normally"
    # At the levels the bot logs at (INFO and up; see bot.cli.main.configure_logging).
    logged = "\n".join(r.getMessage() for r in caplog.records if r.levelno >= logging.INFO)
    assert "secret words" not in logged, "message texts never reach the logs"


async def test_token_and_texts_never_reach_the_logs(snapshot, tmp_path, caplog):
    from bot.cli.main import configure_logging

    configure_logging()
    caplog.set_level(logging.DEBUG)
    box = await Sandbox.create(snapshot, database=tmp_path / "db.sqlite3", clock=clock)
    try:
        await box.text(77, "/start", language_code="de")
        await box.text(77, "Mein Name ist Amina, wo ist der Deutschkurs?")
    finally:
        await box.close()
    logged = "\n".join(r.getMessage() for r in caplog.records if r.levelno >= logging.INFO)
    assert TEST_TOKEN not in logged
    assert "Amina" not in logged

"""The bot token never reaches the log, the terminal or staff chats."""

from __future__ import annotations

import asyncio
import io
import logging
import os
import sys
from pathlib import Path

import pytest

from bot import logging_privacy
from bot.handlers import errors
from tests.botapi_faults import FaultyBotApi
from tests.conftest import staffed_sandbox

ROOT = Path(__file__).resolve().parents[2]
# Built from parts so that no token-shaped string sits in the repository (secret scanners).
TOKEN = "8123456789" + ":" + "AAH-s3cr3t_Value-0123456789abcdefghi"
SECRET = TOKEN.partition(":")[2]


async def run_bot(tmp_path: Path, base_url: str) -> tuple[int, str]:
    """``python -m bot run`` against ``base_url``; its exit code and all its output."""
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": base_url,
        "BOT_CONTENT_DIR": str(ROOT / "content"),
        "BOT_DATABASE": str(tmp_path / "bot.sqlite3"),
        "BOT_WATCH_CONTENT": "0",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run",
        cwd=tmp_path, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    output, _ = await asyncio.wait_for(process.communicate(), 120)
    return process.returncode, output.decode("utf-8", "replace")


@pytest.mark.parametrize("status", [401, 404])
async def test_a_rejected_token_is_not_printed(tmp_path, status):
    """Telegram answers 401 for a revoked token, 404 for a wrong base URL; either way
    python-telegram-bot raises "The token `…` was rejected by the server"."""
    api = await FaultyBotApi().start()
    api.fail(error_code=status, times=1000)
    try:
        code, output = await run_bot(tmp_path, api.base_url)
    finally:
        await api.stop()
    assert any(c.method == "getMe" for c in api.calls), "the bot did ask Telegram"
    assert SECRET not in output, output
    assert code == 2
    assert "rejected the bot token" in output


def test_the_filter_masks_message_arguments_and_tracebacks():
    stream = io.StringIO()
    logger = logging.getLogger("test_token_logs")
    logger.propagate = False
    handler = logging.StreamHandler(stream)
    logger.addHandler(handler)
    try:
        logging_privacy.install(TOKEN, logger)
        logger.warning("calling %s/sendMessage", f"https://api.telegram.org/bot{TOKEN}")
        logger.warning(f"quoted: {TOKEN.replace(':', '%3A')}")
        try:
            raise RuntimeError(f"The token `{TOKEN}` was rejected by the server.")
        except RuntimeError:
            logger.exception("start failed")
        logger.warning("bare secret %s and %r", SECRET, {"token": TOKEN})
    finally:
        logger.removeHandler(handler)
    text = stream.getvalue()
    assert SECRET not in text
    assert text.count("***") >= 5
    assert "RuntimeError: The token `***` was rejected" in text
    assert "calling https://api.telegram.org/bot***/sendMessage" in text


ADMIN = 4242


async def test_admins_hear_the_error_class_only(snapshot, tmp_path):
    """An error whose text contains the token reaches admins as its class name only."""
    box = await staffed_sandbox(snapshot, tmp_path, {ADMIN: "admin"})
    api = box.api
    errors._last_notice = 0.0
    try:
        api.fail("sendMessage", chat_id=4343, error_code=400, description=f"Bad Request: {TOKEN}")
        await box.text(4343, "/help", language_code="en")
        notice = await api.wait_for(lambda c: c.method == "sendMessage" and c.chat_id == ADMIN)
        assert "BadRequest" in notice.text
        assert SECRET not in notice.text
    finally:
        await box.close()

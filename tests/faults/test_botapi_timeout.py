"""A Bot API call that never gets an answer ends with a timeout; nobody else waits for it."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest

from bot.devtools.sandbox import Sandbox
from bot.telegram.request import AiohttpRequest
from tests.botapi_faults import FaultyBotApi
from tests.conftest import clock

POOL = 32  # the interactive Bot's connections (bot/app.py)
HUNG_USERS = range(5000, 5000 + POOL)
OTHER = 6001


@pytest.fixture
async def box(snapshot, tmp_path):
    sandbox = await Sandbox.create(
        snapshot,
        database=tmp_path / "bot.sqlite3",
        clock=clock,
        # Short read timeout so the test is quick; the pool wait is long enough that
        # only a request that is never answered can make others time out.
        settings={"read_timeout": 0.5, "pool_timeout": 5.0},
        api=await FaultyBotApi().start(),
    )
    try:
        yield sandbox
    finally:
        await sandbox.close()


async def test_hung_replies_time_out_and_others_are_answered(box, caplog):
    caplog.set_level(logging.INFO)
    for user in HUNG_USERS:
        box.api.hang("sendMessage", chat_id=user)
    # As many people as the pool has connections, each reply hanging.
    hung = asyncio.gather(*(box.text(user, "/start", language_code="en") for user in HUNG_USERS))
    await box.api.wait_hung(POOL)

    started = time.monotonic()
    calls = await box.text(OTHER, "/start", language_code="en")
    waited = time.monotonic() - started
    assert any(c.method == "sendMessage" and c.chat_id == OTHER and c.result for c in calls)
    # A hung request holds its slot for at most its read timeout (0.5 s) twice over
    # (the reply, then the apology): others are answered well within that.
    assert waited < 3.0, f"another newcomer waited {waited:.1f} s behind hung requests"

    await asyncio.wait_for(hung, 10)  # every hung update was handled to the end
    errors = [r for r in caplog.records if r.name == "bot.handlers.errors"]
    assert any("TimedOut" in r.getMessage() for r in errors)
    for user in HUNG_USERS:
        tried = [m for m, chat in box.api.hung if chat == user]
        assert len(tried) == 2, "the reply timed out, then the apology did (no third try)"
    for call in box.api.calls:
        assert "Traceback" not in str(call.params.get("text", ""))


async def test_per_call_timeouts_win_over_defaults():
    """python-telegram-bot's per-call values are honoured: a 0.2 s read timeout for one
    call ends it in about 0.2 s although the default is 5 s."""
    api = await FaultyBotApi().start()
    api.hang("getMe")
    request = AiohttpRequest(connection_pool_size=1)
    await request.initialize()
    try:
        started = time.monotonic()
        from telegram.error import TimedOut

        with pytest.raises(TimedOut):
            await request.post(f"{api.base_url}123:x/getMe", read_timeout=0.2)
        assert time.monotonic() - started < 2.0
        # The hung call gave its only slot back: the next one is not refused for the pool.
        api._hangs.clear()
        assert await request.post(f"{api.base_url}123:x/getMe", read_timeout=2) is not None
    finally:
        await request.shutdown()
        await api.stop()

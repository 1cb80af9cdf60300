"""Telegram's flood control (429 with retry_after) for one chat pauses that chat only."""

from __future__ import annotations

import asyncio
import time

import pytest
from telegram.error import RetryAfter

from bot.devtools.sandbox import Sandbox
from bot.telegram.rate_limiter import PerChatRateLimiter
from tests.botapi_faults import FaultyBotApi
from tests.conftest import clock

FLOODER, OTHER = 7101, 7102


@pytest.fixture
async def box(snapshot, tmp_path):
    sandbox = await Sandbox.create(
        snapshot, database=tmp_path / "bot.sqlite3", clock=clock, api=await FaultyBotApi().start()
    )
    try:
        yield sandbox
    finally:
        await sandbox.close()


def delivered(box, chat_id: int):
    return [
        c for c in box.api.calls if c.method == "sendMessage" and c.chat_id == chat_id and c.result
    ]


async def test_one_chats_flood_control_does_not_slow_down_others(box):
    box.api.flood(3, chat_id=FLOODER)
    flooder = asyncio.create_task(box.text(FLOODER, "/help", language_code="en", timeout=15))
    refused = await box.api.wait_for(lambda c: c.chat_id == FLOODER and c.method == "sendMessage")
    assert refused.result is None, "Telegram refused the flooder's message (429)"

    started = time.monotonic()
    await box.text(OTHER, "/help", language_code="en")
    waited = time.monotonic() - started
    assert delivered(box, OTHER), "the other newcomer got the help text"
    assert waited < 1.0, f"another chat waited {waited:.1f} s for the flooder's 3 s pause"

    await flooder
    [reply] = delivered(box, FLOODER)
    assert reply.at - refused.at >= 3.0, "the flooder's chat waited what Telegram asked"
    assert reply.at - refused.at < 5.0


async def _ok() -> bool:
    return True


async def test_a_limit_without_a_chat_pauses_the_whole_bot():
    """answerCallbackQuery, getMe, ... have no chat: their 429 is the bot's, for all chats."""
    limiter = PerChatRateLimiter(max_retries=1)
    failures = [RetryAfter(1)]

    async def once_limited() -> bool:
        if failures:
            raise failures.pop()
        return True

    first = asyncio.create_task(
        limiter.process_request(once_limited, (), {}, "answerCallbackQuery", {}, None)
    )
    await asyncio.sleep(0)  # let it fail once and pause
    while not limiter._bot_paused_until:
        await asyncio.sleep(0)
    started = time.monotonic()
    assert await limiter.process_request(_ok, (), {}, "sendMessage", {"chat_id": 5}, None)
    assert time.monotonic() - started >= 1.0, "a chat's call waited for the bot's pause"
    assert await first


async def test_gives_up_after_max_retries():
    limiter = PerChatRateLimiter(max_retries=0)

    async def limited() -> bool:
        raise RetryAfter(1)

    with pytest.raises(RetryAfter):
        await limiter.process_request(limited, (), {}, "sendMessage", {"chat_id": 9}, None)
    assert limiter.paused_chats() == 1
    started = time.monotonic()
    assert await limiter.process_request(_ok, (), {}, "sendMessage", {"chat_id": 10}, None)
    assert time.monotonic() - started < 0.5, "only chat 9 is paused"


async def test_groups_keep_telegrams_20_per_minute():
    limiter = PerChatRateLimiter()
    for _ in range(20):
        await limiter.process_request(_ok, (), {}, "sendMessage", {"chat_id": -100}, None)
    twenty_first = asyncio.create_task(
        limiter.process_request(_ok, (), {}, "sendMessage", {"chat_id": -100}, None)
    )
    other_group = await limiter.process_request(_ok, (), {}, "sendMessage", {"chat_id": -200}, None)
    assert other_group and not twenty_first.done(), "the 21st message of a minute waits"
    twenty_first.cancel()

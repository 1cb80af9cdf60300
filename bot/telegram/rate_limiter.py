"""Telegram's flood control for one chat pauses that chat only.

python-telegram-bot's :class:`telegram.ext.AIORateLimiter` stops *every* request
for ``retry_after`` seconds whenever Telegram answers 429 (its documentation says
so). Telegram's limits are mostly per chat (about one message a second in a
private chat, 20 a minute in a group), so one person who floods the bot made
everyone else wait: a ``retry_after`` of 3 s for the flooder's chat raised every
other newcomer's reply time from 25 ms to 3 s.

:class:`PerChatRateLimiter` pauses only the chat the 429 was for; a 429 for a
method without ``chat_id`` (e.g. ``answerCallbackQuery``, ``getMe``) is taken as a
limit on the whole bot and pauses everything, as AIORateLimiter does. Like
AIORateLimiter it keeps groups and channels under 20 messages a minute (with
aiolimiter, as python-telegram-bot does), can throttle the whole bot
(``overall_max_rate``, off by default here: announcements have their own limiter)
and retries a request up to ``max_retries`` times after the pause.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import time
from collections.abc import Callable, Coroutine
from typing import Any

from aiolimiter import AsyncLimiter
from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)

#: Telegram: at most 20 messages a minute in one group (Bot FAQ,
#: telegram.constants.FloodLimit.MESSAGES_PER_MINUTE_PER_GROUP).
GROUP_MAX_RATE = 20
GROUP_TIME_PERIOD = 60.0
#: Waited on top of Telegram's ``retry_after`` (as AIORateLimiter does).
RETRY_MARGIN = 0.1
#: Tables above this size are pruned of entries that no longer limit anything.
PRUNE_ABOVE = 512

_JSON = bool | dict[str, Any] | list[dict[str, Any]]


def retry_after_seconds(exc: RetryAfter) -> float:
    """Telegram's ``retry_after`` in seconds (an int or a timedelta, by PTB version)."""
    value = getattr(exc, "_retry_after", None)
    if value is None:
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


def chat_key(data: dict[str, Any]) -> int | str | None:
    """The chat a request goes to (an int id, or an ``@channel`` name), None if none."""
    chat_id = data.get("chat_id")
    if chat_id is None:
        return None
    with contextlib.suppress(TypeError, ValueError):
        return int(chat_id)
    return str(chat_id)


class PerChatRateLimiter(BaseRateLimiter[int]):
    """python-telegram-bot rate limiter whose 429 pauses are per chat.

    ``max_retries``: retries after a 429 (then the RetryAfter is raised); a call's
    ``rate_limit_args`` overrides it. ``overall_max_rate`` per ``overall_time_period``
    (0: no limit) throttles every request that has a chat, ``group_max_rate`` per
    ``group_time_period`` each group or channel.
    """

    def __init__(
        self,
        *,
        max_retries: int = 2,
        overall_max_rate: float = 0,
        overall_time_period: float = 1.0,
        group_max_rate: float = GROUP_MAX_RATE,
        group_time_period: float = GROUP_TIME_PERIOD,
        clock: Callable[[], float] = time.monotonic,
    ):
        self._max_retries = max_retries
        self._overall = (
            AsyncLimiter(overall_max_rate, overall_time_period)
            if overall_max_rate and overall_time_period
            else None
        )
        self._group_rate = (group_max_rate, group_time_period)
        self._groups: dict[int | str, AsyncLimiter] = {}
        #: chat -> monotonic time until which Telegram asked us not to send there.
        self._paused: dict[int | str, float] = {}
        #: until when the whole bot is paused (a 429 without a chat).
        self._bot_paused_until = 0.0
        self._clock = clock

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    def paused_chats(self) -> int:
        """Chats with a pause that has not run out (for tests and monitoring)."""
        now = self._clock()
        return sum(1 for until in self._paused.values() if until > now)

    def _group_limiter(self, chat: int | str) -> AsyncLimiter:
        limiter = self._groups.get(chat)
        if limiter is None:
            if len(self._groups) > PRUNE_ABOVE:
                # A limiter with all its capacity back remembers nothing worth keeping.
                for key, old in list(self._groups.items()):
                    if old.has_capacity(old.max_rate):
                        del self._groups[key]
            limiter = self._groups[chat] = AsyncLimiter(*self._group_rate)
        return limiter

    def _pause(self, chat: int | str | None, seconds: float) -> None:
        until = self._clock() + seconds + RETRY_MARGIN
        if chat is None:
            self._bot_paused_until = max(self._bot_paused_until, until)
            return
        if len(self._paused) > PRUNE_ABOVE:
            now = self._clock()
            self._paused = {k: v for k, v in self._paused.items() if v > now}
        self._paused[chat] = max(self._paused.get(chat, 0.0), until)

    async def _wait_for_pauses(self, chat: int | str | None) -> None:
        while True:
            now = self._clock()
            until = self._bot_paused_until
            if chat is not None and chat in self._paused:
                if self._paused[chat] <= now:
                    del self._paused[chat]
                else:
                    until = max(until, self._paused[chat])
            if until <= now:
                return
            await asyncio.sleep(until - now)

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, _JSON]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> _JSON:
        max_retries = self._max_retries if rate_limit_args is None else rate_limit_args
        chat = chat_key(data)
        is_group = isinstance(chat, str) or (isinstance(chat, int) and chat < 0)
        group = (
            self._group_limiter(chat) if is_group and self._group_rate[0] else None  # type: ignore[arg-type]
        )
        overall = self._overall if chat is not None else None
        for attempt in range(max_retries + 1):
            await self._wait_for_pauses(chat)
            try:
                async with contextlib.AsyncExitStack() as stack:
                    if group is not None:
                        await stack.enter_async_context(group)
                    if overall is not None:
                        await stack.enter_async_context(overall)
                    return await callback(*args, **kwargs)
            except RetryAfter as exc:
                seconds = retry_after_seconds(exc)
                self._pause(chat, seconds)
                whom = "the whole bot" if chat is None else "one chat"
                if attempt == max_retries:
                    log.warning(
                        "%s: flood control for %s, still after %d retries", endpoint, whom, attempt
                    )
                    raise
                log.info("%s: flood control for %s, retrying in %.1f s", endpoint, whom, seconds)
        raise AssertionError("unreachable")  # pragma: no cover

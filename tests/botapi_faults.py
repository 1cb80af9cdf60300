"""Faults for the Bot API stand-in: what Telegram (or the network) does on a bad day.

:class:`FaultyBotApi` is :class:`bot.devtools.fake_bot_api.FakeBotApi` plus error
answers on demand: one-off errors (:meth:`~FaultyBotApi.fail`), users who blocked
the bot (:attr:`~FaultyBotApi.blocked`), flood control for one chat or the whole
bot for some seconds (:meth:`~FaultyBotApi.flood`, 429 with ``retry_after`` like
Telegram's), and requests that are never answered (:meth:`~FaultyBotApi.hang`).
Only tests use these, so they live here and not in the package.
"""

from __future__ import annotations

import asyncio
import dataclasses
import math
import time
from typing import Any

from bot.devtools.fake_bot_api import FakeBotApi


@dataclasses.dataclass
class Fault:
    """An error answer for the next ``times`` matching calls (None matches any)."""

    method: str | None
    chat_id: int | None
    error_code: int
    description: str
    retry_after: int | None = None
    times: int = 1


@dataclasses.dataclass
class Flood:
    """Telegram's flood control: every call (to ``chat_id``, or every call when None)
    before ``until`` (monotonic) gets 429 with the seconds left as ``retry_after``."""

    chat_id: int | None
    until: float
    methods: frozenset[str] | None = None
    refused: int = 0


class FaultyBotApi(FakeBotApi):
    """The stand-in with faults; same use as :class:`FakeBotApi`."""

    def __init__(self, *, record: bool = True):
        super().__init__(record=record)
        self.faults: list[Fault] = []
        self.floods: list[Flood] = []
        self.blocked: set[int] = set()
        self._hangs: list[tuple[str | None, int | None]] = []
        self._released = asyncio.Event()
        self._new_hang = asyncio.Condition()
        #: (method, chat_id) of every request left hanging, in arrival order.
        self.hung: list[tuple[str, Any]] = []

    def fail(
        self,
        method: str | None = None,
        *,
        chat_id: int | None = None,
        error_code: int = 429,
        description: str | None = None,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next ``times`` matching calls with an error."""
        if description is None:
            description = {
                429: f"Too Many Requests: retry after {retry_after or 1}",
                403: "Forbidden: bot was blocked by the user",
                401: "Unauthorized",
                404: "Not Found",
                400: "Bad Request: chat not found",
            }.get(error_code, "Internal Server Error")
        if error_code == 429 and retry_after is None:
            retry_after = 1
        self.faults.append(Fault(method, chat_id, error_code, description, retry_after, times))

    def flood(
        self, seconds: float, *, chat_id: int | None = None, methods: set[str] | None = None
    ) -> Flood:
        """Flood control for ``seconds`` from now: for ``chat_id`` only (Telegram's
        per-chat limit), or for every call (``chat_id`` None: the whole bot)."""
        flood = Flood(chat_id, time.monotonic() + seconds, frozenset(methods) if methods else None)
        self.floods.append(flood)
        return flood

    def hang(self, method: str | None = None, *, chat_id: int | None = None) -> None:
        """Never answer matching calls (until :meth:`stop`): a hung server or connection."""
        self._hangs.append((method, chat_id))

    async def wait_hung(self, count: int, *, timeout: float = 10.0) -> None:
        """Wait until ``count`` requests in all are hanging (or were)."""
        async with asyncio.timeout(timeout), self._new_hang:
            await self._new_hang.wait_for(lambda: len(self.hung) >= count)

    async def stop(self) -> None:
        self._released.set()
        await super().stop()

    @staticmethod
    def _matches(method: str, params: dict[str, Any], want_method, want_chat) -> bool:
        if want_method is not None and want_method != method:
            return False
        return want_chat is None or params.get("chat_id") == want_chat

    async def intercept(self, method: str, params: dict[str, Any]) -> dict[str, Any] | None:
        for want_method, want_chat in self._hangs:
            if self._matches(method, params, want_method, want_chat):
                self.hung.append((method, params.get("chat_id")))
                async with self._new_hang:
                    self._new_hang.notify_all()
                await self._released.wait()
                return {"ok": False, "error_code": 502, "description": "Bad Gateway"}
        now = time.monotonic()
        self.floods = [f for f in self.floods if f.until > now]
        for flood in self.floods:
            if flood.methods is not None and method not in flood.methods:
                continue
            if self._matches(method, params, None, flood.chat_id):
                flood.refused += 1
                seconds = max(1, math.ceil(flood.until - now))
                return self._error(429, f"Too Many Requests: retry after {seconds}", seconds)
        for fault in self.faults:
            if self._matches(method, params, fault.method, fault.chat_id):
                fault.times -= 1
                if fault.times <= 0:
                    self.faults.remove(fault)
                return self._error(fault.error_code, fault.description, fault.retry_after)
        if params.get("chat_id") in self.blocked:
            return self._error(403, "Forbidden: bot was blocked by the user")
        return None

    @staticmethod
    def _error(code: int, description: str, retry_after: int | None = None) -> dict[str, Any]:
        error: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
        if retry_after is not None:
            error["parameters"] = {"retry_after": retry_after}
        return error

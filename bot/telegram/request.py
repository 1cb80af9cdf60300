"""A python-telegram-bot request backend on aiohttp.

python-telegram-bot's default backend (httpx) costs about 1.2 ms of CPU per Bot
API call here; aiohttp's client costs a fraction of that (bench/broadcast.py,
bench/updates.py). It implements :class:`telegram.request.BaseRequest`, so the
:class:`telegram.Bot` on top stays the same. Only text requests are supported:
this bot uploads no files.

Every call is bounded in time, with python-telegram-bot's four timeouts and its
defaults (:class:`telegram.request.HTTPXRequest`): waiting for a free connection
(``pool``, 1 s), connecting (``connect``, 5 s), sending the request (``write``,
5 s) and waiting for the answer (``read``, 5 s; python-telegram-bot adds the long
polling time for ``getUpdates``). A value python-telegram-bot passes for one call
(``bot.send_message(..., read_timeout=20)``) wins over the default; None means no
limit, as in python-telegram-bot. A call over its time raises
:class:`telegram.error.TimedOut`, and its connection is closed: a request Telegram
never answers holds its own connection slot for at most connect + write + read
seconds, never anyone else's.

In webhook mode the answers to button taps are handed to the webhook's HTTP
answer instead of being sent (``replies``; bot/telegram/webhook_reply.py).
"""

from __future__ import annotations

import asyncio
import json

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from bot.telegram.webhook_reply import CARRIED, METHOD, WebhookReplies

_JSON = {"Content-Type": "application/json"}

#: python-telegram-bot's defaults (HTTPXRequest), in seconds.
DEFAULT_READ_TIMEOUT = 5.0
DEFAULT_WRITE_TIMEOUT = 5.0
DEFAULT_CONNECT_TIMEOUT = 5.0
DEFAULT_POOL_TIMEOUT = 1.0


def _pick(value: object, default: float | None) -> float | None:
    """The per-call value python-telegram-bot passed, else the default."""
    return default if isinstance(value, DefaultValue) else value  # type: ignore[return-value]


class AiohttpRequest(BaseRequest):
    """``connection_pool_size`` connections at most; timeouts in seconds (None: no limit);
    ``replies``: offer each answerCallbackQuery to a webhook answer first."""

    def __init__(
        self,
        connection_pool_size: int = 32,
        read_timeout: float | None = DEFAULT_READ_TIMEOUT,
        write_timeout: float | None = DEFAULT_WRITE_TIMEOUT,
        connect_timeout: float | None = DEFAULT_CONNECT_TIMEOUT,
        pool_timeout: float | None = DEFAULT_POOL_TIMEOUT,
        replies: WebhookReplies | None = None,
    ):
        self.replies = replies
        self._limit = connection_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        # The pool is this semaphore, so that waiting for a connection has its own
        # timeout (aiohttp counts it into the connect timeout).
        self._slots = asyncio.Semaphore(connection_pool_size)
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._limit),
                timeout=self._timeout(
                    self._read_timeout, self._write_timeout, self._connect_timeout
                ),
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    @staticmethod
    def _timeout(
        read: float | None, write: float | None, connect: float | None
    ) -> aiohttp.ClientTimeout:
        # aiohttp has no write timeout of its own: the whole exchange is bounded by
        # connect + write + read, so an answer that trickles in (each chunk within the
        # read timeout) cannot hold the connection forever either.
        parts = (read, write, connect)
        total = None if None in parts else sum(parts)  # type: ignore[arg-type]
        return aiohttp.ClientTimeout(total=total, sock_connect=connect, sock_read=read)

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: float | None = BaseRequest.DEFAULT_NONE,
        write_timeout: float | None = BaseRequest.DEFAULT_NONE,
        connect_timeout: float | None = BaseRequest.DEFAULT_NONE,
        pool_timeout: float | None = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """POST the parameters as one JSON object (the Bot API takes ``application/json``
        for every request without files); returns ``(HTTP status, body)``. Raises
        TimedOut (a timeout ran out) or NetworkError. An answerCallbackQuery a webhook
        answer takes is not sent: ``(200, b'{"ok":true,"result":true}')``."""
        if (
            self.replies is not None
            and request_data is not None
            and url.endswith(METHOD)
            and self.replies.offer(METHOD, request_data.parameters)
        ):
            return CARRIED
        if request_data is not None and request_data.contains_files:
            raise NetworkError("AiohttpRequest sends no files")
        if self._session is None:
            await self.initialize()
        # JSON, not form-encoding as python-telegram-bot's httpx backend does: one C-level
        # json.dumps instead of per-field percent-encoding, a third of this call's CPU.
        body = json.dumps(request_data.parameters if request_data else {}).encode()
        timeout = self._timeout(
            _pick(read_timeout, self._read_timeout),
            _pick(write_timeout, self._write_timeout),
            _pick(connect_timeout, self._connect_timeout),
        )
        try:
            async with asyncio.timeout(_pick(pool_timeout, self._pool_timeout)):
                await self._slots.acquire()
        except TimeoutError:
            raise TimedOut("Pool timeout: all connections to the Bot API are in use") from None
        try:
            async with self._session.request(
                method, url, data=body, headers=_JSON, timeout=timeout
            ) as response:
                return response.status, await response.read()
        except TimeoutError as exc:
            raise TimedOut from exc
        except aiohttp.ClientError as exc:
            raise NetworkError(f"aiohttp: {type(exc).__name__}") from exc
        finally:
            self._slots.release()

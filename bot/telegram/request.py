"""A python-telegram-bot request backend on aiohttp.

python-telegram-bot's default backend (httpx) costs about 1.2 ms of CPU per Bot
API call here; aiohttp's client costs a fraction of that (bench/broadcast.py,
bench/updates.py). It implements :class:`telegram.request.BaseRequest`, so the
:class:`telegram.Bot` on top stays the same. Only text requests are supported:
this bot uploads no files.
"""

from __future__ import annotations

import json

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

_JSON = {"Content-Type": "application/json"}


class AiohttpRequest(BaseRequest):
    """``connection_pool_size`` connections at most; timeouts in seconds."""

    def __init__(
        self,
        connection_pool_size: int = 32,
        read_timeout: float = 10.0,
        connect_timeout: float = 5.0,
    ):
        self._limit = connection_pool_size
        self._read_timeout = read_timeout
        self._connect_timeout = connect_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._limit),
                timeout=aiohttp.ClientTimeout(
                    sock_read=self._read_timeout, sock_connect=self._connect_timeout
                ),
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

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
        TimedOut or NetworkError."""
        if request_data is not None and request_data.contains_files:
            raise NetworkError("AiohttpRequest sends no files")
        if self._session is None:
            await self.initialize()
        # JSON, not form-encoding as python-telegram-bot's httpx backend does: one C-level
        # json.dumps instead of per-field percent-encoding, a third of this call's CPU.
        body = json.dumps(request_data.parameters if request_data else {}).encode()
        # python-telegram-bot passes a longer read timeout for long polling (getUpdates).
        timeout = None
        if read_timeout is not BaseRequest.DEFAULT_NONE:
            timeout = aiohttp.ClientTimeout(
                sock_read=read_timeout, sock_connect=self._connect_timeout
            )
        try:
            async with self._session.request(
                method, url, data=body, headers=_JSON, timeout=timeout
            ) as response:
                return response.status, await response.read()
        except TimeoutError as exc:
            raise TimedOut from exc
        except aiohttp.ClientError as exc:
            raise NetworkError(f"aiohttp: {type(exc).__name__}") from exc

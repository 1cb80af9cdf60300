"""The real bot against the local Bot API stand-in, on 127.0.0.1.

Used by the tests, the benchmarks and ``newcomer-bot chat``: the same
Application and handlers as production, long polling over real HTTP, with a way
to know when an update has been fully handled (no sleeps).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import socket
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import Application

from bot.app import build_application
from bot.config import Settings
from bot.content.snapshot import Snapshot
from bot.devtools.fake_bot_api import Call, FakeBotApi, UpdateFactory
from bot.ops.http import register_webhook
from bot.runtime import freeze_long_lived
from bot.storage import Storage

TEST_TOKEN = "123456:sandbox-token-not-real"


class TrackingApplication(Application):
    """An Application that reports when each update has been completely processed.

    ``on_processed(update, seconds)`` is called after all handlers (and the error
    handler) ran for the update; ``seconds`` is the wall time of processing.
    """

    on_processed: Callable[[object, float], None] | None = None

    async def process_update(self, update: object) -> None:
        started = time.perf_counter()
        try:
            await super().process_update(update)
        finally:
            if self.on_processed is not None:
                self.on_processed(update, time.perf_counter() - started)


class Sandbox:
    """Start with ``await Sandbox.create(...)``; stop with :meth:`close`."""

    def __init__(self, api: FakeBotApi, application: Application, storage: Storage):
        self.api = api
        self.application = application
        self.storage = storage
        self.updates = UpdateFactory()
        self._done: dict[int, asyncio.Event] = {}
        self.processing_seconds: list[float] = []
        application.on_processed = self._processed  # type: ignore[attr-defined]

    @classmethod
    async def create(
        cls,
        snapshot: Snapshot,
        *,
        database: str | Path = ":memory:",
        clock: Callable[[], dt.datetime] | None = None,
        settings: dict[str, Any] | None = None,
        api: FakeBotApi | None = None,
        webhook: bool = False,
    ) -> Sandbox:
        """Start the stand-in API (unless given), open the database, start polling
        (``webhook``: register a webhook the stand-in posts updates to instead).

        ``settings`` overrides :class:`~bot.config.Settings` fields (e.g. ``content_dir``
        and ``watch_content`` for reload tests, ``staff_file``). The bot's HTTP port
        (health, metrics, webhook) is a free one.
        """
        api = api or await FakeBotApi().start()
        storage = await Storage.open(database)
        overrides: dict[str, Any] = {"watch_content": False, "http_port": 0}
        if webhook:
            port = _free_port()
            overrides.update(http_port=port, webhook_url=f"http://127.0.0.1:{port}/telegram")
        config = Settings(
            token=TEST_TOKEN,
            api_base_url=api.base_url,
            database=Path(str(database)),
            **{**overrides, **(settings or {})},
        )
        application = build_application(
            config, snapshot, storage=storage, application_class=TrackingApplication
        )
        if clock is not None:
            application.bot_data.clock = clock
        sandbox = cls(api, application, storage)
        await application.initialize()
        if application.post_init:
            await application.post_init(application)
        await application.start()
        if config.webhook_url:
            data = application.bot_data
            await register_webhook(application, config.webhook_url, data.webhook_secret)
        else:
            await application.updater.start_polling(poll_interval=0.0, timeout=5)
        freeze_long_lived()  # as `newcomer-bot run` does after loading the content
        return sandbox

    async def close(self) -> None:
        app = self.application
        if app.updater.running:
            await self.api.release_pollers()
            await app.updater.stop()
        ops = getattr(app.bot_data, "ops", None)
        if ops is not None:  # no more webhook requests while the last updates finish
            await ops.stop()
        if app.running:
            await app.stop()
        if app.post_stop:
            await app.post_stop(app)
        await app.shutdown()
        if app.post_shutdown:
            await app.post_shutdown(app)
        await self.storage.close()
        await self.api.stop()

    def _processed(self, update: object, seconds: float) -> None:
        self.processing_seconds.append(seconds)
        if isinstance(update, Update) and update.update_id in self._done:
            self._done[update.update_id].set()

    async def send(self, payload: dict[str, Any], *, timeout: float = 10.0) -> list[Call]:
        """Feed one update and wait until the bot has handled it.

        Returns the Bot API calls the bot made meanwhile (in order).
        """
        start = len(self.api.calls)
        update_id = self.api.next_update_id()
        event = self._done[update_id] = asyncio.Event()
        await self.api.push_update(payload, update_id=update_id)
        try:
            async with asyncio.timeout(timeout):
                await event.wait()
        finally:
            self._done.pop(update_id, None)
        return [c for c in self.api.calls[start:] if c.method != "getUpdates"]

    @property
    def http_url(self) -> str:
        """Where the bot's HTTP endpoint listens (``/healthz``, ``/metrics``, ...)."""
        return f"http://127.0.0.1:{self.application.bot_data.ops.port}"

    async def text(
        self, user_id: int, text: str, *, timeout: float = 10.0, **kwargs: Any
    ) -> list[Call]:
        return await self.send(self.updates.message(user_id, text, **kwargs), timeout=timeout)

    async def location(
        self, user_id: int, lat: float, lon: float, *, timeout: float = 10.0, **kwargs: Any
    ) -> list[Call]:
        return await self.send(
            self.updates.message(user_id, location=(lat, lon), **kwargs), timeout=timeout
        )

    async def tap(
        self, user_id: int, data: str, message_id: int, *, timeout: float = 10.0, **kwargs: Any
    ) -> list[Call]:
        return await self.send(
            self.updates.callback(user_id, data, message_id=message_id, **kwargs), timeout=timeout
        )


def _free_port() -> int:
    """A port free on 127.0.0.1 now (for a webhook URL that must be known in advance)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]

"""The bot's one HTTP port (``BOT_HTTP_HOST:BOT_HTTP_PORT``, default 127.0.0.1:8080).

* ``GET /healthz``: 200 while the process's event loop runs (liveness);
* ``GET /readyz``: 200 when the database is writable, content is loaded and the
  Bot API answered recently, else 503; the body says which check failed
  (:mod:`bot.ops.health`);
* ``GET /metrics``: Prometheus text format (:mod:`bot.ops.metrics`);
* in webhook mode (``BOT_WEBHOOK_URL``), ``POST <the URL's path>``: Telegram's
  updates. Each request must carry the secret token the bot gave Telegram in
  ``setWebhook`` (header ``X-Telegram-Bot-Api-Secret-Token``), a new random one
  at every start; without it: 403, and the update is not handled. The answer to
  a button tap rides back in the POST's answer when it is ready in time
  (bot/telegram/webhook_reply.py).

One aiohttp server serves all of these in both modes (python-telegram-bot's own
webhook server, tornado, would need a second port or its private attributes for
the health routes). It is aiohttp's low-level server with the four routes looked
up in a dict: in webhook mode every update is one request, and the web
application's router and middleware chain cost about 10 µs of CPU each (measured
with a poster in another process; bench/webhook_intake.py measures the whole
intake). Updates go into the Application's ``update_queue`` exactly
as python-telegram-bot's webhook server puts them there, so the handlers cannot
tell the difference. Nothing here logs a request's body or path (the access log
is off).
"""

from __future__ import annotations

import hmac
import json
import logging
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web
from telegram import Update
from telegram.ext import Application

from bot.ops import health
from bot.ops.metrics import CONTENT_TYPE
from bot.telegram.webhook_reply import WebhookReplies

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class OpsServerError(RuntimeError):
    """The HTTP port cannot be opened; the message is one line for the operator."""


class OpsServer:
    """Start with :meth:`start`, stop with :meth:`stop` (idempotent).

    ``webhook_path`` and ``secret``: accept updates there (webhook mode); ``replies``:
    carry the answers to button taps back in the webhook answers."""

    def __init__(
        self,
        application: Application,
        host: str,
        port: int,
        *,
        webhook_path: str | None = None,
        secret: str | None = None,
        replies: WebhookReplies | None = None,
    ):
        if webhook_path is not None and not secret:
            raise ValueError("a webhook needs a secret token")
        self.application = application
        self.host = host
        self.port = port
        self.webhook_path = webhook_path
        self._secret = (secret or "").encode()
        self.replies = replies
        self._runner: web.BaseRunner | None = None
        self._routes: dict[tuple[str, str], Any] = {}
        self.rejected = 0  # webhook requests refused (wrong or missing secret)

    async def start(self) -> OpsServer:
        """Listen; raises :class:`OpsServerError` if the port cannot be opened."""
        self._routes = {
            ("GET", "/healthz"): self._healthz,
            ("GET", "/readyz"): self._readyz,
            ("GET", "/metrics"): self._metrics,
        }
        if self.webhook_path is not None:
            self._routes["POST", self.webhook_path] = self._webhook
        # Telegram's updates are a few kB: aiohttp's default limit on a body (1 MiB,
        # BaseRequest's client_max_size) answers anything larger with 413.
        server = web.Server(self._dispatch, access_log=None)
        self._runner = web.ServerRunner(server, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        try:
            await site.start()
        except OSError as exc:
            await self.stop()
            raise OpsServerError(
                f"cannot listen on {self.host} port {self.port} ({exc.strerror}); set "
                "BOT_HTTP_PORT to a free port (or stop what uses it)"
            ) from None
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        log.info(
            "HTTP on %s:%d: /healthz /readyz /metrics%s",
            self.host,
            self.port,
            " and the webhook" if self.webhook_path else "",
        )
        return self

    async def stop(self) -> None:
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    @property
    def running(self) -> bool:
        return self._runner is not None

    # -- routes ---------------------------------------------------------------------

    async def _dispatch(self, request: web.BaseRequest) -> web.StreamResponse:
        # HEAD is GET without the body (monitors often probe with HEAD); aiohttp
        # leaves the body out of a HEAD answer itself.
        method = "GET" if request.method == "HEAD" else request.method
        route = self._routes.get((method, request.path))
        if route is not None:
            return await route(request)
        allowed = sorted({m for m, path in self._routes if path == request.path})
        if allowed:
            if "GET" in allowed:
                allowed.append("HEAD")
            return web.Response(status=405, headers={"Allow": ", ".join(allowed)})
        return web.Response(status=404)

    async def _healthz(self, request: web.BaseRequest) -> web.Response:
        return web.json_response({"status": "alive"})

    async def _readyz(self, request: web.BaseRequest) -> web.Response:
        checks = await health.readiness(self.application)
        ready = all(c.ok for c in checks)
        body = {"ready": ready, "checks": {c.name: c.detail for c in checks}}
        if not ready:
            log.warning(
                "not ready: %s", "; ".join(f"{c.name}: {c.detail}" for c in checks if not c.ok)
            )
        return web.json_response(body, status=200 if ready else 503)

    async def _metrics(self, request: web.BaseRequest) -> web.Response:
        data = self.application.bot_data
        metrics = data.metrics
        try:
            await metrics.refresh(getattr(data, "storage", None), getattr(data, "reloader", None))
        except Exception as exc:  # a broken database must not hide the other metrics
            log.warning("metrics: could not read the outbox (%s)", type(exc).__name__)
        return web.Response(body=metrics.render(), headers={"Content-Type": CONTENT_TYPE})

    async def _webhook(self, request: web.BaseRequest) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret):
            self.rejected += 1
            log.warning("webhook request without the right secret token refused")
            return web.Response(status=403)
        try:
            data = json.loads(await request.read())
            update = Update.de_json(data, self.application.bot)
        except web.HTTPException:  # e.g. 413: a body over 1 MiB
            raise
        except Exception as exc:  # never log the body: it holds what people wrote
            log.warning("webhook: an update could not be read (%s)", type(exc).__name__)
            return web.Response(status=400)
        if update is None:
            return web.Response(status=400)
        query = update.callback_query
        if self.replies is None or query is None:
            await self.application.update_queue.put(update)
            return web.Response(status=200)
        answer = self.replies.expect(query.id)
        # put_nowait (the queue has no bound): no await, so no cancellation can come
        # between expect and wait, whose finally forgets the query again.
        self.application.update_queue.put_nowait(update)
        body = await self.replies.wait(query.id, answer)
        if body is None:
            return web.Response(status=200)
        return web.json_response(body)


def webhook_path(url: str) -> str:
    """The path Telegram posts to: the webhook URL's path ("/" if it has none)."""
    return urlsplit(url).path or "/"


async def register_webhook(application: Application, url: str, secret: str) -> None:
    """Tell Telegram to post updates to ``url`` with ``secret`` (``setWebhook``); the
    updates that arrived while the bot was down are kept (``drop_pending_updates``
    false). Raises TelegramError if Telegram refuses."""
    await application.bot.set_webhook(
        url,
        secret_token=secret,
        allowed_updates=Update.ALL_TYPES,
        drop_pending_updates=False,
    )
    log.info("webhook registered; updates come by HTTP POST")

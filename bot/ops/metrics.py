"""Prometheus metrics (``/metrics``, served by :mod:`bot.ops.http`).

Every label value comes from a small fixed set: the kind of update, the Bot API
method the bot called, an HTTP status, a reload outcome, a usage event. No user
id, chat id, text, command argument or municipality is ever a label.

How the numbers are gathered, without touching the handlers:

* updates and handler latency: :class:`MeteredUpdateProcessor` times each
  update's handling (from when it may run until all its handlers are done);
* Bot API answers (429s, deliveries by result, the last contact with Telegram):
  :class:`MeteredRequest`, the request backend under each :class:`telegram.Bot`;
* the outbox backlog and reload outcomes: read when ``/metrics`` is scraped
  (:meth:`Metrics.refresh`), from the database and the reloader's results;
* searches and "not found": :meth:`Metrics.usage`, called by the usage counter
  (:mod:`bot.ops.usage`) the handlers already call.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client import exposition as _exposition
from telegram import Update
from telegram.error import NetworkError
from telegram.request import RequestData

from bot.telegram.request import AiohttpRequest
from bot.telegram.update_processor import PerChatUpdateProcessor

CONTENT_TYPE = _exposition.CONTENT_TYPE_LATEST

#: Handler latency buckets (seconds): the bot's own work is about 1 ms, a reply
#: with two Bot API round trips to Telegram 100-300 ms.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

#: Delivery outcome of an announcement's sendMessage, by the Bot API's answer.
DELIVERY_RESULTS = {200: "sent", 429: "rate_limited", 403: "blocked"}


def update_kind(update: object) -> str:
    """A label for the kind of update: command, text, location, other_message,
    callback_query, member (chat member changes), edited, channel or other."""
    if not isinstance(update, Update):
        return "other"
    if update.callback_query is not None:
        return "callback_query"
    message = update.message
    if message is not None:
        if message.text is not None:
            return "command" if message.text.startswith("/") else "text"
        if message.location is not None:
            return "location"
        return "other_message"
    if update.my_chat_member is not None or update.chat_member is not None:
        return "member"
    if update.edited_message is not None:
        return "edited"
    if update.channel_post is not None or update.edited_channel_post is not None:
        return "channel"
    return "other"


class Metrics:
    """The bot's metrics in their own registry (several bots in one test process
    each have theirs). ``render()`` gives the text format."""

    def __init__(self) -> None:
        self.registry = registry = CollectorRegistry(auto_describe=True)
        self.updates = Counter(
            "newcomer_bot_updates",
            "Updates handled, by kind of update.",
            ["kind"],
            registry=registry,
        )
        self.handler_seconds = Histogram(
            "newcomer_bot_handler_seconds",
            "Time from when an update may run until its handlers are done "
            "(Bot API round trips included).",
            ["kind"],
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.api_requests = Counter(
            "newcomer_bot_api_requests",
            "Bot API requests by client (replies, polling, delivery), method and "
            "HTTP status (network_error when no answer came).",
            ["client", "method", "status"],
            registry=registry,
        )
        self.rate_limited = Counter(
            "newcomer_bot_api_429",
            "Bot API answers 429 Too Many Requests, by client.",
            ["client"],
            registry=registry,
        )
        self.deliveries = Counter(
            "newcomer_bot_deliveries",
            "Announcement messages sent to Telegram, by result (sent, rate_limited, "
            "blocked, rejected, error).",
            ["result"],
            registry=registry,
        )
        self.outbox_backlog = Gauge(
            "newcomer_bot_outbox_backlog",
            "Announcement messages waiting to be sent (pending outbox rows).",
            registry=registry,
        )
        self.outbox_rows = Gauge(
            "newcomer_bot_outbox_rows",
            "Outbox rows by status (pending, sent, failed, skipped, cancelled).",
            ["status"],
            registry=registry,
        )
        self.reloads = Gauge(
            "newcomer_bot_content_reloads",
            "Content reloads since the start, by result (ok, rejected).",
            ["result"],
            registry=registry,
        )
        self.content_version = Gauge(
            "newcomer_bot_content_version",
            "Content version served: 1 at start-up, +1 at each reload that was published.",
            registry=registry,
        )
        self.content_loaded = Gauge(
            "newcomer_bot_content_loaded_timestamp_seconds",
            "When the content served now was published (Unix time).",
            registry=registry,
        )
        self.content_entries = Gauge(
            "newcomer_bot_content_entries",
            "Entries in the content served now.",
            registry=registry,
        )
        self.events = Counter(
            "newcomer_bot_usage_events",
            "Newcomers' actions (start, card, search, not_found, handoff); "
            "search not-found rate = not_found / search.",
            ["event"],
            registry=registry,
        )
        self.last_api_contact: float | None = None  # time.monotonic() of the last answer
        self._kinds: dict[str, tuple[Any, Any]] = {}
        self._api: dict[tuple[str, str, int | None], tuple[Any, ...]] = {}
        self._events: dict[str, Any] = {}

    # -- updates ----------------------------------------------------------------

    def observe_update(self, update: object, seconds: float) -> None:
        kind = update_kind(update)
        children = self._kinds.get(kind)
        if children is None:
            children = self._kinds[kind] = (
                self.updates.labels(kind),
                self.handler_seconds.labels(kind),
            )
        children[0].inc()
        children[1].observe(seconds)

    # -- Bot API ---------------------------------------------------------------------

    def observe_api(self, client: str, method: str, status: int | None) -> None:
        """One Bot API request's answer (``status`` None: no answer, a network error)."""
        key = (client, method, status)
        counters = self._api.get(key)
        if counters is None:
            counters = self._api[key] = self._api_counters(client, method, status)
        for counter in counters:
            counter.inc()
        if status is not None and status < 500:  # 5xx: a proxy on the way answered
            self.last_api_contact = time.monotonic()

    def _api_counters(self, client: str, method: str, status: int | None) -> tuple[Any, ...]:
        """The counters one kind of answer increments (label lookups cost microseconds:
        done once per kind)."""
        label = "network_error" if status is None else str(status)
        counters = [self.api_requests.labels(client, method, label)]
        if status == 429:
            counters.append(self.rate_limited.labels(client))
        if client == "delivery" and method == "sendMessage":
            if status is None or status >= 500:
                result = "error"
            else:
                result = DELIVERY_RESULTS.get(status, "rejected")
            counters.append(self.deliveries.labels(result))
        return tuple(counters)

    # -- content and usage -----------------------------------------------------------

    def content_published(self, entries: int) -> None:
        self.content_version.inc()
        self.content_loaded.set(time.time())
        self.content_entries.set(entries)

    def usage(self, event: str) -> None:
        counter = self._events.get(event)
        if counter is None:
            counter = self._events[event] = self.events.labels(event)
        counter.inc()

    # -- scraping ---------------------------------------------------------------------

    async def refresh(self, storage: Any = None, reloader: Any = None) -> None:
        """Read the values kept elsewhere: outbox rows by status, reload outcomes."""
        if storage is not None:
            async with storage.db.execute(
                "SELECT status, count(*) FROM outbox GROUP BY status"
            ) as cursor:
                rows = {status: count for status, count in await cursor.fetchall()}
            for status in ("pending", "sent", "failed", "skipped", "cancelled", *rows):
                self.outbox_rows.labels(status).set(rows.get(status, 0))
            self.outbox_backlog.set(rows.get("pending", 0))
        if reloader is not None:
            results = list(reloader.results)
            ok = sum(1 for r in results if r.ok)
            self.reloads.labels("ok").set(ok)
            self.reloads.labels("rejected").set(len(results) - ok)

    def render(self) -> bytes:
        return generate_latest(self.registry)


class MeteredUpdateProcessor(PerChatUpdateProcessor):
    """:class:`PerChatUpdateProcessor` that times each update's handling into ``metrics``."""

    __slots__ = ("metrics",)

    def __init__(self, metrics: Metrics, **kwargs: Any):
        super().__init__(**kwargs)
        self.metrics = metrics

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        await super().do_process_update(update, self._timed(update, coroutine))

    async def _timed(self, update: object, coroutine: Awaitable[Any]) -> None:
        started = time.perf_counter()
        try:
            await coroutine
        finally:
            self.metrics.observe_update(update, time.perf_counter() - started)


class MeteredRequest(AiohttpRequest):
    """:class:`AiohttpRequest` that counts each answer in ``metrics`` as ``client``.

    The Bot API method is the URL's last segment (the token, earlier in the URL,
    is never looked at)."""

    def __init__(self, metrics: Metrics, client: str, **kwargs: Any):
        super().__init__(**kwargs)
        self.metrics = metrics
        self.client = client

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        **timeouts: Any,
    ) -> tuple[int, bytes]:
        """:meth:`AiohttpRequest.do_request` (python-telegram-bot passes the four
        timeouts by keyword), counted."""
        api_method = url.rsplit("/", 1)[-1]
        try:
            status, body = await super().do_request(url, method, request_data, **timeouts)
        except NetworkError:
            self.metrics.observe_api(self.client, api_method, None)
            raise
        self.metrics.observe_api(self.client, api_method, status)
        return status, body

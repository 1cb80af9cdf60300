"""Answering a button tap inside the webhook's HTTP answer (webhook mode only).

Bot API, "Making requests when getting updates"
(https://core.telegram.org/bots/api#making-requests-when-getting-updates): a bot
that gets updates by webhook may answer Telegram's POST with one Bot API call in
the body (a JSON object with ``method`` and that method's parameters). Telegram
carries it out; the bot does not learn whether it worked.

Every button tap (callback query) needs an ``answerCallbackQuery`` to stop the
spinner on the newcomer's phone, and the handlers never use its result. So in
webhook mode the answer to a tap rides back on the POST that brought the tap,
instead of costing a second HTTPS request: the spinner stops a round trip
sooner and the bot spends less CPU (bench/webhook_intake.py: with the answers
carried, taking in an update by webhook costs the bot less than by polling;
without them, about a third more). The price: an answer Telegram refuses (a query too old, an
alert too long) is no longer seen at all — before, such an error was only logged
and changed nothing for the person — and the metrics count a carried answer as a
200. An answer not ready within :data:`REPLY_WAIT` seconds (the tap waits behind
others) is sent as a normal request when it comes.

How: the webhook server calls :meth:`WebhookReplies.expect` with the query id
before it queues the update and then :meth:`WebhookReplies.wait`; the request
backend (:class:`bot.telegram.request.AiohttpRequest`) offers each
``answerCallbackQuery`` to :meth:`WebhookReplies.offer` and sends it itself only
when no POST is waiting for it. No other method is carried: their results
(message ids, errors) matter.
"""

from __future__ import annotations

import asyncio
from typing import Any

#: The one method carried in webhook answers (see the module docstring).
METHOD = "answerCallbackQuery"
#: How long a webhook POST waits for its tap's answer, in seconds. Telegram keeps
#: at most ``max_connections`` (default 40) POSTs open, so a long wait would slow
#: the updates coming in; the bot answers a tap within milliseconds unless it is busy.
REPLY_WAIT = 0.5
#: What the backend returns for a carried answer: Telegram's answer to
#: answerCallbackQuery (``True``), as the handlers would have got it.
CARRIED = (200, b'{"ok":true,"result":true}')


class WebhookReplies:
    """The answers that webhook POSTs in progress are waiting for, by callback query id."""

    def __init__(self, wait: float = REPLY_WAIT):
        self.wait_seconds = wait
        self._waiting: dict[str, asyncio.Future[dict[str, Any] | None]] = {}
        self.carried = 0  # answers carried in webhook answers so far

    def expect(self, query_id: str) -> asyncio.Future[dict[str, Any] | None]:
        """Register a POST waiting for the answer to callback query ``query_id``; the
        future gets the answer's parameters, or None after :attr:`wait_seconds`."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[dict[str, Any] | None] = loop.create_future()
        self._waiting[query_id] = future
        # A timer that settles the future, cheaper than asyncio.wait/wait_for per tap.
        timer = loop.call_later(self.wait_seconds, _settle, future, None)
        future.add_done_callback(lambda _: timer.cancel())
        return future

    async def wait(
        self, query_id: str, future: asyncio.Future[dict[str, Any] | None]
    ) -> dict[str, Any] | None:
        """The body for the webhook answer: ``{"method": "answerCallbackQuery", ...}``
        if the handler answered within :attr:`wait_seconds`, else None (answer 200
        with no body; the handler's answer, when it comes, is sent as a request)."""
        try:
            parameters = await future
        finally:
            if self._waiting.get(query_id) is future:
                del self._waiting[query_id]
            _settle(future, None)  # cancelled meanwhile: a later offer must not take it
        return None if parameters is None else {"method": METHOD, **parameters}

    def offer(self, method: str, parameters: dict[str, Any]) -> bool:
        """Hand over a call about to be sent: True if a webhook POST takes it (the
        caller must then not send it), False if the caller sends it itself."""
        if method != METHOD:
            return False
        future = self._waiting.pop(str(parameters.get("callback_query_id")), None)
        if future is None or future.done():
            return False
        future.set_result(dict(parameters))
        self.carried += 1
        return True


def _settle(future: asyncio.Future, value: Any) -> None:
    if not future.done():
        future.set_result(value)

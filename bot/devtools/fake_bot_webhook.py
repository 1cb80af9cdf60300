"""The stand-in's webhook side: setWebhook, deleteWebhook, getWebhookInfo, posting
updates to the webhook, and carrying out a method the bot put in its answer.

Bot API (https://core.telegram.org/bots/api#setwebhook and "Making requests when
getting updates"): after ``setWebhook`` Telegram POSTs each update as JSON to the
URL, with the header ``X-Telegram-Bot-Api-Secret-Token`` when a secret was set.
The bot may answer that POST with one Bot API method call in its body (a JSON
object with a ``method`` field and that method's parameters); Telegram carries it
out and the bot never learns the result. The stand-in does the same: the call is
recorded like any other, with ``Call.via == "webhook"``, and its answer dropped.

A mixin of :class:`bot.devtools.fake_bot_api.FakeBotApi`, which provides
``webhook`` (None: long polling), ``_update_ids`` and :meth:`call`.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import aiohttp

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class WebhookMethods:
    """Mixed into FakeBotApi."""

    webhook: dict[str, Any] | None
    _update_ids: Any
    call: Any

    async def post_update(self, update: dict[str, Any], *, secret: str | None = None) -> int:
        """POST one update to the webhook as Telegram does, with the secret token set by
        setWebhook (or ``secret`` instead); returns the HTTP status. A method call in
        a 200 answer is carried out (and its result dropped), as Telegram does."""
        assert self.webhook is not None, "no webhook set"
        poster = self.__dict__.get("_poster")
        if poster is None or poster.closed:
            poster = self.__dict__["_poster"] = aiohttp.ClientSession()
        secret = self.webhook.get("secret_token") if secret is None else secret
        headers = {SECRET_HEADER: secret} if secret else {}
        update = {"update_id": next(self._update_ids), **update}
        async with poster.post(self.webhook["url"], json=update, headers=headers) as answer:
            status = answer.status
            body = await answer.read() if answer.content_type == "application/json" else b""
        if status == 200 and body:
            await self._carry_out(body)
        return status

    async def _carry_out(self, body: bytes) -> None:
        try:
            params = json.loads(body)
            method = params.pop("method")
        except (ValueError, KeyError, AttributeError, TypeError):
            log.warning("stand-in: a webhook answer without a method was ignored, as Telegram does")
            return
        await self.call(str(method), params, via="webhook")

    async def close_webhook_poster(self) -> None:
        poster = self.__dict__.pop("_poster", None)
        if poster is not None:
            await poster.close()

    def _m_getWebhookInfo(self, params: dict[str, Any]) -> dict[str, Any]:
        url = self.webhook["url"] if self.webhook else ""
        return {"ok": True, "result": {"url": url, "has_custom_certificate": False,
                                        "pending_update_count": 0}}  # fmt: skip

    def _m_setWebhook(self, params: dict[str, Any]) -> dict[str, Any]:
        self.webhook = {"url": params["url"], "secret_token": params.get("secret_token")}
        return {"ok": True, "result": True}

    def _m_deleteWebhook(self, params: dict[str, Any]) -> dict[str, Any]:
        self.webhook = None
        return {"ok": True, "result": True}

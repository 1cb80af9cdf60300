"""A local stand-in for the Telegram Bot API, served over HTTP on 127.0.0.1.

The real :class:`telegram.ext.Application` talks to it through ``base_url``, so
tests, benchmarks and ``newcomer-bot chat`` exercise the same code path as
production: HTTP requests, JSON answers, long polling with ``getUpdates``.

It records every call, feeds updates, keeps each chat's messages and rejects
what Telegram rejects: "message is not modified", texts over 4096 UTF-16 code
units after entity parsing (captions over 1024, callback answers over 200),
callback data over 64 bytes, and HTML that Telegram cannot parse (unclosed,
mismatched or unknown tags; see :func:`parse_html`). The answers follow the Bot
API documentation (https://core.telegram.org/bots/api). After ``setWebhook`` it
posts updates to the webhook, with the secret token, and carries out a method
call put in the webhook's answer, as Telegram does (bot/devtools/fake_bot_webhook.py).

Forum topics and copyMessage ("Ask a person" helpdesks): bot/devtools/fake_bot_forums.py.

Faults (429s, 403s, requests that never get an answer) are for tests only: they
live in ``tests/botapi_faults.py``, a subclass overriding :meth:`FakeBotApi.intercept`.
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import json
import time
from collections.abc import Callable
from typing import Any

from aiohttp import web

from bot.devtools.fake_bot_forums import Forum, ForumMethods, add_topic_and_media
from bot.devtools.fake_bot_reach import ProfileAndInlineMethods
from bot.devtools.fake_bot_webhook import WebhookMethods
from bot.devtools.telegram_html import EntityParseError, parse_html, utf16_len

BOT_USER = {
    "id": 7000000001,
    "is_bot": True,
    "first_name": "Newcomer Bot",
    "username": "newcomer_test_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}

#: Bot API limits checked here as Telegram checks them: lengths in UTF-16 code
#: units of the text after entity parsing (see :func:`utf16_len`).
MAX_TEXT_CHARS = 4096
MAX_CAPTION_CHARS = 1024
MAX_CALLBACK_ANSWER_CHARS = 200
MAX_CALLBACK_DATA_BYTES = 64

_JSON_KEYS = {
    "reply_markup", "entities", "commands", "scope", "link_preview_options",
    "allowed_updates", "reply_parameters", "menu_button",
}  # fmt: skip
_INT_KEYS = {
    "chat_id", "message_id", "offset", "limit", "timeout", "cache_time", "user_id",
    "from_chat_id", "message_thread_id",
}  # fmt: skip
_FLOAT_KEYS = {"latitude", "longitude"}


@dataclasses.dataclass
class Call:
    """One request the bot made: Bot API method name, decoded parameters, monotonic time;
    ``via`` "request" (an HTTP request to the Bot API) or "webhook" (carried in the
    answer to a webhook POST)."""

    method: str
    params: dict[str, Any]
    at: float
    result: Any = None
    via: str = "request"

    @property
    def result_message_id(self) -> int:
        """message_id of the message this call created (sendMessage and friends)."""
        return int(self.result["message_id"])

    @property
    def chat_id(self) -> int | None:
        value = self.params.get("chat_id")
        return int(value) if value is not None else None

    @property
    def text(self) -> str:
        return self.params.get("text", "")

    @property
    def buttons(self) -> list[list[dict[str, Any]]]:
        """Inline keyboard rows (each button a dict with text and callback_data/url)."""
        markup = self.params.get("reply_markup") or {}
        return markup.get("inline_keyboard", [])

    def button_data(self) -> dict[str, str]:
        """Map of button text → callback data for every callback button."""
        return {
            b["text"]: b["callback_data"]
            for row in self.buttons
            for b in row
            if "callback_data" in b
        }


def _decode(params: dict[str, str]) -> dict[str, Any]:
    # python-telegram-bot sends form fields: strings as-is, everything else as JSON.
    out: dict[str, Any] = {}
    for key, value in params.items():
        if key in _JSON_KEYS:
            out[key] = json.loads(value)
        elif key in _INT_KEYS:
            try:
                out[key] = int(value)
            except ValueError:
                out[key] = value
        elif key in _FLOAT_KEYS:
            out[key] = float(value)
        elif value in ("true", "false"):
            out[key] = value == "true"
        else:
            out[key] = value
    return out


class FakeBotApi(ProfileAndInlineMethods, ForumMethods, WebhookMethods):
    """The stand-in server. ``await start()``, use :attr:`base_url`, ``await stop()``.

    Updates pushed with :meth:`push_update` are served to ``getUpdates``; every
    request is appended to :attr:`calls`; :meth:`wait_for` waits for a call.
    """

    def __init__(self, *, record: bool = True):
        self.calls: list[Call] = []
        self.record = record
        self.counts: dict[str, int] = {}
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}
        self.forums: dict[int, Forum] = {}  # see ForumMethods
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._message_ids: dict[int, itertools.count] = {}
        self._new_update = asyncio.Condition()
        self._new_call = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self._closing = False
        self.port: int | None = None
        #: What setWebhook set: {"url": ..., "secret_token": ...}; None: long polling.
        self.webhook: dict[str, Any] | None = None

    # -- lifecycle -------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> FakeBotApi:
        """Serve on ``host:port`` (port 0: any free port, see :attr:`port`)."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def release_pollers(self) -> None:
        """Answer pending and future long polls at once (so a stopping bot need not wait
        out its ``getUpdates`` timeout)."""
        self._closing = True
        async with self._new_update:
            self._new_update.notify_all()

    async def stop(self) -> None:
        await self.release_pollers()
        await self.close_webhook_poster()
        if self._runner:
            await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        """The value for python-telegram-bot's ``base_url`` (the token is appended)."""
        return f"http://127.0.0.1:{self.port}/bot"

    # -- feeding updates ---------------------------------------------------------

    def next_update_id(self) -> int:
        """Reserve an update id (for callers that must know it before pushing)."""
        return next(self._update_ids)

    async def push_update(self, update: dict[str, Any], *, update_id: int | None = None) -> int:
        """Queue an update and return its id (assigned unless ``update_id`` is given);
        with a webhook set, post it there instead."""
        update = {"update_id": update_id or next(self._update_ids), **update}
        message = update.get("message")
        if isinstance(message, dict) and "chat" in message and "message_id" in message:
            # Telegram keeps what people send: the bot can copy it later.
            self.messages[(int(message["chat"]["id"]), int(message["message_id"]))] = message
        if self.webhook is not None:
            status = await self.post_update(update)
            if status != 200:
                raise RuntimeError(f"the webhook answered {status}")
            return update["update_id"]
        async with self._new_update:
            self._updates.append(update)
            self._new_update.notify_all()
        return update["update_id"]

    # -- waiting ---------------------------------------------------------------------

    async def wait_for(
        self, predicate: Callable[[Call], bool], *, start: int = 0, timeout: float = 10.0
    ) -> Call:
        """Wait until a call at index ≥ ``start`` satisfies ``predicate``; return it.

        Raises TimeoutError after ``timeout`` seconds.
        """

        def find() -> Call | None:
            for call in itertools.islice(self.calls, start, None):
                if predicate(call):
                    return call
            return None

        async with asyncio.timeout(timeout), self._new_call:
            while (found := find()) is None:
                await self._new_call.wait()
        return found

    async def wait_count(self, method: str, count: int, *, timeout: float = 60.0) -> None:
        """Wait until ``method`` has been called at least ``count`` times in all."""
        async with asyncio.timeout(timeout), self._new_call:
            while self.counts.get(method, 0) < count:
                await self._new_call.wait()

    # -- the server ----------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        if request.content_type == "application/json":
            raw = await request.json()
            params = {k: v for k, v in raw.items()}
        else:
            form = await request.post()
            params = _decode({k: str(v) for k, v in form.items()})
        params.update(_decode(dict(request.query)))
        answer = await self.call(method, params)
        status = 200 if answer.get("ok") else answer.get("error_code", 400)
        return web.json_response(answer, status=status)

    async def call(self, method: str, params: dict[str, Any], *, via: str = "request") -> dict:
        """Answer one Bot API call (``params`` decoded) and record it; returns the
        answer object (``{"ok": true, "result": ...}`` or an error)."""
        call = Call(method, params, time.monotonic(), via=via)
        answer = await self._answer(method, params)
        call.result = answer.get("result")
        if self.record:
            self.calls.append(call)
        self.counts[method] = self.counts.get(method, 0) + 1
        async with self._new_call:
            self._new_call.notify_all()
        return answer

    async def _answer(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        if method == "getUpdates":
            return {"ok": True, "result": await self._get_updates(params)}
        intercepted = await self.intercept(method, params)
        if intercepted is not None:
            return intercepted
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            return {"ok": True, "result": True}
        return handler(params)

    async def intercept(self, method: str, params: dict[str, Any]) -> dict[str, Any] | None:
        """An answer that replaces the normal one (None: answer normally). Test doubles
        override this to inject faults; it may also wait, as a hung server would."""
        return None

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        timeout = float(params.get("timeout") or 0)
        async with self._new_update:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
            if not self._updates and timeout > 0 and not self._closing:
                try:
                    async with asyncio.timeout(timeout):
                        await self._new_update.wait_for(
                            lambda: bool(self._updates) or self._closing
                        )
                except TimeoutError:
                    pass
            return self._updates[:limit]

    # -- methods -----------------------------------------------------------------

    @staticmethod
    def _bad(description: str) -> dict[str, Any]:
        return {"ok": False, "error_code": 400, "description": f"Bad Request: {description}"}

    def _shown_text(
        self, params: dict[str, Any], key: str, limit: int, too_long: str
    ) -> tuple[str, dict[str, Any] | None]:
        """The text the user would see for ``params[key]`` (parsed per ``parse_mode``)
        and the error answer Telegram would give instead, if any."""
        raw = params.get(key) or ""
        if not isinstance(raw, str):
            return "", self._bad(f'field "{key}" must be of type String')
        shown = raw
        if str(params.get("parse_mode", "")).lower() == "html":
            try:
                shown = parse_html(raw)
            except EntityParseError as exc:
                return raw, self._bad(f"can't parse entities: {exc}")
        if utf16_len(shown) > limit:
            return raw, self._bad(too_long)
        return raw, None

    def _check_markup(self, params: dict[str, Any]) -> dict[str, Any] | None:
        markup = params.get("reply_markup") or {}
        for row in markup.get("inline_keyboard", []):
            for button in row:
                data = button.get("callback_data")
                if data is not None and not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA_BYTES:
                    return self._bad("BUTTON_DATA_INVALID")
        return None

    def _new_message(self, chat_id: int, **fields: Any) -> dict[str, Any]:
        counter = self._message_ids.setdefault(chat_id, itertools.count(1))
        chat: dict[str, Any] = {"id": chat_id, "type": "private" if chat_id > 0 else "group"}
        if chat_id in self.forums:
            chat.update(type="supergroup", is_forum=True)
        message = {
            "message_id": next(counter),
            "date": int(time.time()),
            "chat": chat,
            "from": BOT_USER,
            **{k: v for k, v in fields.items() if v is not None},
        }
        if message.get("message_thread_id") is not None:
            message["is_topic_message"] = True
        self.messages[(chat_id, message["message_id"])] = message
        return message

    def _m_getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "result": BOT_USER}

    def _m_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        text, bad = self._shown_text(params, "text", MAX_TEXT_CHARS, "message is too long")
        if bad:
            return bad
        if not text.strip():
            return self._bad("message text is empty")
        if bad := self._check_markup(params):
            return bad
        if bad := self._check_thread(params):
            return bad
        markup = params.get("reply_markup")
        # Message.reply_markup is only ever an inline keyboard (Bot API, Message).
        inline = markup if markup and "inline_keyboard" in markup else None
        message = self._new_message(
            int(params["chat_id"]),
            text=text,
            reply_markup=inline,
            message_thread_id=params.get("message_thread_id"),
        )
        return {"ok": True, "result": message}

    def _m_editMessageText(self, params: dict[str, Any]) -> dict[str, Any]:
        key = (int(params.get("chat_id", 0)), int(params.get("message_id", 0)))
        message = self.messages.get(key)
        if message is None:
            return self._bad("message to edit not found")
        if message.get("from", {}).get("id") != BOT_USER["id"]:
            return self._bad("message can't be edited")
        text, bad = self._shown_text(params, "text", MAX_TEXT_CHARS, "MESSAGE_TOO_LONG")
        if bad:
            return bad
        if not text.strip():
            return self._bad("message text is empty")
        if bad := self._check_markup(params):
            return bad
        markup = params.get("reply_markup")
        if message.get("text") == text and message.get("reply_markup") == markup:
            return self._bad(
                "message is not modified: specified new message content and reply markup "
                "are exactly the same as a current content and reply markup of the message"
            )
        message.update(text=text, reply_markup=markup, edit_date=int(time.time()))
        if markup is None:
            message.pop("reply_markup", None)
        return {"ok": True, "result": message}

    def _m_editMessageReplyMarkup(self, params: dict[str, Any]) -> dict[str, Any]:
        key = (int(params.get("chat_id", 0)), int(params.get("message_id", 0)))
        message = self.messages.get(key)
        if message is None:
            return self._bad("message to edit not found")
        message["reply_markup"] = params.get("reply_markup")
        return {"ok": True, "result": message}

    def _m_sendLocation(self, params: dict[str, Any]) -> dict[str, Any]:
        location = {"latitude": params["latitude"], "longitude": params["longitude"]}
        return {"ok": True, "result": self._new_message(int(params["chat_id"]), location=location)}

    def _m_sendVenue(self, params: dict[str, Any]) -> dict[str, Any]:
        venue = {
            "location": {"latitude": params["latitude"], "longitude": params["longitude"]},
            "title": params.get("title", ""),
            "address": params.get("address", ""),
        }
        message = self._new_message(int(params["chat_id"]), venue=venue, location=venue["location"])
        return {"ok": True, "result": message}

    def _m_answerCallbackQuery(self, params: dict[str, Any]) -> dict[str, Any]:
        # Callback answers have no parse mode: plain text, 0-200 characters.
        _, bad = self._shown_text(
            {"text": params.get("text")}, "text", MAX_CALLBACK_ANSWER_CHARS, "MESSAGE_TOO_LONG"
        )
        return bad or {"ok": True, "result": True}

    def _m_sendPhoto(self, params: dict[str, Any]) -> dict[str, Any]:
        _, bad = self._shown_text(
            params, "caption", MAX_CAPTION_CHARS, "message caption is too long"
        )
        if bad:
            return bad
        message = self._new_message(int(params["chat_id"]), photo=[], caption=params.get("caption"))
        return {"ok": True, "result": message}

    def _m_getMyCommands(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "result": []}


class UpdateFactory:
    """Builds Bot API update payloads for :meth:`FakeBotApi.push_update`."""

    def __init__(self) -> None:
        self._message_ids = itertools.count(1_000_000)

    @staticmethod
    def user(user_id: int, language_code: str | None = None) -> dict[str, Any]:
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": "Test"}
        if language_code:
            user["language_code"] = language_code
        return user

    def message(
        self,
        user_id: int,
        text: str | None = None,
        *,
        language_code: str | None = None,
        chat_id: int | None = None,
        chat_type: str = "private",
        location: tuple[float, float] | None = None,
        thread_id: int | None = None,
        media: str | None = None,
        caption: str | None = None,
    ) -> dict[str, Any]:
        """A ``message`` update; commands get their ``bot_command`` entity like Telegram adds.

        ``thread_id``: a message in that forum topic (the chat a supergroup with topics).
        ``media``: ``photo``, ``voice`` or ``document`` (with an optional ``caption``).
        """
        chat: dict[str, Any] = {
            "id": chat_id if chat_id is not None else user_id,
            "type": chat_type,
        }
        if chat_type != "private":
            chat["title"] = "A group"
        if thread_id is not None:
            chat.update(type="supergroup", is_forum=True)
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": chat,
        }
        if chat_type != "channel":
            message["from"] = self.user(user_id, language_code)
        if text is not None:
            message["text"] = text
            if text.startswith("/"):
                length = len(text.split()[0]) if text.split() else 1
                message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        if location is not None:
            message["location"] = {"latitude": location[0], "longitude": location[1]}
        add_topic_and_media(message, thread_id, media, caption)
        key = "channel_post" if chat_type == "channel" else "message"
        return {key: message}

    def inline_query(
        self, user_id: int, query: str, *, offset: str = "", language_code: str | None = None
    ) -> dict[str, Any]:
        """An ``inline_query`` update: the user typed ``@bot <query>`` in some chat."""
        return {
            "inline_query": {
                "id": str(next(self._message_ids)),
                "from": self.user(user_id, language_code),
                "query": query,
                "offset": offset,
                "chat_type": "group",
            }
        }

    def callback(
        self,
        user_id: int,
        data: str,
        *,
        message_id: int,
        language_code: str | None = None,
        chat_id: int | None = None,
        text: str = "menu",
    ) -> dict[str, Any]:
        """A ``callback_query`` update for a button under bot message ``message_id``."""
        chat_id = chat_id if chat_id is not None else user_id
        return {
            "callback_query": {
                "id": str(next(self._message_ids)),
                "from": self.user(user_id, language_code),
                "chat_instance": str(chat_id),
                "data": data,
                "message": {
                    "message_id": message_id,
                    "date": int(time.time()),
                    "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group"},
                    "from": BOT_USER,
                    "text": text,
                },
            }
        }

"""Answers to button taps carried in the webhook's HTTP answer (bot/telegram/webhook_reply.py):
the webhook server and the request backend, without the rest of the bot."""

from __future__ import annotations

import asyncio
import json

import aiohttp
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from telegram import Bot

from bot.ops.http import SECRET_HEADER, OpsServer
from bot.telegram.request import AiohttpRequest
from bot.telegram.webhook_reply import METHOD, WebhookReplies

SECRET = "s" * 32
TAP = {
    "update_id": 7,
    "callback_query": {
        "id": "4711",
        "from": {"id": 42, "is_bot": False, "first_name": "N"},
        "chat_instance": "42",
        "data": "menu",
    },
}
TEXT = {
    "update_id": 8,
    "message": {
        "message_id": 1,
        "date": 0,
        "chat": {"id": 42, "type": "private"},
        "from": {"id": 42, "is_bot": False, "first_name": "N"},
        "text": "hi",
    },
}


class Queueing:
    """What the webhook server uses of an Application: ``bot`` and ``update_queue``."""

    def __init__(self) -> None:
        self.bot = Bot("123:abc")
        self.update_queue: asyncio.Queue = asyncio.Queue()


@pytest.fixture
async def server():
    replies = WebhookReplies(wait=0.2)
    app = Queueing()
    ops = await OpsServer(
        app, "127.0.0.1", 0, webhook_path="/telegram", secret=SECRET, replies=replies
    ).start()
    try:
        yield ops
    finally:
        await ops.stop()


async def post(ops: OpsServer, update: dict) -> tuple[int, dict | None]:
    url = f"http://127.0.0.1:{ops.port}/telegram"
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, json=update, headers={SECRET_HEADER: SECRET}) as answer,
    ):
        body = await answer.read()
        return answer.status, json.loads(body) if body else None


async def test_the_answer_given_while_the_post_waits_is_its_body(server):
    # A Bot whose requests could go nowhere: port 9 on loopback has no server.
    bot = Bot(
        "123:abc",
        base_url="http://127.0.0.1:9/bot",
        request=AiohttpRequest(replies=server.replies, connect_timeout=1),
    )

    async def handle_the_tap() -> bool:
        update = await server.application.update_queue.get()
        return await bot.answer_callback_query(update.callback_query.id, text="📍 Remich")

    handled = asyncio.create_task(handle_the_tap())
    status, body = await post(server, TAP)
    assert status == 200
    assert body == {"method": METHOD, "callback_query_id": "4711", "text": "📍 Remich"}
    # The handler got Telegram's answer (True) without a request of its own.
    assert await handled is True
    assert server.replies.carried == 1


async def test_a_tap_not_answered_in_time_gets_an_empty_answer_and_is_sent_later(server):
    status, body = await post(server, TAP)  # nobody handles the queue: the wait runs out
    assert (status, body) == (200, None)
    assert server.application.update_queue.qsize() == 1, "the tap is still handled"
    # The late answer is not taken by anyone: the backend must send it itself.
    assert server.replies.offer(METHOD, {"callback_query_id": "4711"}) is False
    assert server.replies.carried == 0


async def test_other_updates_are_answered_at_once(server):
    assert await post(server, TEXT) == (200, None)
    assert server.application.update_queue.qsize() == 1


def test_only_answer_callback_query_is_ever_carried():
    async def run() -> None:
        replies = WebhookReplies(wait=1.0)
        future = replies.expect("1")
        # A sendMessage's result (the message id) matters: never carried.
        assert replies.offer("sendMessage", {"callback_query_id": "1"}) is False
        assert replies.offer(METHOD, {"callback_query_id": "2"}) is False  # nobody waits
        assert replies.offer(METHOD, {"callback_query_id": "1"}) is True
        assert replies.offer(METHOD, {"callback_query_id": "1"}) is False  # taken once
        assert await replies.wait("1", future) == {"method": METHOD, "callback_query_id": "1"}

    asyncio.run(run())


@given(
    text=st.text(max_size=200),
    show_alert=st.booleans(),
    query_id=st.text(min_size=1, max_size=20),
)
def test_the_carried_answer_keeps_every_parameter(text, show_alert, query_id):
    async def run() -> dict | None:
        replies = WebhookReplies(wait=1.0)
        future = replies.expect(query_id)
        offered = {"callback_query_id": query_id, "text": text, "show_alert": show_alert}
        assert replies.offer(METHOD, offered)
        return await replies.wait(query_id, future)

    body = asyncio.run(run())
    # What Telegram receives is exactly the call the handler made, as JSON.
    assert json.loads(json.dumps(body)) == {
        "method": METHOD,
        "callback_query_id": query_id,
        "text": text,
        "show_alert": show_alert,
    }


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)
UPDATE_KEYS = st.sampled_from(["update_id", "message", "callback_query", "my_chat_member", "x"])


@settings(max_examples=60, deadline=None)  # a server per example: slow on a loaded machine
@given(
    body=st.one_of(
        st.binary(max_size=200),
        JSON.map(lambda value: json.dumps(value).encode()),
        st.dictionaries(UPDATE_KEYS, JSON, max_size=4).map(lambda d: json.dumps(d).encode()),
    )
)
def test_any_body_with_the_right_secret_gets_a_clear_answer_and_the_server_stays_up(body):
    """Whatever arrives on the webhook (the secret can leak; proxies mangle bodies):
    200 (an update, queued), 400 (not an update), never a 500 or a dead server."""

    async def run() -> tuple[int, int]:
        app = Queueing()
        ops = await OpsServer(
            app, "127.0.0.1", 0, webhook_path="/telegram", secret=SECRET,
            replies=WebhookReplies(wait=0.01),
        ).start()  # fmt: skip
        try:
            url = f"http://127.0.0.1:{ops.port}/telegram"
            async with aiohttp.ClientSession() as session:
                async with session.post(url, data=body, headers={SECRET_HEADER: SECRET}) as r:
                    status = r.status
                async with session.post(url, json=TEXT, headers={SECRET_HEADER: SECRET}) as r:
                    after = r.status  # a real update right after is still taken
            return status, after
        finally:
            await ops.stop()

    status, after = asyncio.run(run())
    assert status in (200, 400)
    assert after == 200

"""The bot's HTTP port: webhook (with its secret), /healthz, /readyz and /metrics,
end to end against the Bot API stand-in."""

from __future__ import annotations

import asyncio
import contextlib
import re
from pathlib import Path

import aiohttp
import aiosqlite
import pytest

from bot.devtools.sandbox import Sandbox
from bot.telegram import callback_data
from tests.botapi_faults import FaultyBotApi
from tests.conftest import clock, last_keyboard, last_message_id, last_text


@pytest.fixture
async def webhook_box(snapshot, tmp_path: Path):
    api = await FaultyBotApi().start()
    box = await Sandbox.create(
        snapshot, database=tmp_path / "bot.sqlite3", clock=clock, webhook=True, api=api
    )
    try:
        yield box
    finally:
        await box.close()


async def get(url: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, await response.text()


def metric(text: str, name: str, **labels: str) -> float:
    """The value of one sample in Prometheus' text format (0 if absent)."""
    wanted = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        match = re.match(r"^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$", line)
        if not match or match[1] != name:
            continue
        have = ",".join(sorted((match[2] or "").split(","))) if match[2] else ""
        if have == wanted:
            return float(match[3])
    return 0.0


# -- webhook ---------------------------------------------------------------------------


async def test_webhook_mode_registers_a_random_secret_and_answers_updates(webhook_box):
    hook = webhook_box.api.webhook
    assert hook is not None and hook["url"].endswith("/telegram")
    assert len(hook["secret_token"]) >= 32
    calls = await webhook_box.text(501, "/start", language_code="de")
    assert "Gemeinde" in last_text(calls) or last_keyboard(calls)
    # no long polling in webhook mode
    assert not [c for c in webhook_box.api.calls if c.method == "getUpdates"]


async def test_webhook_refuses_a_wrong_or_missing_secret_and_handles_nothing(webhook_box):
    api = webhook_box.api
    forged = webhook_box.updates.message(502, "/start", language_code="de")
    before = len(api.calls)
    assert await api.post_update(forged, secret="not-the-secret") == 403
    assert await api.post_update(forged, secret="") == 403  # no header at all
    assert webhook_box.application.bot_data.ops.rejected == 2
    # A genuine update of the same chat afterwards: had a forged one been queued, it
    # would have been handled first (one chat's updates are handled in order).
    calls = await webhook_box.text(502, "/help", language_code="de")
    assert len(webhook_box.processing_seconds) == 1
    sent = [c for c in api.calls[before:] if c.method == "sendMessage"]
    assert len(sent) == len([c for c in calls if c.method == "sendMessage"]) == 1


async def test_webhook_rejects_a_body_that_is_no_update(webhook_box):
    api = webhook_box.api
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            api.webhook["url"],
            data=b"{not json",
            headers={"X-Telegram-Bot-Api-Secret-Token": api.webhook["secret_token"]},
        ) as response,
    ):
        assert response.status == 400
    calls = await webhook_box.text(503, "/help")
    assert calls and len(webhook_box.processing_seconds) == 1


async def start_and_tap_a_municipality(box, user_id: int) -> list:
    calls = await box.text(user_id, "/start", language_code="de")
    return await box.tap(
        user_id, callback_data.make("mun", "remich"), last_message_id(calls), language_code="de"
    )


async def test_a_taps_answer_rides_back_on_the_webhook_answer(webhook_box):
    """Bot API "Making requests when getting updates": the spinner is stopped by the
    answer to the POST that brought the tap, without a request of its own."""
    calls = await start_and_tap_a_municipality(webhook_box, 504)
    answers = [c for c in calls if c.method == "answerCallbackQuery"]
    assert [a.via for a in answers] == ["webhook"]
    assert answers[0].params["callback_query_id"]
    assert last_keyboard(calls), "the tap was handled: the menu replaced the picker"
    assert webhook_box.application.bot_data.ops.replies.carried == 1


async def test_polling_mode_answers_taps_by_request(sandbox):
    calls = await start_and_tap_a_municipality(sandbox, 506)
    assert [c.via for c in calls if c.method == "answerCallbackQuery"] == ["request"]


async def test_the_port_answers_other_paths_and_oversized_bodies_without_handling_them(
    webhook_box,
):
    api = webhook_box.api
    url = api.webhook["url"]
    headers = {"X-Telegram-Bot-Api-Secret-Token": api.webhook["secret_token"]}
    async with aiohttp.ClientSession() as session:
        async with session.get(url) as response:
            assert response.status == 405  # the webhook takes POST only
            assert response.headers["Allow"] == "POST"
        async with session.head(url.replace("/telegram", "/healthz")) as response:
            assert response.status == 200  # monitors that probe with HEAD see it alive
        async with session.post(url.replace("/telegram", "/nothing"), data=b"{}") as response:
            assert response.status == 404
        big = b'{"update_id": 1, "x": "' + b"a" * (1024 * 1024) + b'"}'
        async with session.post(url, data=big, headers=headers) as response:
            assert response.status == 413  # no update is that large
    calls = await webhook_box.text(507, "/help")
    assert calls and len(webhook_box.processing_seconds) == 1, "only /help was handled"


async def test_each_start_has_its_own_secret(snapshot, tmp_path):
    secrets = []
    for n in range(2):
        box = await Sandbox.create(snapshot, database=tmp_path / f"{n}.sqlite3", webhook=True)
        secrets.append(box.api.webhook["secret_token"])
        await box.close()
    assert secrets[0] != secrets[1]


# -- health ------------------------------------------------------------------------------


async def test_healthz_and_readyz(sandbox):
    status, body = await get(sandbox.http_url + "/healthz")
    assert status == 200 and "alive" in body
    status, body = await get(sandbox.http_url + "/readyz")
    assert status == 200, body
    assert '"database": "writable"' in body and "entries" in body


@contextlib.asynccontextmanager
async def read_only_reopen(storage, path: Path):
    """The bot's connection swapped for a read-only one to the same file, then back."""
    holder = getattr(storage, "connection", storage)  # the storage split keeps it there
    original = holder.db
    readonly = await aiosqlite.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
    holder.db = readonly
    try:
        yield
    finally:
        holder.db = original
        await readonly.close()


async def test_readyz_fails_while_the_database_is_read_only_and_recovers(sandbox, tmp_path):
    async with read_only_reopen(sandbox.storage, tmp_path / "bot.sqlite3"):
        status, body = await get(sandbox.http_url + "/readyz")
        assert status == 503
        assert "readonly" in body and '"ready": false' in body
        status, _ = await get(sandbox.http_url + "/healthz")
        assert status == 200  # alive, just not ready
    status, body = await get(sandbox.http_url + "/readyz")
    assert status == 200, body


async def test_readyz_fails_when_the_bot_api_cannot_be_reached(webhook_box):
    metrics = webhook_box.application.bot_data.metrics
    metrics.last_api_contact = None  # a quiet spell: no answer for a long time
    webhook_box.api.fail("getMe", error_code=502, description="Bad Gateway")
    status, body = await get(webhook_box.http_url + "/readyz")
    assert status == 503 and "bot_api" in body and "not reached" in body
    status, body = await get(webhook_box.http_url + "/readyz")  # getMe answers again
    assert status == 200, body


async def test_port_in_use_is_one_clear_error(snapshot, sandbox, tmp_path):
    from bot.ops.http import OpsServer, OpsServerError

    taken = sandbox.application.bot_data.ops.port
    with pytest.raises(OpsServerError, match=f"port {taken}"):
        await OpsServer(sandbox.application, "127.0.0.1", taken).start()


# -- metrics -----------------------------------------------------------------------------


async def test_metrics_move_with_a_conversation_and_hold_no_user_data(sandbox):
    _, before = await get(sandbox.http_url + "/metrics")
    calls = await sandbox.text(4242421, "/start", language_code="de")
    calls = await sandbox.tap(4242421, "mun:remich", last_message_id(calls))
    await sandbox.text(4242421, "Deutschkurs")
    await sandbox.text(4242421, "qqqzzz xylophon")  # nothing found
    await sandbox.tap(4242421, "menu", last_message_id(calls))
    sandbox.api.fail("sendMessage", error_code=429, retry_after=1)
    await sandbox.text(4242421, "/help")
    status, text = await get(sandbox.http_url + "/metrics")
    assert status == 200
    assert metric(text, "newcomer_bot_updates_total", kind="command") == 2
    assert metric(text, "newcomer_bot_updates_total", kind="text") == 2
    assert metric(text, "newcomer_bot_updates_total", kind="callback_query") == 2
    assert metric(text, "newcomer_bot_handler_seconds_count", kind="text") == 2
    assert metric(text, "newcomer_bot_api_429_total", client="replies") == 1
    assert metric(text, "newcomer_bot_usage_events_total", event="search") == 2
    assert metric(text, "newcomer_bot_usage_events_total", event="not_found") == 1
    assert metric(text, "newcomer_bot_usage_events_total", event="start") == 1
    assert metric(text, "newcomer_bot_content_version") == 1
    assert metric(text, "newcomer_bot_content_entries") > 10
    assert metric(text, "newcomer_bot_outbox_backlog") == 0
    assert metric(before, "newcomer_bot_updates_total", kind="command") == 0
    # nothing personal: no user id, no text, no token
    for secret in ("4242421", "Deutschkurs", "xylophon", sandbox.application.bot.token):
        assert secret not in text


def test_deliveries_by_result_429s_and_reloads_are_counted():
    from types import SimpleNamespace

    from bot.ops.metrics import Metrics

    metrics = Metrics()
    for status in (200, 200, 403, 429, 400, None, 502):
        metrics.observe_api("delivery", "sendMessage", status)
    metrics.observe_api("replies", "editMessageText", 429)
    reloader = SimpleNamespace(results=[SimpleNamespace(ok=True), SimpleNamespace(ok=False)])
    asyncio.run(metrics.refresh(reloader=reloader))
    text = metrics.render().decode()
    expected = {"sent": 2, "blocked": 1, "rate_limited": 1, "rejected": 1, "error": 2}
    for result, count in expected.items():
        assert metric(text, "newcomer_bot_deliveries_total", result=result) == count
    assert metric(text, "newcomer_bot_api_429_total", client="delivery") == 1
    assert metric(text, "newcomer_bot_api_429_total", client="replies") == 1
    assert metric(text, "newcomer_bot_content_reloads", result="ok") == 1
    assert metric(text, "newcomer_bot_content_reloads", result="rejected") == 1

"""Benchmark: the bot's own CPU to take in an update, by webhook and by long polling.

In: the update script of :mod:`bench.updates` (5,000 mixed updates, 54 % button
taps). Out: a printed report (exit code 0 whatever the figures).

Why a second webhook benchmark: in ``bench/updates.py --ab webhook`` the Bot API
stand-in posting every update shares the machine's two cores with the bot, so
Telegram's work (in production on Telegram's servers) slows the bot down, and
differently from run to run. Here only what differs between the two modes runs,
and only the bot's process is measured (``time.process_time``, all its threads):

* webhook: the bot's HTTP server (:class:`bot.ops.http.OpsServer`) receives each
  update as a POST from the stand-in in another process (40 connections, like
  Telegram), and a tap's answerCallbackQuery rides back on that POST's answer
  (:mod:`bot.telegram.webhook_reply`);
* polling: ``getUpdates`` 100 at a time from the same stand-in, and each tap's
  answerCallbackQuery is a request of its own.

Both modes parse the updates into python-telegram-bot objects (the same work) and
answer every tap through :meth:`telegram.Bot.answer_callback_query` over the same
request backend (:class:`bot.telegram.request.AiohttpRequest`); nothing else of
the bot runs. Rounds alternate the two modes; figures are medians.

Usage: ``.venv/bin/python bench/webhook_intake.py [--rounds 6] [--updates 5000]``
"""

from __future__ import annotations

import argparse
import asyncio
import json
import secrets
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from telegram import Bot, Update  # noqa: E402

from bench.updates import (  # noqa: E402
    RemoteFakeBotApi,
    machine_summary,
    make_script,
    run_main,
    verdict,
)
from bot.content.snapshot import Snapshot  # noqa: E402
from bot.devtools.sandbox import TEST_TOKEN  # noqa: E402
from bot.ops.http import OpsServer  # noqa: E402
from bot.telegram.request import AiohttpRequest  # noqa: E402
from bot.telegram.webhook_reply import WebhookReplies  # noqa: E402


class Intake:
    """What the webhook server needs of an Application: ``bot`` and ``update_queue``."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot
        self.update_queue: asyncio.Queue[Update] = asyncio.Queue()


async def answer_taps(bot: Bot, updates: list[Update]) -> None:
    """Answer each tap as the handlers do (concurrently, as updates of different chats)."""
    taps = [u.callback_query.id for u in updates if u.callback_query is not None]
    await asyncio.gather(*(bot.answer_callback_query(query_id) for query_id in taps))


async def by_webhook(api: RemoteFakeBotApi, timed: list[tuple[int, dict]]) -> tuple[float, int]:
    """Bot CPU seconds to take in ``timed`` by webhook and answer its taps, and how
    many answers rode back on webhook answers."""
    replies = WebhookReplies()
    bot = Bot(TEST_TOKEN, base_url=api.base_url, request=AiohttpRequest(replies=replies))
    await bot.initialize()
    intake = Intake(bot)
    secret = secrets.token_urlsafe(32)
    server = await OpsServer(
        intake, "127.0.0.1", 0, webhook_path="/telegram", secret=secret, replies=replies
    ).start()
    try:
        await bot.set_webhook(f"http://127.0.0.1:{server.port}/telegram", secret_token=secret)

        async def consume() -> None:
            pending = []
            for _ in timed:
                update = await intake.update_queue.get()
                if update.callback_query is not None:
                    pending.append(asyncio.create_task(answer_taps(bot, [update])))
            await asyncio.gather(*pending)

        body = json.dumps({"updates": timed}).encode()  # the stand-in's work, not timed
        started = time.process_time()
        consumer = asyncio.create_task(consume())
        await api.push_encoded(body)
        await consumer
        cpu = time.process_time() - started
        await bot.delete_webhook()
        return cpu, replies.carried
    finally:
        await server.stop()
        await bot.shutdown()


async def by_polling(api: RemoteFakeBotApi, timed: list[tuple[int, dict]]) -> tuple[float, int]:
    """Bot CPU seconds to take in ``timed`` by getUpdates and answer its taps (0 answers
    carried)."""
    bot = Bot(TEST_TOKEN, base_url=api.base_url, request=AiohttpRequest())
    await bot.initialize()
    try:
        await api.push_encoded(json.dumps({"updates": timed}).encode())
        started = time.process_time()
        offset, received, answering = 0, 0, []
        while received < len(timed):
            updates = await bot.get_updates(offset=offset, limit=100, timeout=10)
            received += len(updates)
            offset = updates[-1].update_id + 1
            answering.append(asyncio.create_task(answer_taps(bot, list(updates))))
        await asyncio.gather(*answering)
        return time.process_time() - started, 0
    finally:
        await bot.shutdown()


async def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--updates", type=int, default=5000)
    args = parser.parse_args(argv)
    snapshot = Snapshot.load(ROOT / "content")
    script = make_script(snapshot, 200, args.updates, seed=1)
    timed = script.timed
    taps = sum(1 for _, payload in timed if "callback_query" in payload)
    print("Webhook intake benchmark: the bot's own CPU to take in an update and answer taps")
    print(f"machine: {machine_summary()}")
    print(f"workload: {len(timed)} updates, {taps} of them button taps ({taps / len(timed):.0%})")
    results: dict[str, list[float]] = {"polling": [], "webhook": []}
    for round_ in range(args.rounds):
        order = ("polling", "webhook") if round_ % 2 == 0 else ("webhook", "polling")
        for mode in order:
            api = await RemoteFakeBotApi().start()
            try:
                take: Any = by_webhook if mode == "webhook" else by_polling
                cpu, carried = await take(api, timed)
            finally:
                await api.stop()
            results[mode].append(cpu / len(timed))
            line = f"  round {round_ + 1} {mode:8} {cpu / len(timed) * 1e6:6.1f} µs per update"
            if mode == "webhook":
                line += f", {carried} of {taps} tap answers carried in webhook answers"
            print(line)
    ratios = [w / p for p, w in zip(results["polling"], results["webhook"], strict=True)]
    polling = statistics.median(results["polling"]) * 1e6
    webhook = statistics.median(results["webhook"]) * 1e6
    ratio = statistics.median(ratios)
    print()
    print(f"polling: {polling:.1f} µs per update, webhook: {webhook:.1f} µs per update (medians)")
    print(
        f"webhook / polling, the bot's CPU to take in an update: {ratio:.3f} "
        f"(target ≤ 1.0, i.e. at least as fast: {verdict(ratio <= 1.0)})"
    )
    return 0


if __name__ == "__main__":
    run_main(main, budget=900.0)

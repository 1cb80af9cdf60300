"""The announcement delivery worker alone in a process, for the kill -9 test.

In: ``DB BASE_URL RATE [--idle-exit SECONDS]``: the SQLite database holding the
outbox, the Bot API base URL (python-telegram-bot's ``base_url``, e.g. a
:class:`bot.devtools.fake_bot_api.FakeBotApi`'s) and the send rate in messages per second.

Out: sends every pending outbox row through :class:`bot.delivery.worker.DeliveryWorker`.
Prints ``ready concurrency=<senders>`` on stdout once the worker runs, and
``done sent=<n> failed=<n>`` when it leaves. It runs until killed, or exits by
itself (code 0) once no outbox row has been pending for ``--idle-exit`` seconds
(default 3), so a forgotten process does not linger.

Usage::

    python tests/delivery_process.py data/bot.sqlite3 http://127.0.0.1:8081/bot 200
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: tests/ is on sys.path, not the root
    sys.path.insert(0, str(ROOT))

from telegram import Bot  # noqa: E402

from bot.delivery.worker import DeliveryWorker  # noqa: E402
from bot.storage import OutboxItem, Storage  # noqa: E402

TOKEN = "123456:delivery-process-not-real"
#: How often the idle check looks at the outbox (not synchronisation: a safety net).
IDLE_CHECK_SECONDS = 0.2


def render(item: OutboxItem, texts: dict[str, str], default_language: str) -> str:
    """The text in the recipient's language if there is one, else in the default language."""
    return texts.get(item.language or "", texts[default_language])


async def main(argv: list[str] | None = None) -> int:
    """Run the worker on ``DB`` until killed or idle; returns the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("db", type=Path)
    parser.add_argument("base_url")
    parser.add_argument("rate", type=float)
    parser.add_argument("--idle-exit", type=float, default=3.0)
    args = parser.parse_args(argv)

    storage = await Storage.open(args.db)
    bot = Bot(TOKEN, base_url=args.base_url)
    worker = DeliveryWorker(storage, bot, render, rate=args.rate)
    try:
        await bot.initialize()
        worker.start()
        print(f"ready concurrency={worker.concurrency}", flush=True)
        idle_since: float | None = None
        while True:
            await asyncio.sleep(IDLE_CHECK_SECONDS)
            # Rows in flight are still 'pending' in the database, so None means done.
            if await storage.next_due() is not None:
                idle_since = None
            elif idle_since is None:
                idle_since = time.monotonic()
            elif time.monotonic() - idle_since >= args.idle_exit:
                break
    finally:
        await worker.stop()
        await bot.shutdown()
        await storage.close()
    print(f"done sent={worker.stats.sent} failed={worker.stats.failed}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))

"""Running the bot with a webhook (``BOT_WEBHOOK_URL``) until SIGINT or SIGTERM.

The same life cycle as python-telegram-bot's ``run_polling``/``run_webhook``
(initialize, post_init, start; then stop, post_stop, shutdown, post_shutdown),
with updates arriving on the bot's own HTTP server (:mod:`bot.ops.http`, started
in post_init). On the way down the HTTP server stops first, so Telegram keeps
what arrives meanwhile and sends it again after the restart; updates already
accepted are handled before the bot stops. The webhook stays registered.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

from telegram.ext import Application

from bot.ops import logs
from bot.ops.http import register_webhook

log = logging.getLogger(__name__)


async def start_webhook(application: Application) -> None:
    """initialize, post_init, start, then ``setWebhook`` with this start's secret."""
    await application.initialize()
    if application.post_init:
        await application.post_init(application)
    await application.start()
    data = application.bot_data
    logs.add_secret(data.webhook_secret)
    await register_webhook(application, data.settings.webhook_url, data.webhook_secret)


async def stop_webhook(application: Application) -> None:
    """Stop taking updates, handle those accepted, shut everything down."""
    ops = getattr(application.bot_data, "ops", None)
    if ops is not None:
        await ops.stop()
    if application.running:
        await application.stop()
    if application.post_stop:
        await application.post_stop(application)
    await application.shutdown()
    if application.post_shutdown:
        await application.post_shutdown(application)


async def serve_webhook(application: Application, stop: asyncio.Event | None = None) -> None:
    """Run until ``stop`` is set (or SIGINT/SIGTERM when it is None)."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    try:
        await start_webhook(application)
        log.info("running with a webhook; stop with SIGTERM or Ctrl-C")
        await stop.wait()
    finally:
        await stop_webhook(application)


def run_webhook(application: Application) -> None:
    asyncio.run(serve_webhook(application))

"""What the bot does around a delivery (:mod:`bot.delivery.worker`) in Telegram:
render each recipient's text, and keep the author's progress message up to date.

:func:`bot.app.build_application` gives the worker :func:`make_renderer` as its
``render`` and :func:`report_progress` as its ``on_change``.
"""

from __future__ import annotations

import logging

from telegram.error import BadRequest, TelegramError
from telegram.ext import Application

from bot.i18n import translator
from bot.storage import OutboxItem
from bot.views.news import announcement_message
from bot.views.staff import progress_text

log = logging.getLogger(__name__)


async def report_progress(application: Application, announcement_ids: set[int]) -> None:
    """Edit each changed announcement's progress message; finish and report done ones."""
    data = application.bot_data
    storage = data.storage
    for announcement_id in sorted(announcement_ids):
        announcement = await storage.announcement(announcement_id)
        if announcement is None:
            continue
        counts = await storage.delivery_counts(announcement_id)
        done = counts["pending"] == 0 and await storage.finish_announcement(announcement_id)
        author = await storage.get_user(announcement.author_id)
        t = translator(author.language if author else None)
        text = progress_text(announcement_id, counts, t, done=done)
        if announcement.progress_chat_id and announcement.progress_message_id:
            try:
                await application.bot.edit_message_text(
                    text, announcement.progress_chat_id, announcement.progress_message_id
                )
            except BadRequest as exc:
                if "not modified" not in exc.message.lower():
                    log.info("progress edit failed: %s", exc.message)
            except TelegramError as exc:
                log.info("progress edit failed: %s", type(exc).__name__)
        if done and announcement.progress_chat_id:
            try:
                await application.bot.send_message(announcement.progress_chat_id, text)
            except TelegramError as exc:
                log.info("final report failed: %s", type(exc).__name__)


def make_renderer(application: Application):
    """The delivery worker's ``render``: one recipient's text in their language."""

    def render(item: OutboxItem, texts: dict[str, str], default_language: str) -> str:
        content = application.bot_data.snapshot.content
        place = content.place(item.municipality)
        return announcement_message(texts, default_language, translator(item.language), place)

    return render

"""The error handler: log without personal data, apologise to the user, keep running."""

from __future__ import annotations

import logging
from html import escape

from telegram import Update
from telegram.error import Forbidden, NetworkError, TimedOut

from bot.handlers.common import Context
from bot.i18n import normalize_language, translator

log = logging.getLogger(__name__)


def update_kind(update: object) -> str:
    """The update's type (``message``, ``callback_query``, …): loggable, unlike its text."""
    if isinstance(update, Update):
        for kind in Update.ALL_TYPES:
            if getattr(update, kind, None) is not None:
                return kind
        return "empty"
    return type(update).__name__


async def on_error(update: object, context: Context) -> None:
    """Log the exception with the update type and id (never its text), then apologise.

    Network errors while polling are logged briefly; a failing apology is
    swallowed so that one bad update never stops the bot.
    """
    error = context.error
    if isinstance(error, NetworkError | TimedOut) and update is None:
        log.warning("network problem while polling: %s", type(error).__name__)
        return
    update_id = update.update_id if isinstance(update, Update) else None
    log.error(
        "error while handling update %s (%s): %s",
        update_id,
        update_kind(update),
        type(error).__name__,
        exc_info=error,
    )
    if not isinstance(update, Update) or isinstance(error, Forbidden):
        return
    chat = update.effective_chat
    if chat is None or chat.type != "private":
        return
    tg_user = update.effective_user
    t = translator(normalize_language(tg_user.language_code) if tg_user else None)
    try:
        stored = await context.bot_data.storage.get_user(tg_user.id) if tg_user else None
        if stored and stored.language:
            t = translator(stored.language)
    except Exception:
        pass
    text = t._("Sorry, something went wrong. Please try again, or send /menu.")
    try:
        if update.callback_query:
            await update.callback_query.answer()
        await context.bot.send_message(chat.id, t.paragraph(escape(text)))
    except Exception:
        log.warning("could not send the apology for update %s", update_id)

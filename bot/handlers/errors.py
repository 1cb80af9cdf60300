"""The error handler: log without personal data, apologise to the user, keep running."""

from __future__ import annotations

import logging
import time
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


#: At most one error notice to admins per this many seconds, so a failing
#: dependency does not flood their chats.
ADMIN_NOTICE_INTERVAL = 60.0


class ErrorReporter:
    """The Application's error handler (:meth:`on_error`); one per Application, so
    the pause between notices to admins is that bot's own (and each test's)."""

    def __init__(self, interval: float = ADMIN_NOTICE_INTERVAL) -> None:
        self.interval = interval
        self.last_notice: float | None = None

    async def on_error(self, update: object, context: Context) -> None:
        """Log the exception with the update type and id (never its text), tell the
        admins (at most once per :attr:`interval`), then apologise to the user."""
        await on_error(update, context, self)

    def may_notify(self) -> bool:
        """True (and the notice counted) unless the admins had one under ``interval`` ago."""
        now = time.monotonic()
        if self.last_notice is not None and now - self.last_notice < self.interval:
            return False
        self.last_notice = now
        return True


async def _tell_admins(
    context: Context, reporter: ErrorReporter, update_id: int | None, kind: str, error: str
) -> None:
    """Tell the admins that something failed: update id, type and error class only."""
    staff = getattr(context.bot_data, "staff", None)
    if staff is None or not reporter.may_notify():
        return
    for admin_id in staff.ids_with("grant"):
        try:
            await context.bot.send_message(
                admin_id, f"⚠️ Error while handling update {update_id} ({kind}): {error}"
            )
        except Exception:  # an admin who blocked the bot must not matter
            log.info("could not notify admin %s", admin_id)


async def on_error(update: object, context: Context, reporter: ErrorReporter) -> None:
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
    await _tell_admins(context, reporter, update_id, update_kind(update), type(error).__name__)
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

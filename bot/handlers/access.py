"""Authorising staff commands when they run.

A command a user may not use behaves like any unknown command (staff commands
stay invisible), and the refusal is logged with the user id and the action only.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable

from telegram import Update

from bot.handlers.common import Context, unknown_command

log = logging.getLogger(__name__)

Handler = Callable[[Update, Context], Awaitable[None]]


def refuse(update: Update, action: str) -> None:
    """Log a refused staff action: who and what, never any text."""
    user = update.effective_user
    log.warning("refused %s for user %s", action, user.id if user else None)


def staff_only(permission: str, action: str | None = None) -> Callable[[Handler], Handler]:
    """Run the handler only for staff whose role grants ``permission``
    (see :data:`bot.content.staff.PERMISSIONS`); others get the unknown-command answer."""

    def decorate(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def wrapper(update: Update, context: Context) -> None:
            user = update.effective_user
            if user is None or not context.bot_data.staff.can(user.id, permission):
                refuse(update, action or permission)
                await unknown_command(update, context)
                return
            await handler(update, context)

        return wrapper

    return decorate

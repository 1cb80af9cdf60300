"""Handlers that run around every update: refuse what cannot be handled, forget what
need not be kept.

:func:`senderless_private_message` answers a private-chat update without a sender
(``from`` is missing: an odd client, or a forged update) with the help text and
stops there; every newcomer handler needs to know who is asking.

:class:`UserDataJanitor` keeps python-telegram-bot's ``Application.user_data``
small. The library keeps a dict per user for ever once a handler has touched
``context.user_data``, so the table grew by one entry per distinct user. After
each update the user's dict is dropped if it holds nothing; what remains (a
municipality being awaited, the last question for "more results", an
announcement draft) is dropped after :data:`IDLE_SECONDS` without an update
from that user.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from telegram import Update
from telegram.ext import Application, ApplicationHandlerStop, ContextTypes, TypeHandler

from bot.i18n import translator
from bot.views.newcomer import help_text

#: user_data of a user without updates for this long is dropped.
IDLE_SECONDS = 24 * 3600
#: How often idle user_data is looked for.
SWEEP_SECONDS = 3600
#: Handler groups: before and after every other handler.
FIRST_GROUP, LAST_GROUP = -100, 100


async def senderless_private_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A private-chat update without a sender: the help text, and nothing else runs."""
    chat = update.effective_chat
    if chat is None or chat.type != "private" or update.effective_user is not None:
        return
    if update.effective_message is not None and update.callback_query is None:
        t = translator(None)
        await context.bot.send_message(chat.id, help_text(t))
    raise ApplicationHandlerStop


class UserDataJanitor:
    """Drops empty user_data after each update and idle user_data periodically."""

    def __init__(
        self, idle_seconds: float = IDLE_SECONDS, clock: Callable[[], float] = time.monotonic
    ):
        self.idle_seconds = idle_seconds
        self.clock = clock
        #: user id -> when their user_data was last seen holding something.
        self.last_seen: dict[int, float] = {}

    async def after_update(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        user = update.effective_user
        if user is None:
            return
        application = context.application
        if application.user_data.get(user.id):
            self.last_seen[user.id] = self.clock()
        else:
            self.last_seen.pop(user.id, None)
            if user.id in application.user_data:
                application.drop_user_data(user.id)

    def sweep(self, application: Application) -> int:
        """Drop the user_data of users idle for :attr:`idle_seconds`; how many."""
        cutoff = self.clock() - self.idle_seconds
        idle = [user_id for user_id, seen in self.last_seen.items() if seen < cutoff]
        for user_id in idle:
            del self.last_seen[user_id]
            if user_id in application.user_data:
                application.drop_user_data(user_id)
        # Entries this janitor never saw (e.g. dropped updates) go too.
        for user_id in [u for u in application.user_data if u not in self.last_seen]:
            if not application.user_data[user_id]:
                application.drop_user_data(user_id)
        return len(idle)

    async def _sweep_job(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        self.sweep(context.application)

    def install(self, application: Application) -> None:
        application.add_handler(TypeHandler(Update, self.after_update), group=LAST_GROUP)
        application.job_queue.run_repeating(
            self._sweep_job, interval=SWEEP_SECONDS, first=SWEEP_SECONDS, name="user-data-sweep"
        )


def install(application: Application) -> UserDataJanitor:
    """Add the guard before every handler and the janitor after them."""
    application.add_handler(TypeHandler(Update, senderless_private_message), group=FIRST_GROUP)
    janitor = UserDataJanitor()
    janitor.install(application)
    application.bot_data.user_data_janitor = janitor
    return janitor

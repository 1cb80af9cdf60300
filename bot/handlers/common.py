"""Small helpers every handler uses: who is asking, in which language, how to answer."""

from __future__ import annotations

import asyncio
import logging
from typing import TypeAlias

from telegram import Update
from telegram.error import BadRequest
from telegram.ext import CallbackContext, ExtBot

from bot.context import BotData
from bot.i18n import Translator, normalize_language, translator
from bot.storage import User
from bot.views.newcomer import View

log = logging.getLogger(__name__)

Context: TypeAlias = CallbackContext[ExtBot, dict, dict, BotData]


async def current_user(update: Update, context: Context) -> tuple[User | None, Translator]:
    """The stored user (None if unknown) and the translator for their language.

    Language: the stored choice, else the Telegram client's language when the bot
    has it, else English.
    """
    tg_user = update.effective_user
    if tg_user is None:
        return None, translator(None)
    user = await context.bot_data.storage.get_user(tg_user.id)
    lang = (user.language if user else None) or normalize_language(tg_user.language_code)
    return user, translator(lang)


async def answer_and_show(update: Update, context: Context, view: View) -> None:
    """Answer the button's callback query and edit its message at the same time.

    Telegram needs both (the answer stops the phone's progress indicator); sending
    them together saves one round trip per tap.
    """
    await asyncio.gather(update.callback_query.answer(), show(update, context, view))


async def show(update: Update, context: Context, view: View | str, *, edit: bool = True) -> None:
    """Edit the message a button belongs to (menus change in place), else send a new one.

    Telegram refuses edits that change nothing ("message is not modified"): that
    is a no-op here. A message that can no longer be edited gets a fresh message.
    """
    if isinstance(view, str):
        view = View(view)
    query = update.callback_query
    if edit and query is not None and query.message is not None:
        try:
            await query.edit_message_text(view.text, reply_markup=view.keyboard)
            return
        except BadRequest as exc:
            if "not modified" in exc.message.lower():
                return
            log.info("edit failed (%s); sending a new message", exc.message)
    chat = update.effective_chat
    if chat is not None:
        await context.bot.send_message(chat.id, view.text, reply_markup=view.keyboard)

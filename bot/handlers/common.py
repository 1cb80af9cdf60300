"""What every handler shares: who is asking, in which language, how to answer, and
the ways back to the menu (or to the municipality picker when none is chosen).

The newcomer handlers (:mod:`~bot.handlers.onboarding`, :mod:`~bot.handlers.browse`,
:mod:`~bot.handlers.subscriptions`, :mod:`~bot.handlers.questions`) and the staff
handlers all import this module, and none imports another newcomer module except
:mod:`~bot.handlers.questions` (typed municipality names go to onboarding, /search
without a municipality to the menu). tests/test_architecture.py keeps it free of cycles.
"""

from __future__ import annotations

import asyncio
import logging
from html import escape
from typing import TypeAlias

from telegram import Update
from telegram.error import BadRequest
from telegram.ext import CallbackContext, ExtBot

from bot.content.store import Place
from bot.context import BotData
from bot.i18n import Translator, normalize_language, translator
from bot.storage import User
from bot.telegram import callback_data
from bot.telegram.callback_data import Callback
from bot.views import newcomer as views
from bot.views.common import View

log = logging.getLogger(__name__)

Context: TypeAlias = CallbackContext[ExtBot, dict, dict, BotData]

AWAITING = "awaiting"  # user_data key: what typed text means right now
#: user_data key: a question typed before the municipality was known, answered as
#: soon as it is (kept in memory only, like the last query for "show more").
PENDING_QUESTION = "pending_question"

#: How a kept question is answered: :func:`bot.handlers.questions.answer_question`,
#: registered by that module (it imports onboarding, so onboarding cannot import it).
_question_answerer = None


def answer_questions_with(answerer) -> None:
    """Register ``answerer(update, context, text, user, t)`` for kept questions."""
    global _question_answerer
    _question_answerer = answerer


async def answer_pending_question(update: Update, context: Context, t: Translator) -> None:
    """Answer the question kept while the municipality was unknown, if there is one."""
    text = context.user_data.pop(PENDING_QUESTION, None)
    if not text or _question_answerer is None:
        return
    user = await context.bot_data.storage.get_user(update.effective_user.id)
    if user is not None and user_place(context, user) is not None:
        await _question_answerer(update, context, text, user, t)


def show_examples(context: Context) -> bool:
    """Whether example entries are shown (``BOT_SHOW_EXAMPLES``, default on)."""
    settings = getattr(context.bot_data, "settings", None)
    return getattr(settings, "show_examples", True)


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


def tapped(update: Update) -> Callback:
    """The tapped button's data. Only for handlers routed by a
    :func:`bot.telegram.callback_data.pattern`, which has already checked it."""
    data = callback_data.parse(update.callback_query.data if update.callback_query else None)
    if data is None:
        raise ValueError("a button handler got data its pattern does not match")
    return data


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


# -- the way back: menu or municipality picker ----------------------------------------


def user_place(context: Context, user: User | None) -> Place | None:
    """The user's municipality, or None if they have none (or it left the content)."""
    return context.bot_data.snapshot.content.place(user.municipality if user else None)


async def ask_municipality(
    update: Update, context: Context, t: Translator, page: int = 0, region: str | None = None
) -> None:
    """The municipality picker; typed text now means a municipality name.

    When the user already has a municipality, the picker offers to keep it.
    """
    context.user_data[AWAITING] = "municipality"
    content = context.bot_data.snapshot.content
    user = await context.bot_data.storage.get_user(update.effective_user.id)
    current = user_place(context, user)
    await show(update, context, views.municipality_picker(content, t, page, region, current))


async def menu_view(update: Update, context: Context, place: Place, t: Translator) -> View:
    """The main menu; it asks about news once, until the user answered. Typed text
    means a question again (not a municipality name)."""
    context.user_data.pop(AWAITING, None)
    content = context.bot_data.snapshot.content
    today = context.bot_data.today(place.region)
    user = await context.bot_data.storage.get_user(update.effective_user.id)
    ask = user is not None and not user.asked_subscribe and not user.subscribed
    ask_person = context.bot_data.handoff.available(place)  # "Ask a person" (bot/handoff)
    return views.main_menu(
        content,
        place,
        t,
        today,
        ask_subscribe=ask,
        examples=show_examples(context),
        ask_person=ask_person,
    )


async def show_menu(
    update: Update, context: Context, place: Place, t: Translator, *, edit: bool = True
) -> None:
    await show(update, context, await menu_view(update, context, place, t), edit=edit)


async def place_gone(update: Update, context: Context, user: User | None, t: Translator) -> bool:
    """If the user's municipality was removed from the content, say so; True if it was."""
    if user is None or not user.municipality or user_place(context, user) is not None:
        return False
    text = t._("Your municipality is no longer in the list. Please choose it again.")
    await context.bot.send_message(update.effective_chat.id, t.paragraph(escape(text)))
    return True


async def back_to_start(update: Update, context: Context, user: User | None, t: Translator):
    """The menu, or the municipality picker if the user has no (valid) municipality."""
    place = user_place(context, user)
    if place is None:
        await place_gone(update, context, user, t)
        await ask_municipality(update, context, t)
    else:
        await show_menu(update, context, place, t)


# -- what nobody handles --------------------------------------------------------------


async def unknown_command(update: Update, context: Context) -> None:
    """A command the bot does not know (or the user may not use): say so, and the help."""
    _, t = await current_user(update, context)
    text = t._("I do not know this command.")
    await update.effective_message.reply_text(f"{escape(text)}\n\n{views.help_text(t)}")


async def unknown_button(update: Update, context: Context) -> None:
    """The last button handler: stale, forged or unknown data lead to the menu."""
    user, t = await current_user(update, context)
    await update.callback_query.answer(views.stale_button(t))
    await back_to_start(update, context, user, t)

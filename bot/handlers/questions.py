"""Typed text and /search: the best entries for what the newcomer typed.

Typed text is a municipality name while the bot waits for one (handed to
:mod:`bot.handlers.onboarding`), otherwise a question.

A greeting or thanks gets a short friendly reply and the menu. Questions the
bot cannot answer well are recorded without any user id, so editors can see
what is missing (``newcomer-bot gaps``).
"""

from __future__ import annotations

from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.events import search as event_search
from bot.handlers.browse import menu_command
from bot.handlers.common import (
    AWAITING,
    Context,
    answer_questions_with,
    ask_municipality,
    current_user,
    place_gone,
    show,
    show_menu,
    tapped,
    user_place,
)
from bot.handlers.onboarding import pick_municipality_by_name
from bot.i18n import Translator
from bot.privacy import scrub  # no phone numbers, e-mails, long digit runs or names kept
from bot.storage import User
from bot.views import events as event_views
from bot.views import newcomer as views

RESULTS_PER_PAGE = 5
LAST_QUERY = "last_query"  # user_data key; kept in memory only, for "show more"


async def on_text(update: Update, context: Context) -> None:
    """Plain text: a municipality name while one is awaited, otherwise a question."""
    user, t = await current_user(update, context)
    text = (update.effective_message.text or "").strip()
    if user is None or not user.language:
        user = await context.bot_data.storage.save_user(update.effective_user.id, language=t.lang)
    if user_place(context, user) is None or context.user_data.get(AWAITING) == "municipality":
        if await place_gone(update, context, user, t):
            await ask_municipality(update, context, t)
            return
        await pick_municipality_by_name(update, context, text, t)
        return
    await answer_question(update, context, text, user, t)


async def answer_question(
    update: Update,
    context: Context,
    text: str,
    user: User,
    t: Translator,
    *,
    offset: int = 0,
    edit: bool = False,
) -> None:
    """Search ``text`` for the user's municipality (or the one the question names).

    ``edit``: show the results in the tapped button's message (paging, Back)."""
    snapshot = context.bot_data.snapshot
    place = snapshot.content.place(user.municipality)
    if place is None:
        await pick_municipality_by_name(update, context, text, t)
        return
    today = context.bot_data.today(place.region)
    if offset == 0 and (when := event_search.when_asked(text)):  # "today", "اليوم": events
        now = context.bot_data.clock()
        examples = context.bot_data.settings.show_examples
        view = event_views.answer_view(snapshot.content, place, t, now, when, examples=examples)
        await show(update, context, view, edit=edit)
        return
    result = snapshot.search.search(
        text, t.lang, place.municipality.id, today, limit=RESULTS_PER_PAGE, offset=offset
    )
    if result.is_smalltalk:
        await update.effective_message.reply_text(views.small_talk(result.kind, t))
        await show_menu(update, context, place, t, edit=False)
        return
    if offset == 0 and not edit:  # usage counts: a search, and whether it found anything
        context.bot_data.stats.searched(bool(result.hits), language=t.lang, municipality=place.municipality.id, user_id=update.effective_user.id)  # fmt: skip
    if (
        not result.hits
        and offset == 0
        and (events := event_search.matching_events(snapshot.content, place, text))
    ):
        now = context.bot_data.clock()
        examples = context.bot_data.settings.show_examples
        view = event_views.answer_view(
            snapshot.content, place, t, now, events=events, examples=examples
        )
        await show(update, context, view, edit=edit)
        return
    if not result.hits and offset == 0 and not edit:
        await context.bot_data.storage.record_unanswered(scrub(text), t.lang, place.municipality.id)
        ask = context.bot_data.handoff.available(place)
        view = views.no_results(snapshot.content, place, t, ask_person=ask)
        await show(update, context, view, edit=False)
        return
    context.user_data[LAST_QUERY] = text
    searched = snapshot.content.place(result.municipality_id) or place
    view = views.search_results(
        snapshot.content,
        result,
        t,
        offset=offset,
        searched_place=searched,
        per_page=RESULTS_PER_PAGE,
        examples=context.bot_data.settings.show_examples,
    )
    await show(update, context, view, edit=edit)


async def on_more_button(update: Update, context: Context) -> None:
    """``more:<offset>``: the next results for the last question."""
    data = tapped(update)
    user, t = await current_user(update, context)
    query = context.user_data.get(LAST_QUERY)
    await update.callback_query.answer()
    if not query or user is None:
        await show(update, context, views.search_hint(t))
        return
    await answer_question(update, context, query, user, t, offset=data.num(0), edit=True)


answer_questions_with(answer_question)  # questions typed before the municipality was known


async def search_command(update: Update, context: Context) -> None:
    """/search <words>: in private chats like a typed question; in groups a short list."""
    user, t = await current_user(update, context)
    words = " ".join(context.args or []).strip()
    if not words:
        await update.effective_message.reply_text(views.search_hint(t))
        return
    if update.effective_chat.type == "private":
        if user is None or user.municipality is None:
            await menu_command(update, context)
            return
        await answer_question(update, context, words, user, t)
        return
    await _answer_in_group(update, context, words, user, t)


async def _answer_in_group(
    update: Update, context: Context, words: str, user: User | None, t: Translator
) -> None:
    """Groups see titles and summaries only; cards open in the private chat."""
    snapshot = context.bot_data.snapshot
    url = f"https://t.me/{context.bot.username}?start=search"
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("💬 " + t._("Open the bot"), url=url)]])
    place = snapshot.content.place(user.municipality if user else None)
    if place is None:
        place = snapshot.places.find_in_question(words)
    if place is None:
        text = t._("Tell me your municipality in a private chat first, or name it in the search.")
        await update.effective_message.reply_text(t.paragraph(escape(text)), reply_markup=keyboard)
        return
    today = context.bot_data.today(place.region)
    result = snapshot.search.search(words, t.lang, place.municipality.id, today, limit=3)
    if result.is_smalltalk:
        await update.effective_message.reply_text(
            views.small_talk(result.kind, t), reply_markup=keyboard
        )
        return
    if not result.hits:
        await context.bot_data.storage.record_unanswered(
            scrub(words), t.lang, place.municipality.id
        )
        text = "🤔 " + escape(t._("Sorry, I found nothing for this question."))
        await update.effective_message.reply_text(t.paragraph(text), reply_markup=keyboard)
        return
    lines = []
    for hit in result.hits:
        entry = snapshot.content.entries[hit.entry_id]
        default = snapshot.content.default_language(entry.id)
        title, _ = views.localized(entry.title, t, default)
        summary, _ = views.localized(entry.summary, t, default)
        lines.append(f"• <b>{escape(t.auto(title))}</b>\n{escape(summary)}")
    await update.effective_message.reply_text(
        t.paragraph("\n\n".join(lines)), reply_markup=keyboard
    )

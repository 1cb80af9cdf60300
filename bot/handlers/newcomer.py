"""Handlers for newcomers in private chats: onboarding, menus, cards, questions.

Handlers stay thin: they read the update, ask :mod:`bot.content`, :mod:`bot.search.places`
and :mod:`bot.search.index`, and answer with a :mod:`bot.views.newcomer` view. Navigation state
lives in callback data, so buttons keep working after a restart.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from html import escape
from zoneinfo import ZoneInfo

from telegram import KeyboardButton, ReplyKeyboardMarkup, ReplyKeyboardRemove, Update

from bot.content.store import Place
from bot.handlers.common import Context, answer_and_show, current_user, show
from bot.i18n import Translator, normalize_language, translator
from bot.storage import User
from bot.telegram import callback_data
from bot.telegram.callback_data import Callback
from bot.views import newcomer as views

log = logging.getLogger(__name__)

#: A typed municipality name is taken without asking back when it scores at
#: least this (rapidfuzz 0-100) and clearly beats the runner-up.
SURE_MATCH = 88
CLEAR_LEAD = 6
#: A shared location further than this from every municipality centroid is
#: outside the regions the bot knows.
MAX_DISTANCE_KM = 40.0

AWAITING = "awaiting"  # user_data key: what typed text means right now


def _place(context: Context, user: User | None) -> Place | None:
    return context.bot_data.snapshot.content.place(user.municipality if user else None)


async def _ask_municipality(
    update: Update, context: Context, t: Translator, page: int = 0, region: str | None = None
) -> None:
    context.user_data[AWAITING] = "municipality"
    content = context.bot_data.snapshot.content
    await show(update, context, views.municipality_picker(content, t, page, region))


async def _menu_view(update: Update, context: Context, place: Place, t: Translator):
    content = context.bot_data.snapshot.content
    today = context.bot_data.today(place.region)
    user = await context.bot_data.storage.get_user(update.effective_user.id)
    ask = user is not None and not user.asked_subscribe and not user.subscribed
    return views.main_menu(content, place, t, today, ask_subscribe=ask)


async def _show_menu(update: Update, context: Context, place: Place, t: Translator, *, edit=True):
    await show(update, context, await _menu_view(update, context, place, t), edit=edit)


# -- commands --------------------------------------------------------------------


async def start(update: Update, context: Context) -> None:
    """/start: greet; ask language (if unknown) and municipality (if unknown); else menu."""
    user, t = await current_user(update, context)
    tg_user = update.effective_user
    assert tg_user is not None
    context.user_data.pop(AWAITING, None)
    place = _place(context, user)
    if user is not None and user.language and place is not None:
        await update.effective_message.reply_text(views.welcome(t))
        await _show_menu(update, context, place, t, edit=False)
        return
    if user is None or not user.language:
        detected = normalize_language(tg_user.language_code)
        if detected is None:
            # No language we have: ask, with the prompt in English.
            await update.effective_message.reply_text(views.welcome(t))
            await show(update, context, views.language_picker(t), edit=False)
            return
        user = await context.bot_data.storage.save_user(tg_user.id, language=detected)
        t = translator(detected)
    await update.effective_message.reply_text(views.welcome(t))
    await _ask_municipality(update, context, t)


async def language_command(update: Update, context: Context) -> None:
    """/language: the language picker."""
    _, t = await current_user(update, context)
    await show(update, context, views.language_picker(t), edit=False)


async def municipality_command(update: Update, context: Context) -> None:
    """/municipality: the municipality picker."""
    _, t = await current_user(update, context)
    await _ask_municipality(update, context, t)


async def menu_command(update: Update, context: Context) -> None:
    """/menu: the main menu, or the municipality picker if none is chosen yet."""
    user, t = await current_user(update, context)
    place = _place(context, user)
    if place is None:
        await _place_gone(update, context, user, t)
        await _ask_municipality(update, context, t)
    else:
        await _show_menu(update, context, place, t, edit=False)


async def help_command(update: Update, context: Context) -> None:
    _, t = await current_user(update, context)
    await update.effective_message.reply_text(views.help_text(t))


async def privacy_command(update: Update, context: Context) -> None:
    _, t = await current_user(update, context)
    await update.effective_message.reply_text(views.privacy_text(t))


async def forget_command(update: Update, context: Context) -> None:
    """/forget: ask for confirmation, then delete everything (see :func:`_forget`)."""
    _, t = await current_user(update, context)
    await show(update, context, views.forget_confirm(t), edit=False)


async def unknown_command(update: Update, context: Context) -> None:
    _, t = await current_user(update, context)
    text = t._("I do not know this command.")
    await update.effective_message.reply_text(f"{escape(text)}\n\n{views.help_text(t)}")


# -- callback queries ----------------------------------------------------------------


async def on_callback(update: Update, context: Context) -> None:
    """Route a button tap by its callback data; stale or forged data lead to the menu."""
    query = update.callback_query
    assert query is not None
    if update.effective_chat is None or update.effective_chat.type != "private":
        from bot.handlers.groups import group_callback

        await group_callback(update, context)
        return
    data = callback_data.parse(query.data)
    handler = _ROUTES.get(data.action) if data else None
    if data is None or handler is None:
        user, t = await current_user(update, context)
        await query.answer(views.stale_button(t))
        await _back_to_start(update, context, user, t)
        return
    await handler(update, context, data)


async def _place_gone(update: Update, context: Context, user: User | None, t: Translator) -> bool:
    """If the user's municipality was removed from the content, say so; True if it was."""
    if user is None or not user.municipality or _place(context, user) is not None:
        return False
    text = t._("Your municipality is no longer in the list. Please choose it again.")
    await context.bot.send_message(update.effective_chat.id, t.paragraph(escape(text)))
    return True


async def _back_to_start(update: Update, context: Context, user: User | None, t: Translator):
    place = _place(context, user)
    if place is None:
        await _place_gone(update, context, user, t)
        await _ask_municipality(update, context, t)
    else:
        await _show_menu(update, context, place, t)


async def _cb_language_picker(update: Update, context: Context, data: Callback) -> None:
    _, t = await current_user(update, context)
    await update.callback_query.answer()
    await show(update, context, views.language_picker(t))


async def _cb_set_language(update: Update, context: Context, data: Callback) -> None:
    t = translator(data.arg(0))
    if t.lang != data.arg(0):  # not a UI language: a forged button
        await update.callback_query.answer()
        return
    user = await context.bot_data.storage.save_user(update.effective_user.id, language=t.lang)
    await update.callback_query.answer("✅ " + t._("Language changed"))
    await _back_to_start(update, context, user, t)


async def _cb_municipality_page(update: Update, context: Context, data: Callback) -> None:
    _, t = await current_user(update, context)
    await update.callback_query.answer()
    await _ask_municipality(update, context, t, data.num(0))


async def _cb_region_page(update: Update, context: Context, data: Callback) -> None:
    _, t = await current_user(update, context)
    await update.callback_query.answer()
    await _ask_municipality(update, context, t, data.num(1), data.arg(0))


async def _set_municipality(
    update: Update, context: Context, place: Place, t: Translator, *, edit: bool = True
) -> None:
    context.user_data.pop(AWAITING, None)
    storage = context.bot_data.storage
    user_id = update.effective_user.id
    # The menu does not depend on this write (only on whether the user was asked
    # about news, which it leaves alone): write and answer at the same time.
    view = await _menu_view(update, context, place, t)
    await asyncio.gather(
        storage.save_user(user_id, language=t.lang, municipality=place.municipality.id),
        show(update, context, view, edit=edit),
    )


async def _cb_set_municipality(update: Update, context: Context, data: Callback) -> None:
    _, t = await current_user(update, context)
    place = context.bot_data.snapshot.content.place(data.arg(0))
    if place is None:
        await update.callback_query.answer(views.stale_button(t))
        await _ask_municipality(update, context, t)
        return
    await update.callback_query.answer("📍 " + views.place_name(place, t))
    await _set_municipality(update, context, place, t)


async def _cb_menu(update: Update, context: Context, data: Callback) -> None:
    user, t = await current_user(update, context)
    place = _place(context, user)
    if place is None:
        await update.callback_query.answer()
        await _back_to_start(update, context, user, t)
        return
    await answer_and_show(update, context, await _menu_view(update, context, place, t))


async def _cb_category(update: Update, context: Context, data: Callback) -> None:
    user, t = await current_user(update, context)
    place = _place(context, user)
    content = context.bot_data.snapshot.content
    if place is None or data.arg(0) not in content.categories:
        await update.callback_query.answer(views.stale_button(t))
        await _back_to_start(update, context, user, t)
        return
    today = context.bot_data.today(place.region)
    view = views.category_list(content, place, data.arg(0), t, today, data.num(1))
    await answer_and_show(update, context, view)


def _visible_entry(context: Context, user: User | None, entry_id: str):
    """The entry if it (still) exists and has not expired, else None; and the user's place.

    Any entry may be opened, not only the user's municipality's: search answers
    questions about other places too, and content is public.
    """
    place = _place(context, user)
    content = context.bot_data.snapshot.content
    entry = content.entries.get(entry_id)
    region = content.regions.get(content.entry_region.get(entry_id) or "") if entry else None
    if place is None or entry is None:
        return None, place
    if not entry.is_visible(context.bot_data.today(region or place.region)):
        return None, place
    return entry, place


async def _cb_entry(update: Update, context: Context, data: Callback) -> None:
    user, t = await current_user(update, context)
    entry, place = _visible_entry(context, user, data.arg(0))
    if entry is None:
        await update.callback_query.answer(views.stale_button(t))
        await _back_to_start(update, context, user, t)
        return
    content = context.bot_data.snapshot.content
    region = content.regions.get(content.entry_region.get(entry.id) or "") or place.region
    now = context.bot_data.local_now(region)
    await answer_and_show(update, context, views.entry_card(content, entry, t, now))


async def _cb_location(update: Update, context: Context, data: Callback) -> None:
    user, t = await current_user(update, context)
    entry, _ = _visible_entry(context, user, data.arg(0))
    if entry is None or entry.geo is None:
        await update.callback_query.answer(views.stale_button(t))
        return
    await update.callback_query.answer()
    content = context.bot_data.snapshot.content
    title, _ = views.localized(entry.title, t, content.default_language(entry.id))
    await context.bot.send_venue(
        update.effective_chat.id,
        latitude=entry.geo.lat,
        longitude=entry.geo.lon,
        title=title,
        address=entry.address or title,
    )


async def _cb_ask_location(update: Update, context: Context, data: Callback) -> None:
    _, t = await current_user(update, context)
    await update.callback_query.answer()
    keyboard = ReplyKeyboardMarkup(
        [[KeyboardButton("📍 " + t._("Send my location"), request_location=True)]],
        resize_keyboard=True,
        one_time_keyboard=True,
    )
    text = t._("Tap the button below to share your location. It is used once and not stored.")
    await context.bot.send_message(
        update.effective_chat.id, t.paragraph(escape(text)), reply_markup=keyboard
    )


async def _cb_forget(update: Update, context: Context, data: Callback) -> None:
    user, t = await current_user(update, context)
    await update.callback_query.answer()
    if data.arg(0) != "yes":
        await _back_to_start(update, context, user, t)
        return
    await context.bot_data.storage.forget_user(update.effective_user.id)
    context.user_data.clear()
    await show(update, context, views.forgotten(t))


async def _cb_subscribe(update: Update, context: Context, data: Callback) -> None:
    user, t = await current_user(update, context)
    wanted = data.arg(0) == "yes"
    place = _place(context, user)
    if user is None or place is None:
        await update.callback_query.answer(views.stale_button(t))
        await _back_to_start(update, context, user, t)
        return
    await context.bot_data.storage.save_user(user.user_id, subscribed=wanted, asked_subscribe=True)
    await update.callback_query.answer()
    await context.bot.send_message(
        update.effective_chat.id, views.subscription_changed(wanted, place, t)
    )
    await _show_menu(update, context, place, t)


async def subscribe_command(update: Update, context: Context) -> None:
    """/subscribe: news for the user's municipality (moves with the municipality)."""
    user, t = await current_user(update, context)
    place = _place(context, user)
    if user is not None and place is not None:
        await context.bot_data.storage.save_user(
            user.user_id, subscribed=True, asked_subscribe=True
        )
    await update.effective_message.reply_text(views.subscription_changed(True, place, t))


async def unsubscribe_command(update: Update, context: Context) -> None:
    user, t = await current_user(update, context)
    if user is not None:
        await context.bot_data.storage.save_user(
            user.user_id, subscribed=False, asked_subscribe=True
        )
    await update.effective_message.reply_text(views.subscription_changed(False, None, t))


#: /news shows announcements of the last this many days.
NEWS_DAYS = 30


async def news_command(update: Update, context: Context) -> None:
    """/news: recent announcements for the user's municipality, in their language."""
    user, t = await current_user(update, context)
    place = _place(context, user)
    if place is None:
        await _ask_municipality(update, context, t)
        return
    now = context.bot_data.clock()
    storage = context.bot_data.storage
    since = now.timestamp() - NEWS_DAYS * 86400
    items = []
    for announcement in await storage.news_for(place.municipality.id, since):
        texts = await storage.announcement_texts(announcement.id)
        sent_at = dt.datetime.fromtimestamp(announcement.send_at, ZoneInfo(place.region.timezone))
        items.append((sent_at, texts, announcement.default_language))
    await update.effective_message.reply_text(views.news_list(items, place, t))


_ROUTES = {
    "lp": _cb_language_picker,
    "lang": _cb_set_language,
    "mp": _cb_municipality_page,
    "rg": _cb_region_page,
    "mun": _cb_set_municipality,
    "menu": _cb_menu,
    "cat": _cb_category,
    "e": _cb_entry,
    "loc": _cb_location,
    "geo": _cb_ask_location,
    "fgt": _cb_forget,
    "sub": _cb_subscribe,
}


def add_route(action: str, handler) -> None:
    """Register the handler for a callback action defined in :mod:`bot.telegram.callback_data`."""
    if action not in callback_data.ACTIONS:
        raise ValueError(f"unknown callback action {action!r}")
    _ROUTES[action] = handler


# -- messages ----------------------------------------------------------------------


async def on_location(update: Update, context: Context) -> None:
    """A shared location picks the nearest municipality (the location is not stored)."""
    _, t = await current_user(update, context)
    location = update.effective_message.location
    found = context.bot_data.snapshot.content.nearest_municipality(
        location.latitude, location.longitude
    )
    if found is None or found[1] > MAX_DISTANCE_KM:
        text = t._("I have no information for this place yet. Please choose a municipality.")
        await update.effective_message.reply_text(
            t.paragraph(escape(text)), reply_markup=ReplyKeyboardRemove()
        )
        await _ask_municipality(update, context, t)
        return
    place = found[0]
    await update.effective_message.reply_text(
        t.paragraph("📍 " + escape(views.place_name(place, t))), reply_markup=ReplyKeyboardRemove()
    )
    await _set_municipality(update, context, place, t, edit=False)


async def pick_municipality_by_name(
    update: Update, context: Context, text: str, t: Translator
) -> None:
    """Typed text while the bot waits for a municipality: take it, offer choices, or ask."""
    matches = context.bot_data.snapshot.places.match(text, limit=3)
    content = context.bot_data.snapshot.content
    if (
        matches
        and matches[0][1] >= SURE_MATCH
        and (len(matches) == 1 or matches[0][1] - matches[1][1] >= CLEAR_LEAD)
    ):
        await _set_municipality(update, context, matches[0][0], t, edit=False)
    elif matches:
        view = views.municipality_choices([p for p, _ in matches], content, t)
        await show(update, context, view, edit=False)
    else:
        await update.effective_message.reply_text(views.unknown_place(t))
        await _ask_municipality(update, context, t)


async def on_text(update: Update, context: Context) -> None:
    """Plain text: a municipality name while one is awaited, otherwise a question."""
    user, t = await current_user(update, context)
    text = (update.effective_message.text or "").strip()
    if user is None or not user.language:
        user = await context.bot_data.storage.save_user(update.effective_user.id, language=t.lang)
    if _place(context, user) is None or context.user_data.get(AWAITING) == "municipality":
        if await _place_gone(update, context, user, t):
            await _ask_municipality(update, context, t)
            return
        await pick_municipality_by_name(update, context, text, t)
        return
    from bot.handlers.questions import answer_question  # questions imports this module

    await answer_question(update, context, text, user, t)


async def on_other_message(update: Update, context: Context) -> None:
    """Stickers, photos, voice notes: say kindly what the bot can read."""
    _, t = await current_user(update, context)
    text = t._("I can only read text. Type your question, or send /menu.")
    await update.effective_message.reply_text(t.paragraph(escape(text)))

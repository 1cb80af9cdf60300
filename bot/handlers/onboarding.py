"""Who the newcomer is: /start, language, municipality (buttons, a typed name or a
shared location), and what the bot stores about them (/privacy, /forget).

Handlers stay thin: they read the update, ask :mod:`bot.content` and
:mod:`bot.search.places`, and answer with a :mod:`bot.views.newcomer` view.
Navigation state lives in callback data, so buttons keep working after a restart.
"""

from __future__ import annotations

import asyncio
import logging
from html import escape

from telegram import KeyboardButton, ReplyKeyboardMarkup, ReplyKeyboardRemove, Update

from bot.content.geo import zone_at
from bot.content.store import Place
from bot.handlers.common import (
    AWAITING,
    PENDING_QUESTION,
    Context,
    answer_pending_question,
    ask_municipality,
    back_to_start,
    current_user,
    menu_view,
    show,
    show_menu,
    tapped,
    user_place,
)
from bot.i18n import Translator, normalize_language, translator
from bot.reach import deeplinks
from bot.views import newcomer as views
from bot.views.common import View

log = logging.getLogger(__name__)

#: A typed municipality name is taken without asking back when it scores at
#: least this (rapidfuzz 0-100) and clearly beats the runner-up.
SURE_MATCH = 88
CLEAR_LEAD = 6


def picker(update: Update, context: Context, t: Translator, place: Place | None = None) -> View:
    """The language picker, most likely languages first: the Telegram client's
    language, then those of the user's country (or of every country the content covers)."""
    tg_user = update.effective_user
    client = normalize_language(tg_user.language_code if tg_user else None)
    content = context.bot_data.snapshot.content
    countries = (place.region.country,) if place else tuple(sorted(content.countries))
    return views.language_picker(t, client, countries)


# -- commands --------------------------------------------------------------------


async def start(update: Update, context: Context) -> None:
    """/start: greet; ask language (if unknown) and municipality (if unknown); else menu."""
    if await deeplinks.open_start_link(update, context):  # /start <payload> of a deep link
        return
    user, t = await current_user(update, context)
    tg_user = update.effective_user
    assert tg_user is not None
    context.bot_data.stats.count("start", language=t.lang, municipality=user and user.municipality, user_id=tg_user.id)  # fmt: skip
    context.user_data.pop(AWAITING, None)
    place = user_place(context, user)
    if user is not None and user.language and place is not None:
        await update.effective_message.reply_text(views.welcome(t))
        await show_menu(update, context, place, t, edit=False)
        return
    if user is None or not user.language:
        detected = normalize_language(tg_user.language_code)
        if detected is None:
            # No language we have: ask, with the prompt in English.
            await update.effective_message.reply_text(views.welcome(t))
            await show(update, context, picker(update, context, t), edit=False)
            return
        user = await context.bot_data.storage.save_user(tg_user.id, language=detected)
        t = translator(detected)
    await update.effective_message.reply_text(views.welcome(t))
    await ask_municipality(update, context, t)


async def language_command(update: Update, context: Context) -> None:
    """/language: the language picker."""
    user, t = await current_user(update, context)
    await show(update, context, picker(update, context, t, user_place(context, user)), edit=False)


async def municipality_command(update: Update, context: Context) -> None:
    """/municipality: the municipality picker."""
    _, t = await current_user(update, context)
    await ask_municipality(update, context, t)


async def privacy_command(update: Update, context: Context) -> None:
    _, t = await current_user(update, context)
    staff = context.bot_data.staff  # "Ask a person" keeps a ticket while helpdesks exist
    days = staff.helpdesk_retention_days if staff.helpdesks else None
    await update.effective_message.reply_text(views.privacy_text(t, handoff_days=days))


async def forget_command(update: Update, context: Context) -> None:
    """/forget: ask for confirmation, then delete everything (see :func:`on_forget_button`)."""
    _, t = await current_user(update, context)
    await show(update, context, views.forget_confirm(t), edit=False)


# -- buttons (routed in bot.app by their callback_data action) ---------------------------


async def on_language_picker_button(update: Update, context: Context) -> None:
    """``lp``: the language picker."""
    user, t = await current_user(update, context)
    await update.callback_query.answer()
    await show(update, context, picker(update, context, t, user_place(context, user)))


async def on_language_button(update: Update, context: Context) -> None:
    """``lang:<code>``: set the language."""
    code = tapped(update).arg(0)
    t = translator(code)
    if t.lang != code:  # not a UI language: a forged button
        await update.callback_query.answer()
        return
    user = await context.bot_data.storage.save_user(update.effective_user.id, language=t.lang)
    await update.callback_query.answer("✅ " + t._("Language changed"))
    await back_to_start(update, context, user, t)


async def on_municipality_page_button(update: Update, context: Context) -> None:
    """``mp:<page>``: regions (or the only region's municipalities)."""
    _, t = await current_user(update, context)
    await update.callback_query.answer()
    await ask_municipality(update, context, t, tapped(update).num(0))


async def on_region_page_button(update: Update, context: Context) -> None:
    """``rg:<region>:<page>``: the municipalities of one region."""
    data = tapped(update)
    _, t = await current_user(update, context)
    await update.callback_query.answer()
    await ask_municipality(update, context, t, data.num(1), data.arg(0))


async def on_municipality_button(update: Update, context: Context) -> None:
    """``mun:<id>``: set the municipality."""
    _, t = await current_user(update, context)
    place = context.bot_data.snapshot.content.place(tapped(update).arg(0))
    if place is None:
        await update.callback_query.answer(views.stale_button(t))
        await ask_municipality(update, context, t)
        return
    await update.callback_query.answer("📍 " + views.place_name(place, t))
    await set_municipality(update, context, place, t)


async def on_ask_location_button(update: Update, context: Context) -> None:
    """``geo``: a reply keyboard that shares the user's location."""
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


async def on_forget_button(update: Update, context: Context) -> None:
    """``fgt:yes|no``: delete everything about the user, or back to the menu."""
    user, t = await current_user(update, context)
    await update.callback_query.answer()
    if tapped(update).arg(0) != "yes":
        await back_to_start(update, context, user, t)
        return
    await context.bot_data.handoff.forget(update.effective_user.id)  # ends "Ask a person"
    await context.bot_data.storage.forget_user(update.effective_user.id)
    context.user_data.clear()
    await show(update, context, views.forgotten(t))


# -- setting the municipality ------------------------------------------------------------


async def set_municipality(
    update: Update, context: Context, place: Place, t: Translator, *, edit: bool = True
) -> None:
    context.user_data.pop(AWAITING, None)
    storage = context.bot_data.storage
    user_id = update.effective_user.id
    # The menu does not depend on this write (only on whether the user was asked
    # about news, which it leaves alone): write and answer at the same time.
    view = await menu_view(update, context, place, t)
    await asyncio.gather(
        storage.save_user(user_id, language=t.lang, municipality=place.municipality.id),
        show(update, context, view, edit=edit),
    )
    await answer_pending_question(update, context, t)


async def on_location(update: Update, context: Context) -> None:
    """A shared location sets the municipality it lies in (the location is not stored).

    Inside means within the municipality's own area and in its region's country
    (:meth:`bot.content.store.Content.locate`). Anywhere else the bot says it has
    nothing for the place, names the nearest covered municipality with its distance
    and lets the person take it or choose another.
    """
    _, t = await current_user(update, context)
    location = update.effective_message.location
    lat, lon = location.latitude, location.longitude
    located = await asyncio.to_thread(context.bot_data.snapshot.content.locate, lat, lon, zone_at)
    if located.inside is None:
        if located.nearest is None:
            text = t._("I have no information for this place yet. Please choose a municipality.")
            await update.effective_message.reply_text(
                t.paragraph(escape(text)), reply_markup=ReplyKeyboardRemove()
            )
            await ask_municipality(update, context, t)
            return
        # The reply keyboard (the "send my location" button) goes with the first reply.
        text, view = views.location_not_covered(located.nearest, located.distance_km, t)
        await update.effective_message.reply_text(text, reply_markup=ReplyKeyboardRemove())
        context.user_data[AWAITING] = "municipality"
        await show(update, context, view, edit=False)
        return
    place = located.inside
    await update.effective_message.reply_text(
        t.paragraph("📍 " + escape(views.place_name(place, t))), reply_markup=ReplyKeyboardRemove()
    )
    await set_municipality(update, context, place, t, edit=False)


async def pick_municipality_by_name(
    update: Update, context: Context, text: str, t: Translator
) -> None:
    """Typed text while the bot waits for a municipality (or knows none yet).

    A municipality's name: take it (or offer the likely ones). A question that names a
    municipality ("Deutschkurs in Marburg"): take that municipality and answer the
    question. Any other text from someone without a municipality is a question: keep
    it, ask for the municipality, and answer it once it is chosen.
    """
    snapshot = context.bot_data.snapshot
    matches = snapshot.places.match(text, limit=3)
    content = snapshot.content
    if (
        matches
        and matches[0][1] >= SURE_MATCH
        and (len(matches) == 1 or matches[0][1] - matches[1][1] >= CLEAR_LEAD)
    ):
        await set_municipality(update, context, matches[0][0], t, edit=False)
        return
    named = snapshot.places.find_in_question(text)
    if named is not None:
        context.user_data[PENDING_QUESTION] = text
        await set_municipality(update, context, named, t, edit=False)
    elif matches:
        view = views.municipality_choices([p for p, _ in matches], content, t)
        await show(update, context, view, edit=False)
    else:
        user = await context.bot_data.storage.get_user(update.effective_user.id)
        if user_place(context, user) is None:
            context.user_data[PENDING_QUESTION] = text
            await update.effective_message.reply_text(views.question_kept(t))
        else:
            await update.effective_message.reply_text(views.unknown_place(t))
        await ask_municipality(update, context, t)

"""News for the newcomer's municipality: /subscribe, /unsubscribe, the menu's
"Do you want news?" buttons, and /news (recent announcements).

A subscription follows the municipality: who moves gets the new one's news.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from telegram import Update

from bot.handlers.common import (
    Context,
    ask_municipality,
    back_to_start,
    current_user,
    show_menu,
    tapped,
    user_place,
)
from bot.views import newcomer as views
from bot.views import news
from bot.views.html import split_html

#: /news shows announcements of the last this many days.
NEWS_DAYS = 30


async def subscribe_command(update: Update, context: Context) -> None:
    """/subscribe: news for the user's municipality (moves with the municipality)."""
    user, t = await current_user(update, context)
    place = user_place(context, user)
    if user is not None and place is not None:
        await context.bot_data.storage.save_user(
            user.user_id, subscribed=True, asked_subscribe=True
        )
    await update.effective_message.reply_text(news.subscription_changed(True, place, t))


async def unsubscribe_command(update: Update, context: Context) -> None:
    user, t = await current_user(update, context)
    if user is not None:
        await context.bot_data.storage.save_user(
            user.user_id, subscribed=False, asked_subscribe=True
        )
    await update.effective_message.reply_text(news.subscription_changed(False, None, t))


async def on_subscribe_button(update: Update, context: Context) -> None:
    """``sub:yes|no``: the menu's one-time question about news."""
    user, t = await current_user(update, context)
    wanted = tapped(update).arg(0) == "yes"
    place = user_place(context, user)
    if user is None or place is None:
        await update.callback_query.answer(views.stale_button(t))
        await back_to_start(update, context, user, t)
        return
    await context.bot_data.storage.save_user(user.user_id, subscribed=wanted, asked_subscribe=True)
    await update.callback_query.answer()
    await context.bot.send_message(
        update.effective_chat.id, news.subscription_changed(wanted, place, t)
    )
    await show_menu(update, context, place, t)


async def news_command(update: Update, context: Context) -> None:
    """/news: recent announcements for the user's municipality, in their language."""
    user, t = await current_user(update, context)
    place = user_place(context, user)
    if place is None:
        await ask_municipality(update, context, t)
        return
    now = context.bot_data.clock()
    storage = context.bot_data.storage
    since = now.timestamp() - NEWS_DAYS * 86400
    items = []
    for announcement in await storage.news_for(place.municipality.id, since):
        texts = await storage.announcement_texts(announcement.id)
        sent_at = dt.datetime.fromtimestamp(announcement.send_at, ZoneInfo(place.region.timezone))
        items.append((sent_at, texts, announcement.default_language))
    # Several messages if needed, each cut between whole tags and characters.
    for part in split_html(news.news_list(items, place, t)):
        await update.effective_message.reply_text(part)

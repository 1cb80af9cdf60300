"""Finding things by topic: the main menu, category lists, entry cards and map pins,
plus /help and the answer to messages the bot cannot read.

Buttons carry everything they need in their callback data
(:mod:`bot.telegram.callback_data`), so they keep working after a restart.
"""

from __future__ import annotations

from html import escape

from telegram import Update

from bot.content.model import Entry
from bot.content.store import Place
from bot.handlers.common import (
    Context,
    answer_and_show,
    ask_municipality,
    back_to_start,
    current_user,
    menu_view,
    place_gone,
    show_examples,
    show_menu,
    tapped,
    user_place,
)
from bot.storage import User
from bot.views import card
from bot.views import newcomer as views
from bot.views.handoff import with_ask_button

# -- commands and messages -------------------------------------------------------


async def menu_command(update: Update, context: Context) -> None:
    """/menu: the main menu, or the municipality picker if none is chosen yet."""
    user, t = await current_user(update, context)
    place = user_place(context, user)
    if place is None:
        await place_gone(update, context, user, t)
        await ask_municipality(update, context, t)
    else:
        await show_menu(update, context, place, t, edit=False)


async def help_command(update: Update, context: Context) -> None:
    _, t = await current_user(update, context)
    await update.effective_message.reply_text(views.help_text(t))


async def on_other_message(update: Update, context: Context) -> None:
    """Stickers, photos, voice notes: say kindly what the bot can read."""
    _, t = await current_user(update, context)
    text = t._("I can only read text. Type your question, or send /menu.")
    await update.effective_message.reply_text(t.paragraph(escape(text)))


# -- buttons (routed in bot.app by their callback_data action) ---------------------------


async def on_menu_button(update: Update, context: Context) -> None:
    """``menu``: the main menu."""
    user, t = await current_user(update, context)
    place = user_place(context, user)
    if place is None:
        await update.callback_query.answer()
        await back_to_start(update, context, user, t)
        return
    await answer_and_show(update, context, await menu_view(update, context, place, t))


async def on_category_button(update: Update, context: Context) -> None:
    """``cat:<category>:<page>``: one page of a category's entries; ``cs:<category>:<offset>``:
    its first page opened from search results at ``offset`` (Back returns to them)."""
    data = tapped(update)
    user, t = await current_user(update, context)
    place = user_place(context, user)
    content = context.bot_data.snapshot.content
    if place is None or data.arg(0) not in content.categories:
        await update.callback_query.answer(views.stale_button(t))
        await back_to_start(update, context, user, t)
        return
    today = context.bot_data.today(place.region)
    from_results = data.action == "cs"
    view = views.category_list(
        content,
        place,
        data.arg(0),
        t,
        today,
        0 if from_results else data.num(1),
        examples=show_examples(context),
        results_offset=data.num(1) if from_results else None,
    )
    await answer_and_show(update, context, view)


def visible_entry(
    context: Context, user: User | None, entry_id: str
) -> tuple[Entry | None, Place | None]:
    """The entry if it (still) exists and has not expired, else None; and the user's place.

    Any entry may be opened, not only the user's municipality's: search answers
    questions about other places too, and content is public.
    """
    place = user_place(context, user)
    content = context.bot_data.snapshot.content
    entry = content.entries.get(entry_id)
    region = content.regions.get(content.entry_region.get(entry_id) or "") if entry else None
    if place is None or entry is None:
        return None, place
    if not entry.is_visible(context.bot_data.today(region or place.region)):
        return None, place
    if entry.example and not show_examples(context):
        return None, place
    return entry, place


async def on_entry_button(update: Update, context: Context) -> None:
    """``e:<entry>``, ``ec:<entry>:<page>``, ``es:<entry>:<offset>``: the entry's card,
    whose Back returns where it was opened: its category list (that page), or the
    search results at that offset."""
    user, t = await current_user(update, context)
    data = tapped(update)
    entry, place = visible_entry(context, user, data.arg(0))
    if entry is None:
        await update.callback_query.answer(views.stale_button(t))
        await back_to_start(update, context, user, t)
        return
    context.bot_data.stats.count("card", language=t.lang, municipality=place.municipality.id, category=entry.category, user_id=update.effective_user.id)  # fmt: skip
    content = context.bot_data.snapshot.content
    region = content.regions.get(content.entry_region.get(entry.id) or "") or place.region
    now = context.bot_data.local_now(region)
    if data.action == "es":
        back: tuple = ("more", data.num(1))
    else:
        back = ("cat", entry.category, data.num(1) if data.action == "ec" else 0)
    view = card.entry_card(content, entry, t, now, back=back, region=place.region)
    if entry.id == place.region.counselling and context.bot_data.handoff.available(place):
        view = with_ask_button(view, t)  # "Ask a person" on the counselling card
    await answer_and_show(update, context, view)


async def on_location_button(update: Update, context: Context) -> None:
    """``loc:<entry>``: the entry's location as a map pin."""
    user, t = await current_user(update, context)
    entry, _ = visible_entry(context, user, tapped(update).arg(0))
    if entry is None or entry.geo is None or entry.example:
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

"""Inline mode: ``@<bot> dentist remich`` in any chat offers matching cards to share.

The cards are in the sender's language (their chosen language if they use the
bot, else their Telegram client's) and searched for their municipality, or the one
the query names. A shared card carries a button back to the bot that opens the
same card there (a deep link, :mod:`bot.reach.deeplinks`). Nothing is stored:
inline queries are answered, never recorded (not even as unanswered questions,
which are the bot's own users' questions).

Inline mode must be switched on for the bot with @BotFather's /setinline.
"""

from __future__ import annotations

import logging
from html import escape

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
    LinkPreviewOptions,
    Update,
)
from telegram.constants import ParseMode

from bot.content.model import Entry
from bot.content.store import Content
from bot.handlers.common import Context, current_user
from bot.i18n import Translator
from bot.reach.deeplinks import Target, payload, url
from bot.views import card as cards
from bot.views.common import MAX_MESSAGE_CHARS, localized

log = logging.getLogger(__name__)

#: Results per answer; Telegram asks for the next page with ``offset``.
PAGE = 10
#: Bot API: at most 50 results per answer; we never offer more than this in all.
MAX_RESULTS = 50
#: How long Telegram may reuse an answer for the same user and query (seconds).
CACHE_SECONDS = 300
TITLE_CHARS = 100
DESCRIPTION_CHARS = 200


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def shared_card_text(content: Content, entry: Entry, t: Translator, card_text: str) -> str:
    """The card as shared: the bot's card, or title and summary if the card is too long
    to send whole (a cut could split an HTML tag)."""
    if len(card_text) < MAX_MESSAGE_CHARS:
        return card_text
    default = content.default_language(entry.id)
    title, _ = localized(entry.title, t, default)
    summary, _ = localized(entry.summary, t, default)
    return t.paragraph(f"<b>{escape(t.auto(title))}</b>\n\n{escape(summary)}")


def article(
    content: Content, entry: Entry, t: Translator, card_text: str, bot_username: str
) -> InlineQueryResultArticle:
    """One result: title and summary in the list; the card, with a link back, when sent."""
    default = content.default_language(entry.id)
    title, _ = localized(entry.title, t, default)
    summary, _ = localized(entry.summary, t, default)
    back = InlineKeyboardButton(
        "💬 " + t._("Open in the bot"), url=url(bot_username, Target(entry=entry.id))
    )
    return InlineQueryResultArticle(
        id=entry.id,
        title=_cut(title, TITLE_CHARS),
        description=_cut(summary, DESCRIPTION_CHARS),
        input_message_content=InputTextMessageContent(
            shared_card_text(content, entry, t, card_text),
            parse_mode=ParseMode.HTML,
            link_preview_options=LinkPreviewOptions(is_disabled=True),
        ),
        reply_markup=InlineKeyboardMarkup([[back]]),
    )


async def on_inline_query(update: Update, context: Context) -> None:
    """Answer an inline query with matching cards (empty query or place: a button to the bot)."""
    query = update.inline_query
    user, t = await current_user(update, context)
    snapshot = context.bot_data.snapshot
    content = snapshot.content
    text = query.query.strip()
    offset = int(query.offset) if query.offset.isdigit() else 0
    place = content.place(user.municipality if user else None)
    button = None
    if place is None:
        # Someone without a municipality in the bot: a button that opens it (for a
        # place the query names, that municipality's menu).
        place = snapshot.places.find_in_question(text) if text else None
        start = payload(Target(municipality=place.municipality.id)) if place else "inline"
        button = InlineQueryResultsButton(text=t._("Open the bot"), start_parameter=start)
    if place is None or not text or offset >= MAX_RESULTS:
        await query.answer(
            [], button=button, cache_time=CACHE_SECONDS, is_personal=True, next_offset=None
        )
        return
    data = context.bot_data
    result = snapshot.search.search(
        text, t.lang, place.municipality.id, data.today(place.region), limit=PAGE, offset=offset
    )
    results = []
    for hit in result.hits:
        entry = content.entries[hit.entry_id]
        region = content.regions.get(content.entry_region.get(entry.id) or "") or place.region
        card = cards.entry_card(content, entry, t, data.local_now(region), region=region)
        results.append(article(content, entry, t, card.text, context.bot.username))
    shown = offset + len(results)
    more = results and shown < min(result.total, MAX_RESULTS)
    await query.answer(
        results,
        button=button,
        cache_time=CACHE_SECONDS,
        is_personal=True,
        # No more pages: no next_offset at all. An empty string would be the Bot API's
        # way, but python-telegram-bot 22 with Defaults sends "" as [] (its
        # ExtBot._insert_defaults takes any empty sequence for a list of poll options).
        next_offset=str(shown) if more else None,
    )

"""Deep links: ``https://t.me/<bot>?start=<payload>`` opens the bot already set up.

Telegram hands the payload to the bot as ``/start <payload>``; it may be at most
64 characters of ``A-Za-z0-9_-`` (Bot API, "Deep linking"). Content ids
(municipalities, categories, entries) are ``[a-z0-9][a-z0-9-]*`` (lower case, at
most 40 characters, see bot/content/model.py), so they never contain ``_`` nor a
capital letter. The grammar uses exactly those two as structure, so every payload
has one reading, whatever ids the content has::

    payload     = entry-link / place-link
    entry-link  = "E_" ENTRY                                 E_mb-dolma
    place-link  = MUNICIPALITY [ "_" [LANGUAGE] [ "_" CATEGORY ] ]
                                                             remich
                                                             remich_ar
                                                             remich_ar_language-courses
                                                             remich__language-courses

``LANGUAGE`` is a UI language code (``ar``, ``uk``, …), empty when the link sets a
category but no language. A link whose municipality or entry no longer exists
falls back to the normal /start; a language or category that no longer exists is
left out (the municipality still opens).

:func:`payload` builds, :func:`parse` reads (syntax only), :func:`resolve` checks a
parsed link against the content, and :func:`open_start_link` is what /start calls.
"""

from __future__ import annotations

import dataclasses
import logging
import re

from telegram import Update

from bot.content.store import Content
from bot.handlers.common import AWAITING, Context, current_user, menu_view, show
from bot.i18n import LANGUAGES, normalize_language, translator
from bot.views import card as cards
from bot.views import newcomer as views

log = logging.getLogger(__name__)

#: Bot API: a start parameter is 1-64 characters of A-Z, a-z, 0-9, _ and -.
MAX_PAYLOAD = 64
PAYLOAD_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")
ID_RE = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")
LANGUAGE_RE = re.compile(r"[a-z]{2,3}")
ENTRY_PREFIX = "E_"
SEP = "_"


class LinkTooLong(ValueError):
    """The target's payload would exceed Telegram's 64 characters."""


@dataclasses.dataclass(frozen=True)
class Target:
    """Where a link leads: one entry's card, or a municipality (with a language and a
    category's list, each optional)."""

    municipality: str | None = None
    language: str | None = None
    category: str | None = None
    entry: str | None = None

    def __post_init__(self) -> None:
        if (self.entry is None) == (self.municipality is None):
            raise ValueError("a link leads to an entry or to a municipality")
        if self.entry is not None and (self.language or self.category):
            raise ValueError("an entry link has no language or category")
        for value in (self.municipality, self.category, self.entry):
            if value is not None and not ID_RE.fullmatch(value):
                raise ValueError(f"not a content id: {value!r}")
        if self.language is not None and not LANGUAGE_RE.fullmatch(self.language):
            raise ValueError(f"not a language code: {self.language!r}")


def payload(target: Target) -> str:
    """The start parameter for ``target``; raises :class:`LinkTooLong` past 64 characters."""
    if target.entry is not None:
        text = ENTRY_PREFIX + target.entry
    else:
        assert target.municipality is not None
        text = target.municipality
        if target.language or target.category:
            text += SEP + (target.language or "")
        if target.category:
            text += SEP + target.category
    if len(text) > MAX_PAYLOAD:
        raise LinkTooLong(
            f"the link would be {len(text)} characters; Telegram allows {MAX_PAYLOAD}"
        )
    return text


def parse(text: str | None) -> Target | None:
    """The target a payload names (syntax only), or None if it is not one of ours."""
    if not text or not PAYLOAD_RE.fullmatch(text):
        return None
    try:
        if text.startswith(ENTRY_PREFIX):
            return Target(entry=text[len(ENTRY_PREFIX) :])
        parts = text.split(SEP)
        if len(parts) > 3:
            return None
        municipality, language, category = (*parts, None, None)[:3]
        return Target(
            municipality=municipality, language=language or None, category=category or None
        )
    except ValueError:
        return None


def resolve(target: Target | None, content: Content) -> Target | None:
    """``target`` as far as the content still has it; None if its municipality or entry
    is gone (a language or category that is gone is dropped)."""
    if target is None:
        return None
    if target.entry is not None:
        return target if target.entry in content.entries else None
    if content.place(target.municipality) is None:
        return None
    language = target.language if target.language in LANGUAGES else None
    category = target.category if target.category in content.categories else None
    return Target(municipality=target.municipality, language=language, category=category)


def url(bot_username: str, target: Target) -> str:
    """``https://t.me/<bot>?start=<payload>``."""
    return f"https://t.me/{bot_username.lstrip('@')}?start={payload(target)}"


# -- /start <payload> -----------------------------------------------------------------


async def open_start_link(update: Update, context: Context) -> bool:
    """/start with a payload: open what the link names. Returns False (the caller
    goes on with the normal /start) when there is no payload or it leads nowhere."""
    args = context.args or []
    content = context.bot_data.snapshot.content
    target = resolve(parse(args[0] if args else None), content)
    if target is None:
        if args:
            log.info("start link that leads nowhere; normal start")
        return False
    if target.entry is not None:
        return await _open_entry(update, context, target.entry)
    return await _open_place(update, context, target)


async def _open_entry(update: Update, context: Context, entry_id: str) -> bool:
    data = context.bot_data
    content = data.snapshot.content
    entry = content.entries[entry_id]
    region = content.regions.get(content.entry_region.get(entry_id) or "")
    if not entry.is_visible(data.today(region)):
        return False
    user, t = await current_user(update, context)
    detected = normalize_language(update.effective_user.language_code)
    if (user is None or not user.language) and detected is not None:
        await data.storage.save_user(update.effective_user.id, language=detected)
    card = cards.entry_card(content, entry, t, data.local_now(region), region=region)
    await show(update, context, card, edit=False)
    return True


async def _open_place(update: Update, context: Context, target: Target) -> bool:
    data = context.bot_data
    content = data.snapshot.content
    place = content.place(target.municipality)
    assert place is not None
    user, t = await current_user(update, context)
    known = user.language if user and user.language else None
    language = target.language or known or normalize_language(update.effective_user.language_code)
    context.user_data.pop(AWAITING, None)
    await data.storage.save_user(
        update.effective_user.id, language=language, municipality=place.municipality.id
    )
    t = translator(language)
    await update.effective_message.reply_text(views.welcome(t))
    if language is None:
        # Neither the link nor Telegram says which language: ask (the menu follows).
        await show(
            update, context, views.language_picker(t, None, (place.region.country,)), edit=False
        )
        return True
    if target.category is not None:
        today = data.today(place.region)
        view = views.category_list(content, place, target.category, t, today)
    else:
        view = await menu_view(update, context, place, t)
    await show(update, context, view, edit=False)
    return True

"""The bot's profile per language: its name, and the descriptions people see before
they press Start (Bot API setMyName, setMyDescription, setMyShortDescription).

Texts come from the gettext catalogs, so they are translated like every UI text.
At start-up each one is read first (getMy*) and set only when it differs:
Telegram limits how often these may change (setMyName especially), and a restart
that changes nothing sends no set* call at all.

The descriptions are also set without a language (what users of other languages
see), in English. The name is not: without a language it stays the one given
with @BotFather.
"""

from __future__ import annotations

import asyncio
import logging

from telegram import Bot
from telegram.error import TelegramError

from bot.i18n import DEFAULT_LANGUAGE, LANGUAGES, N_, translator

log = logging.getLogger(__name__)

NAME = N_("Help for newcomers")
SHORT_DESCRIPTION = N_(
    "Services, language courses, free activities and help where you live, in your language."
)
DESCRIPTION = N_(
    "I help newcomers find services, language courses, free activities and support "
    "where they live, in their own language.\n\n"
    "Start the bot, choose your language and your municipality, then choose a topic "
    "or just type your question."
)

#: At most this many profile requests at once (there are 41 reads at each start).
PARALLEL = 6

#: Bot API limits (characters).
MAX_NAME, MAX_SHORT_DESCRIPTION, MAX_DESCRIPTION = 64, 120, 512


def texts(lang: str) -> dict[str, str]:
    """The profile in ``lang``: ``name``, ``short_description``, ``description``."""
    t = translator(lang)
    return {
        "name": t._(NAME)[:MAX_NAME],
        "short_description": t._(SHORT_DESCRIPTION)[:MAX_SHORT_DESCRIPTION],
        "description": t._(DESCRIPTION)[:MAX_DESCRIPTION],
    }


async def _sync_one(
    bot: Bot, field: str, wanted: str, language: str | None, limit: asyncio.Semaphore
) -> bool:
    """Read one field in one language and set it if it differs; True if it was set."""
    getter, setter = {
        "name": (bot.get_my_name, bot.set_my_name),
        "short_description": (bot.get_my_short_description, bot.set_my_short_description),
        "description": (bot.get_my_description, bot.set_my_description),
    }[field]
    async with limit:
        try:
            current = getattr(await getter(language_code=language), field)
            if current == wanted:
                return False
            await setter(wanted, language_code=language)
        except TelegramError as exc:  # e.g. 429 for setMyName: the next start tries again
            log.warning("bot profile: %s (%s) not set: %s", field, language or "default", exc)
            return False
    return True


async def sync_profile(bot: Bot) -> int:
    """Bring the bot's name and descriptions up to date in every UI language.

    Failures are logged, never raised (the bot works without a profile). Returns the
    number of fields that were set.
    """
    limit = asyncio.Semaphore(PARALLEL)
    # The Bot API takes only two-letter ISO 639-1 codes here (setMyName & co.), and
    # Telegram clients only send those for these settings: Dari (prs) and Sorani (ckb)
    # readers see the profile of their client's language (fa, ku) or the default.
    jobs = [
        _sync_one(bot, field, wanted, lang, limit)
        for lang in LANGUAGES
        if len(lang) == 2
        for field, wanted in texts(lang).items()
    ]
    default = texts(DEFAULT_LANGUAGE)
    jobs += [
        _sync_one(bot, field, default[field], None, limit)
        for field in ("short_description", "description")
    ]
    changed = sum(await asyncio.gather(*jobs))
    if changed:
        log.info("bot profile: %d field(s) updated", changed)
    return changed

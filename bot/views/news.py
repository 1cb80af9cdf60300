"""Announcements as newcomers receive them: one announcement in the recipient's
language (else the default one, with a note), /news, and the answers to
/subscribe and /unsubscribe.

Plain functions with no Telegram I/O, like :mod:`bot.views.newcomer`.
"""

from __future__ import annotations

import datetime as dt
from html import escape

from bot.content.store import Place
from bot.i18n import Translator
from bot.views.common import display_language, place_name

#: Telegram counts message length in UTF-16 code units, at most 4096 (Bot API,
#: sendMessage). The header and the "not translated" note take up to ~200.
MAX_ANNOUNCEMENT_UNITS = 3800


def announcement_message(
    texts: dict[str, str], default_language: str, t: Translator, place: Place | None
) -> str:
    """What one recipient gets: the version in their language, else the default one with
    a note in their language. ``texts`` are Telegram HTML, as the author formatted them."""
    lang = t.lang if t.lang in texts else default_language
    if lang not in texts:
        lang = min(texts)
    header = "📣 <b>" + escape(t.auto(place_name(place, t)) if place else t._("News")) + "</b>"
    lines = [header]
    if lang != t.lang:
        note = t._("Not yet translated into {language} — shown in {other}.").format(
            language=display_language(t.lang, t), other=display_language(lang, t)
        )
        lines.append(f"ℹ️ <i>{escape(note)}</i>")
    lines += ["", texts[lang]]
    return t.paragraph("\n".join(lines))


def news_list(
    items: list[tuple[dt.datetime, dict[str, str], str]], place: Place, t: Translator
) -> str:
    """/news: recent announcements ``(sent at, texts, default language)``, newest first."""
    if not items:
        return t.paragraph(
            escape(
                t._("No news for {place} in the last 30 days.").format(place=place_name(place, t))
            )
        )
    parts = []
    for sent_at, texts, default_language in items:
        when = t.date(sent_at.date())
        parts.append(
            f"🗓 {t.auto(escape(when))}\n{announcement_message(texts, default_language, t, place)}"
        )
    # May be longer than one message: the handler sends it in parts (bot/views/html.py).
    return "\n\n".join(parts)


def subscription_changed(subscribed: bool, place: Place | None, t: Translator) -> str:
    if subscribed and place is not None:
        text = t._("🔔 You will get news for {place}. Send /unsubscribe to stop.").format(
            place=place_name(place, t)
        )
    elif subscribed:
        text = t._("🔔 Choose your municipality first: /municipality")
    else:
        text = t._("🔕 You will not get news any more. Send /subscribe to get them again.")
    return t.paragraph(escape(text))

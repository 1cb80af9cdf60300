"""The card of one entry: its texts in the best language, then the practical details
(address, opening hours, phone, …) and the way back to where it was opened.

Opening hours use one clock per locale (CLDR's short time format through Babel),
with each time isolated left-to-right in right-to-left locales.
"""

from __future__ import annotations

import datetime as dt
from html import escape

from babel.dates import format_time, get_day_names
from babel.lists import format_list
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.content import hours
from bot.content.model import Entry, Region
from bot.content.store import Content
from bot.i18n import Translator
from bot.views.common import (
    MAX_MESSAGE_CHARS,
    View,
    back_arrow,
    button,
    display_language,
    localized,
    memo,
    place_name,
    region_fallbacks,
)
from bot.views.feedback import feedback_buttons
from bot.views.html import shorten_html

#: What ``weekly_schedule`` writes for "until midnight" (and editors write as 23:59).
_LAST_MINUTE = dt.time(23, 59)


def clock_time(value: dt.time, t: Translator, *, closing: bool = False) -> str:
    """A time in the locale's one clock (CLDR's short time format: 24-hour in de,
    12-hour in en and ar), the same in ranges and in "closes at". A closing time of
    23:59 or 00:00 is "midnight"; times are isolated left-to-right in RTL locales."""
    if closing and value in (_LAST_MINUTE, dt.time(0, 0)):
        return t._("midnight")
    return t.ltr(format_time(value, format="short", locale=t.locale))


def time_range(start: dt.time, end: dt.time, t: Translator) -> str:
    """``start – end`` with the locale's interval pattern (CLDR's fallback interval
    format: "18:00 تا 19:30" in fa); each time is isolated on its own, so the
    connector reads in the sentence's direction."""
    if start == dt.time(0, 0) and end == _LAST_MINUTE:
        return t._("24 hours")
    pattern = t.locale.interval_formats.get(None) or "{0} – {1}"
    return pattern.format(clock_time(start, t), clock_time(end, t, closing=True))


def _hours_lines(entry: Entry, t: Translator, now: dt.datetime, country: str | None) -> list[str]:
    assert entry.opening_hours
    spans = hours.weekly_schedule(entry.opening_hours, now.date(), country)
    days = get_day_names("abbreviated", locale=t.locale)
    lines = []
    for span in spans:
        day = days[span.first_day]
        if span.last_day != span.first_day:
            day = f"{day}–{days[span.last_day]}"
        ranges = [time_range(start, end, t) for start, end in span.intervals]
        times = format_list(ranges, style="standard-narrow", locale=t.locale)
        lines.append(f"   {escape(day)} {escape(times)}")
    state = hours.status(entry.opening_hours, now, country)
    if state.is_open is True:
        if state.next_change:
            closes = clock_time(state.next_change.time(), t, closing=True)
            lines.append("🟢 " + escape(t._("Open now · closes at {time}").format(time=closes)))
        else:
            lines.append("🟢 " + escape(t._("Open now")))
    elif state.is_open is False:
        if state.next_change is None:
            lines.append("🔴 " + escape(t._("Closed now")))
        else:
            opens = clock_time(state.next_change.time(), t)
            if state.next_change.date() == now.date():
                text = t._("Closed now · opens at {time}").format(time=opens)
            else:
                weekday = get_day_names("wide", locale=t.locale)[state.next_change.weekday()]
                text = t._("Closed now · opens {day} at {time}").format(day=weekday, time=opens)
            lines.append("🔴 " + escape(text))
    if not spans and state.is_open is None:
        lines.append(f"   {t.ltr(escape(entry.opening_hours))}")
    return lines


def cost_and_languages(cost: str | None, languages: list[str], t: Translator) -> list[str]:
    """The "💶 cost" and "🗣 languages spoken" lines of a card (entry or event), as
    escaped HTML; none for what is not given."""
    lines = []
    if cost:
        text = {
            "free": t._("Free of charge"),
            "paid": t._("Not free"),
            "reduced": t._("Reduced price possible"),
        }[cost]
        lines.append(f"💶 {escape(text)}")
    if languages:
        names = [display_language(code, t) for code in languages]
        spoken = format_list(names, locale=t.locale)
        lines.append("🗣 " + escape(t._("Languages spoken: {languages}").format(languages=spoken)))
    return lines


def entry_card(
    content: Content,
    entry: Entry,
    t: Translator,
    now: dt.datetime,
    *,
    back: tuple = (),
    region: Region | None = None,
) -> View:
    """The card of one entry: texts in the best language, then the practical details.

    ``now`` is the naive local time of the region (for "open now"). Says when the
    entry is example data and when it is shown in another language. ``back`` is the
    callback action and arguments of the Back button (where the person came from;
    default: the entry's category list); ``region`` the reader's region (its
    ``fallbacks`` choose the language of national entries too).
    """
    # "Open now" changes with the minute at most: a card is built once a minute.
    minute = now.replace(second=0, microsecond=0)
    back = back or ("cat", entry.category, 0)
    key = ("card", entry.id, t.lang, back, region.id if region else None)
    return memo(content, key, minute, lambda: _entry_card(content, entry, t, minute, back, region))


def _entry_card(
    content: Content,
    entry: Entry,
    t: Translator,
    now: dt.datetime,
    back: tuple,
    reader_region: Region | None,
) -> View:
    default = content.default_language(entry.id)
    region = content.regions.get(content.entry_region.get(entry.id) or "")
    fallbacks = region_fallbacks(region or reader_region, t)
    title, _ = localized(entry.title, t, default, fallbacks)
    summary, lang = localized(entry.summary, t, default, fallbacks)
    body = entry.body.get(lang, "")
    country = region.country if region else content.entry_country.get(entry.id)

    lines = [f"<b>{escape(t.auto(title))}</b>"]
    if entry.example:
        lines.append(
            "⚠️ <i>"
            + escape(
                t._(
                    "Example data: this is only an example to show how the bot works. It is not real."
                )
            )
            + "</i>"
        )
    if lang != t.lang:
        note = t._("Not yet translated into {language} — shown in {other}.").format(
            language=display_language(t.lang, t), other=display_language(lang, t)
        )
        lines.append(f"ℹ️ <i>{escape(note)}</i>")
    lines.append("")
    lines.append(escape(summary))
    if body:
        lines += ["", escape(body)]
    details: list[str] = []
    if entry.address:
        details.append(f"🏠 {t.ltr(escape(entry.address))}")
    # Example entries never show a pin, "open now" or "last checked" (the model also
    # refuses those fields on them): nothing on an example may look like a real place.
    if entry.opening_hours and not entry.example:
        details.append("🕒 " + escape(t._("Opening hours:")))
        details += _hours_lines(entry, t, now, country)
    if entry.phone:
        details.append(f"📞 {t.ltr(escape(entry.phone))}")
    if entry.email:
        details.append(f"✉️ {t.ltr(escape(entry.email))}")
    if entry.website:
        details.append(f"🌐 {t.ltr(escape(entry.website))}")
    details += cost_and_languages(entry.cost, entry.languages, t)
    where = scope_line(content, entry, region, t)
    if where:
        details.append(f"🗺 {escape(where)}")
    if entry.last_checked() and not entry.example:
        checked = t.date(entry.last_checked())
        details.append("✅ " + escape(t._("Last checked: {date}").format(date=checked)))
    if details:
        lines += ["", *details]
    text = t.paragraph("\n".join(lines))
    text = shorten_html(text, MAX_MESSAGE_CHARS)  # whole tags, UTF-16 units

    rows = []
    action_row = []
    if entry.geo and not entry.example:
        action_row.append(button("📍 " + t._("Show on map"), "loc", entry.id))
    if entry.website:
        action_row.append(InlineKeyboardButton("🌐 " + t._("Website"), url=entry.website))
    if action_row:
        rows.append(action_row)
    rows.append(feedback_buttons(entry.id, t))  # 👍 / ⚠️ (bot/views/feedback.py)
    rows.append(
        [
            button(back_arrow(t) + " " + t._("Back"), *back),
            button("🏠 " + t._("Menu"), "menu"),
        ]
    )
    return View(text, InlineKeyboardMarkup(rows))


def scope_line(content: Content, entry: Entry, region: Region | None, t: Translator) -> str:
    """Who the entry is for, as a whole sentence per case (names after a colon, so that
    no language has to inflect a region's or municipality's name)."""
    if entry.scope == "national":
        return t._("For everyone who lives in the country.")
    if entry.scope == "region" and region is not None:
        name = localized(region.name, t, region.default_language, region_fallbacks(region, t))[0]
        return t._("For everyone who lives in this region: {region}").format(region=t.auto(name))
    if isinstance(entry.scope, list):
        names = [place_name(content.places[m], t) for m in entry.scope if m in content.places]
        if names:
            text = t.ngettext(
                "For people who live in this municipality: {places}",
                "For people who live in these municipalities: {places}",
                len(names),
            )
            return text.format(places=format_list(names, locale=t.locale))
    return ""

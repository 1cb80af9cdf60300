"""What the newcomer sees of events: "📅 This week" and an event's card.

Plain functions of content, translator and time (see :mod:`bot.views.newcomer`).
Dates are written in the user's language (Babel, :meth:`Translator.date`), times
in the event's time zone, isolated left-to-right in right-to-left languages.
"""

from __future__ import annotations

import datetime as dt
from html import escape

from babel.dates import format_time
from babel.lists import format_list
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.content.store import Content, Place
from bot.events.model import Event
from bot.events.recurrence import Occurrence
from bot.events.select import (
    events_for,
    registration_closed,
    this_week,
    upcoming,
    zone_of_place,
)
from bot.i18n import N_, Translator
from bot.views.card import cost_and_languages
from bot.views.common import (
    MAX_MESSAGE_CHARS,
    View,
    button,
    display_language,
    localized,
    memo,
    paged,
    place_name,
)
from bot.views.html import shorten_html

AUDIENCE = {
    "everyone": N_("everyone"),
    "children": N_("children"),
    "women": N_("women"),
    "families": N_("families"),
}

#: Dates a card lists at most.
NEXT_DATES = 5


def has_events(content: Content, place: Place, examples: bool = True) -> bool:
    """True if the municipality sees any event at all (the menu then offers "This week")."""
    return bool(events_for(content, place, examples))


def _title(content: Content, event: Event, t: Translator) -> tuple[str, str]:
    return localized(event.title, t, _default_language(content, event))


def _default_language(content: Content, event: Event) -> str:
    region = content.regions.get(content.event_region.get(event.id) or "")
    if region:
        return region.default_language
    country = content.countries.get(content.event_country.get(event.id) or "")
    return country.default_language if country else "en"


_DATES: dict[tuple[str, dt.date], str] = {}


def _full_date(day: dt.date, t: Translator) -> str:
    key = (t.lang, day)
    text = _DATES.get(key)
    if text is None:
        if len(_DATES) > 20_000:
            _DATES.clear()
        text = _DATES[key] = t.date(day, "full")
    return text


def day_label(day: dt.date, today: dt.date, t: Translator) -> str:
    """'Today, Monday 23 November 2026', 'Tomorrow, …' or the full date."""
    full = _full_date(day, t)
    if day == today:
        return f"{t._('Today')} · {full}"
    if day == today + dt.timedelta(days=1):
        return f"{t._('Tomorrow')} · {full}"
    return full


_CLOCKS: dict[tuple[str, int, int], str] = {}


def _clock(moment: dt.datetime, t: Translator) -> str:
    """'18:00' (or '6:00 PM') in the user's language; at most 24 × 60 per language."""
    key = (t.lang, moment.hour, moment.minute)
    text = _CLOCKS.get(key)
    if text is None:
        text = _CLOCKS[key] = t.digits(format_time(moment.time(), format="short", locale=t.locale))
    return text


def times(occurrence: Occurrence, t: Translator) -> str:
    """'18:00–20:00', '22:00–01:00', '14:00', or 'All day' (isolated when RTL)."""
    if occurrence.all_day:
        last = (occurrence.end - dt.timedelta(days=1)).date()
        if last > occurrence.start.date():
            return t._("All day") + " · " + t._("until {date}").format(date=t.date(last))
        return t._("All day")
    text = _clock(occurrence.start, t)
    if occurrence.has_end:
        text += "–" + _clock(occurrence.end, t)
    return t.ltr(text)


def this_week_view(
    content: Content,
    place: Place,
    t: Translator,
    now: dt.datetime,
    page: int = 0,
    examples: bool = True,
) -> View:
    """What is on in the municipality from now until the end of the 7th day."""
    minute = now.replace(second=0, microsecond=0)
    key = ("events:week", place.municipality.id, t.lang, page, examples)
    return memo(content, key, minute, lambda: _this_week(content, place, t, minute, page, examples))


def _this_week(
    content: Content,
    place: Place,
    t: Translator,
    now: dt.datetime,
    page: int,
    examples: bool = True,
) -> View:
    where = t.auto(place_name(place, t))
    heading = t._("This week in {place}").format(place=where)
    empty = t._("Nothing planned this week in {place}.").format(place=where)
    found = this_week(content, place, now, examples=examples)
    return _listing(content, place, t, now, found, heading, empty, page)


def answer_view(
    content: Content,
    place: Place,
    t: Translator,
    now: dt.datetime,
    when: str | None = None,
    events: list[Event] | None = None,
    examples: bool = True,
) -> View:
    """The answer to a question about events: what is on ``when`` (today,
    tomorrow, the weekend, this week; see :mod:`bot.events.search`), or this
    week's dates of ``events`` (found by their titles)."""
    from bot.events import search

    found = this_week(content, place, now, examples=examples)
    today = now.astimezone(zone_of_place(place)).date()
    where = t.auto(place_name(place, t))
    if events is not None:
        wanted = {event.id for event in events}
        found = [o for o in found if o.event.id in wanted]
    if when in (search.TODAY, search.TOMORROW, search.WEEKEND):
        found = search.in_period(found, when, today)
        label = {
            search.TODAY: t._("Today"),
            search.TOMORROW: t._("Tomorrow"),
            search.WEEKEND: t._("This weekend"),
        }[when]
        heading = f"{label} · {where}"
        empty = t._("Nothing planned for then in {place}.").format(place=where)
    else:
        heading = t._("This week in {place}").format(place=where)
        empty = t._("Nothing planned this week in {place}.").format(place=where)
    return _listing(content, place, t, now, found, heading, empty, 0)


def _listing(
    content: Content,
    place: Place,
    t: Translator,
    now: dt.datetime,
    found: list[Occurrence],
    heading: str,
    empty: str,
    page: int,
) -> View:
    lines = ["📅 <b>" + escape(heading) + "</b>"]
    if not found:
        lines += ["", escape(empty)]
    today = now.astimezone(zone_of_place(place)).date()
    shown_day = None
    for occurrence in found:
        day = max(occurrence.start.date(), today)
        if day != shown_day:
            lines += ["", "<b>" + escape(day_label(day, today, t)) + "</b>"]
            shown_day = day
        title, _ = _title(content, occurrence.event, t)
        line = f"• {escape(times(occurrence, t))} {escape(t.auto(title))}"
        if registration_closed(content, occurrence.event, now):
            line += " — ⛔ " + escape(t._("Registration closed"))
        lines.append(line)
    text = shorten_html(t.paragraph("\n".join(lines)), MAX_MESSAGE_CHARS)

    events: dict[str, Event] = {}  # each event once, in the order of its next date
    for occurrence in found:
        events.setdefault(occurrence.event.id, occurrence.event)

    def event_button(event: Event) -> InlineKeyboardButton:
        return button("📅 " + _title(content, event, t)[0], "ev", event.id)

    rows, _ = paged(list(events.values()), page, event_button, "wk", columns=1)
    rows.append([button("🏠 " + t._("Menu"), "menu")])
    return View(text, InlineKeyboardMarkup(rows))


def event_card(content: Content, event: Event, t: Translator, now: dt.datetime) -> View:
    """An event's card: texts in the best language, the next dates, the place,
    the registration (or that it has closed), cost, languages and audience."""
    minute = now.replace(second=0, microsecond=0)
    key = ("events:card", event.id, t.lang)
    return memo(content, key, minute, lambda: _event_card(content, event, t, minute))


def _event_card(content: Content, event: Event, t: Translator, now: dt.datetime) -> View:
    default = _default_language(content, event)
    title, _ = localized(event.title, t, default)
    lines = [f"📅 <b>{escape(t.auto(title))}</b>"]
    if event.example:
        lines.append(
            "⚠️ <i>"
            + escape(
                t._(
                    "Example data: this is only an example to show how the bot works. It is not real."
                )
            )
            + "</i>"
        )
    summary, lang = localized(event.summary, t, default) if event.summary else ("", t.lang)
    shown_lang = lang if event.summary else localized(event.title, t, default)[1]
    if shown_lang != t.lang:
        note = t._("Not yet translated into {language} — shown in {other}.").format(
            language=display_language(t.lang, t), other=display_language(shown_lang, t)
        )
        lines.append(f"ℹ️ <i>{escape(note)}</i>")
    if summary:
        lines += ["", escape(summary)]

    next_dates = upcoming(content, event, now, NEXT_DATES)
    lines.append("")
    if next_dates:
        today = now.astimezone(next_dates[0].start.tzinfo).date()
        lines.append("🗓 " + escape(t._("Next dates:")))
        for occurrence in next_dates:
            day = max(occurrence.start.date(), today)
            lines.append(f"• {escape(day_label(day, today, t))} · {escape(times(occurrence, t))}")
    else:
        lines.append("🗓 " + escape(t._("This event is over.")))

    details: list[str] = []
    venue = content.entries.get(event.place.entry) if event.place and event.place.entry else None
    if venue is not None:
        venue_title, _ = localized(venue.title, t, content.default_language(venue.id))
        details.append(f"📍 {escape(t.auto(venue_title))}")
        if venue.address:
            details.append(f"🏠 {t.ltr(escape(venue.address))}")
    elif event.place and event.place.address:
        details.append(f"🏠 {t.ltr(escape(event.place.address))}")
    registration = event.registration
    if registration and registration.deadline is not None:
        if registration_closed(content, event, now):
            details.append("⛔ " + escape(t._("Registration closed")))
        else:
            deadline = registration.deadline
            when = t.date(deadline.date() if isinstance(deadline, dt.datetime) else deadline)
            if isinstance(deadline, dt.datetime):
                when += " " + t.ltr(_clock(deadline, t))
            details.append("📝 " + escape(t._("Sign up by {date}").format(date=when)))
    details += cost_and_languages(event.cost, event.languages, t)
    if event.audience:
        whom = format_list([t._(AUDIENCE[a]) for a in event.audience], locale=t.locale)
        details.append("👥 " + escape(t._("For whom: {audience}").format(audience=whom)))
    if details:
        lines += ["", *details]
    text = shorten_html(t.paragraph("\n".join(lines)), MAX_MESSAGE_CHARS)

    rows = []
    action_row = []
    if registration and registration.link and not registration_closed(content, event, now):
        action_row.append(InlineKeyboardButton("📝 " + t._("Sign up"), url=registration.link))
    if venue is not None:
        action_row.append(button("📍 " + venue_title, "e", venue.id))
    if action_row:
        rows.append(action_row)
    rows.append([button("⬅ " + t._("Back"), "wk", 0), button("🏠 " + t._("Menu"), "menu")])
    return View(text, InlineKeyboardMarkup(rows))


def week_button(t: Translator) -> InlineKeyboardButton:
    """The main menu's "📅 This week" button."""
    return button("📅 " + t._("This week"), "wk", 0)


def week_rows(content: Content, place: Place, t: Translator, examples: bool = True) -> list:
    """The main menu's "📅 This week" row, or no row when the municipality has no events."""
    return [[week_button(t)]] if has_events(content, place, examples) else []

"""What the newcomer sees: message texts (HTML) and inline keyboards.

Building blocks (:class:`~bot.views.common.View`, buttons, paging) are in
:mod:`bot.views.common`; announcements and /news in :mod:`bot.views.news`; what
staff see in :mod:`bot.views.staff`.

Plain functions of content, translator and time, with no Telegram I/O, so they
are easy to test and reuse (the bot, ``newcomer-bot preview``). Every text goes
through the user's :class:`~bot.i18n.Translator`; dates, times, numbers, lists
and language names through Babel. In right-to-left locales, left-to-right
fragments are wrapped in Unicode isolates.
"""

from __future__ import annotations

import datetime as dt
from html import escape

from babel.dates import format_date, format_interval, format_time, get_day_names
from babel.lists import format_list
from babel.numbers import format_decimal
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.content import hours
from bot.content.model import Entry
from bot.content.store import SCOPE_MUNICIPALITY, SCOPE_NATIONAL, Content, Place
from bot.i18n import LANGUAGES, Translator, language_name
from bot.telegram.commands import PRIVATE_COMMANDS
from bot.views.common import (
    MAX_MESSAGE_CHARS,
    View,
    button,
    display_language,
    localized,
    memo,
    paged,
    pairs,
    place_name,
)
from bot.views.events import has_events, week_button
from bot.views.html import shorten_html

# -- onboarding ------------------------------------------------------------------


def language_picker(t: Translator) -> View:
    """All UI languages by their own names (never flags), two per row."""
    buttons = [button(language_name(code), "lang", code) for code in LANGUAGES]
    text = t._("Choose your language:")
    return View(t.paragraph(f"🌐 {escape(text)}"), InlineKeyboardMarkup(pairs(buttons)))


def welcome(t: Translator) -> str:
    return t.paragraph(
        escape(
            t._(
                "Welcome! I help you find services, language courses, free activities "
                "and support where you live."
            )
        )
    )


def municipality_picker(
    content: Content, t: Translator, page: int = 0, region_id: str | None = None
) -> View:
    """Where the user lives: regions first when there are several, then its municipalities.

    Municipalities are sorted by their name in the user's language and paged.
    """
    regions = sorted(
        content.regions.values(),
        key=lambda r: localized(r.name, t, r.default_language)[0].casefold(),
    )
    if region_id is None and len(regions) == 1:
        region_id = regions[0].id
    if region_id is None or region_id not in content.regions:
        rows, _ = paged(
            regions,
            page,
            lambda r: button(localized(r.name, t, r.default_language)[0], "rg", r.id, 0),
            "mp",
        )
    else:
        places = sorted(
            (p for p in content.places.values() if p.region.id == region_id),
            key=lambda p: place_name(p, t).casefold(),
        )
        rows, _ = paged(
            places,
            page,
            lambda p: button(place_name(p, t), "mun", p.municipality.id),
            "rg",
            region_id,
        )
        if len(regions) > 1:
            rows.append([button("⬅ " + t._("Back"), "mp", 0)])
    rows.append([button("📍 " + t._("Use my location"), "geo")])
    rows.append([button("🌐 " + t._("Language"), "lp")])
    text = "\n".join(
        [
            "📍 <b>" + escape(t._("Where do you live?")) + "</b>",
            escape(t._("Tap your municipality, type its name, or share your location.")),
        ]
    )
    return View(t.paragraph(text), InlineKeyboardMarkup(rows))


def municipality_choices(places: list[Place], content: Content, t: Translator) -> View:
    """ "Did you mean …?" after a typed name that matched several municipalities."""
    rows = [[button(place_name(p, t), "mun", p.municipality.id)] for p in places]
    rows.append([button("📋 " + t._("Show all municipalities"), "mp", 0)])
    return View(t.paragraph(escape(t._("Did you mean:"))), InlineKeyboardMarkup(rows))


def unknown_place(t: Translator) -> str:
    return t.paragraph(
        escape(t._("I do not know this place. Please choose your municipality from the list."))
    )


# -- menus -------------------------------------------------------------------------


def main_menu(
    content: Content, place: Place, t: Translator, today: dt.date, *, ask_subscribe: bool = False
) -> View:
    """Categories with the number of entries each has for the municipality.

    With ``ask_subscribe`` the menu also asks, once, whether the user wants news
    from the municipality (off until they say yes). Menus are the most frequent
    answer, so each is built once per content version, language and day.
    """
    key = ("main_menu", place.municipality.id, t.lang, ask_subscribe)
    return memo(content, key, today, lambda: _main_menu(content, place, t, today, ask_subscribe))


def _main_menu(
    content: Content, place: Place, t: Translator, today: dt.date, ask_subscribe: bool
) -> View:
    counts = content.category_counts(place.municipality.id, today)
    buttons = []
    for category in content.categories.values():
        name, _ = localized(category.name, t, place.region.default_language)
        label = f"{category.icon} {name} ({format_decimal(counts[category.id], locale=t.locale)})"
        buttons.append(button(label.strip(), "cat", category.id, 0))
    rows = pairs(buttons)
    if has_events(content, place):
        rows.append([week_button(t)])
    rows.append(
        [
            button("📍 " + t._("Municipality"), "mp", 0),
            button("🌐 " + t._("Language"), "lp"),
        ]
    )
    text = "\n".join(
        [
            f"📍 <b>{escape(t.auto(place_name(place, t)))}</b>",
            escape(t._("What are you looking for? Choose a topic, or just type your question.")),
        ]
    )
    if ask_subscribe:
        question = t._("🔔 Do you want news from {place} (new courses, closures, events)?")
        text += "\n\n" + escape(question.format(place=t.auto(place_name(place, t))))
        rows.insert(
            0,
            [
                button("🔔 " + t._("Yes, send me news"), "sub", "yes"),
                button(t._("No, thanks"), "sub", "no"),
            ],
        )
    return View(t.paragraph(text), InlineKeyboardMarkup(rows))


def category_list(
    content: Content, place: Place, category_id: str, t: Translator, today: dt.date, page: int = 0
) -> View:
    """Entries of one category: the municipality's own first, then region, then national."""
    key = ("category", place.municipality.id, category_id, t.lang, page)
    return memo(
        content, key, today, lambda: _category_list(content, place, category_id, t, today, page)
    )


def _category_list(
    content: Content, place: Place, category_id: str, t: Translator, today: dt.date, page: int
) -> View:
    category = content.categories[category_id]
    ranked = content.ranked_entries(place.municipality.id, today, category_id)

    def entry_button(pair) -> InlineKeyboardButton:
        rank, entry = pair
        title, _ = localized(entry.title, t, content.default_language(entry.id))
        marker = {SCOPE_MUNICIPALITY: "📍", SCOPE_NATIONAL: "🏛"}.get(rank, "🗺")
        return button(f"{marker} {title}", "e", entry.id)

    rows, _ = paged(ranked, page, entry_button, "cat", category_id, columns=1)
    rows.append([button("⬅ " + t._("Back"), "menu")])
    name, _ = localized(category.name, t, place.region.default_language)
    where = t.auto(place_name(place, t))
    lines = [f"{category.icon} <b>{escape(name)}</b> — {escape(where)}"]
    if ranked:
        count = t.ngettext("{count} result", "{count} results", len(ranked))
        lines.append(escape(count.format(count=format_decimal(len(ranked), locale=t.locale))))
        lines.append(escape(t._("📍 in your municipality · 🗺 in the region · 🏛 national")))
    else:
        lines.append(escape(t._("Nothing here yet for your municipality.")))
    return View(t.paragraph("\n".join(lines)), InlineKeyboardMarkup(rows))


# -- the card -----------------------------------------------------------------------


def _hours_lines(entry: Entry, t: Translator, now: dt.datetime, country: str | None) -> list[str]:
    assert entry.opening_hours
    spans = hours.weekly_schedule(entry.opening_hours, now.date(), country)
    days = get_day_names("abbreviated", locale=t.locale)
    lines = []
    for span in spans:
        day = days[span.first_day]
        if span.last_day != span.first_day:
            day = f"{day}–{days[span.last_day]}"
        times = ", ".join(
            format_interval(start, end, skeleton="Hm", locale=t.locale)
            for start, end in span.intervals
        )
        lines.append(f"   {escape(day)} {t.ltr(escape(times))}")
    state = hours.status(entry.opening_hours, now, country)
    if state.is_open is True:
        if state.next_change:
            closes = format_time(state.next_change.time(), format="short", locale=t.locale)
            lines.append("🟢 " + escape(t._("Open now · closes at {time}").format(time=closes)))
        else:
            lines.append("🟢 " + escape(t._("Open now")))
    elif state.is_open is False:
        if state.next_change is None:
            lines.append("🔴 " + escape(t._("Closed now")))
        else:
            opens = format_time(state.next_change.time(), format="short", locale=t.locale)
            if state.next_change.date() == now.date():
                text = t._("Closed now · opens at {time}").format(time=opens)
            else:
                weekday = get_day_names("wide", locale=t.locale)[state.next_change.weekday()]
                text = t._("Closed now · opens {day} at {time}").format(day=weekday, time=opens)
            lines.append("🔴 " + escape(text))
    if not spans and state.is_open is None:
        lines.append(f"   {t.ltr(escape(entry.opening_hours))}")
    return lines


def entry_card(
    content: Content,
    entry: Entry,
    t: Translator,
    now: dt.datetime,
) -> View:
    """The card of one entry: texts in the best language, then the practical details.

    ``now`` is the naive local time of the region (for "open now"). Says when the
    entry is example data and when it is shown in another language.
    """
    # "Open now" changes with the minute at most: a card is built once a minute.
    minute = now.replace(second=0, microsecond=0)
    key = ("card", entry.id, t.lang)
    return memo(content, key, minute, lambda: _entry_card(content, entry, t, minute))


def _entry_card(content: Content, entry: Entry, t: Translator, now: dt.datetime) -> View:
    default = content.default_language(entry.id)
    title, _ = localized(entry.title, t, default)
    summary, lang = localized(entry.summary, t, default)
    body = entry.body.get(lang, "")
    region = content.regions.get(content.entry_region.get(entry.id) or "")
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
    if entry.opening_hours:
        details.append("🕒 " + escape(t._("Opening hours:")))
        details += _hours_lines(entry, t, now, country)
    if entry.phone:
        details.append(f"📞 {t.ltr(escape(entry.phone))}")
    if entry.email:
        details.append(f"✉️ {t.ltr(escape(entry.email))}")
    if entry.website:
        details.append(f"🌐 {t.ltr(escape(entry.website))}")
    if entry.cost:
        cost = {
            "free": t._("Free of charge"),
            "paid": t._("Not free"),
            "reduced": t._("Reduced price possible"),
        }[entry.cost]
        details.append(f"💶 {escape(cost)}")
    if entry.languages:
        names = [display_language(code, t) for code in entry.languages]
        spoken = format_list(names, locale=t.locale)
        details.append("🗣 " + escape(t._("Languages spoken: {languages}").format(languages=spoken)))
    if entry.scope == "national":
        where = t._("For everyone in the country")
    elif entry.scope == "region" and region is not None:
        where = t._("For the whole region {region}").format(
            region=t.auto(localized(region.name, t, region.default_language)[0])
        )
    elif isinstance(entry.scope, list):
        names = [place_name(content.places[m], t) for m in entry.scope if m in content.places]
        where = t._("For: {places}").format(places=format_list(names, locale=t.locale))
    else:
        where = ""
    if where:
        details.append(f"🗺 {escape(where)}")
    if entry.last_checked():
        checked = format_date(entry.last_checked(), format="medium", locale=t.locale)
        details.append("✅ " + escape(t._("Last checked: {date}").format(date=checked)))
    if details:
        lines += ["", *details]
    text = t.paragraph("\n".join(lines))
    text = shorten_html(text, MAX_MESSAGE_CHARS)  # whole tags, UTF-16 units

    rows = []
    action_row = []
    if entry.geo:
        action_row.append(button("📍 " + t._("Show on map"), "loc", entry.id))
    if entry.website:
        action_row.append(InlineKeyboardButton("🌐 " + t._("Website"), url=entry.website))
    if action_row:
        rows.append(action_row)
    rows.append(
        [
            button("⬅ " + t._("Back"), "cat", entry.category, 0),
            button("🏠 " + t._("Menu"), "menu"),
        ]
    )
    return View(text, InlineKeyboardMarkup(rows))


# -- help, privacy, forget ---------------------------------------------------------


def help_text(t: Translator) -> str:
    """How to use the bot: ask in your own words, or use the commands (their menu texts)."""
    lines = [
        "<b>" + escape(t._("How to use this bot")) + "</b>",
        escape(t._("Type a question in your language, e.g. “German course” or “doctor”.")),
        "",
    ]
    lines += [f"/{name} — {escape(t._(description))}" for name, description in PRIVATE_COMMANDS]
    return t.paragraph("\n".join(lines))


def privacy_text(t: Translator) -> str:
    lines = [
        "<b>" + escape(t._("Your privacy")) + "</b>",
        escape(
            t._(
                "The bot stores only your Telegram number (user id), your language, your "
                "municipality, whether you want news, and when you last used it."
            )
        ),
        escape(
            t._(
                "It does not store your name, your username or what you write. Questions it "
                "cannot answer are kept without your id, so that editors can add what is missing."
            )
        ),
        escape(t._("Send /forget to delete everything about you at any time.")),
    ]
    return t.paragraph("\n".join(lines))


def forget_confirm(t: Translator) -> View:
    rows = [
        [
            button("🗑 " + t._("Yes, delete everything"), "fgt", "yes"),
            button(t._("No, keep it"), "fgt", "no"),
        ]
    ]
    text = t._("Delete everything the bot stores about you (language, municipality, subscription)?")
    return View(t.paragraph(escape(text)), InlineKeyboardMarkup(rows))


def forgotten(t: Translator) -> str:
    return t.paragraph(
        escape(t._("Done: everything about you is deleted. Send /start to begin again."))
    )


def stale_button(t: Translator) -> str:
    return t._("This button is out of date. Here is the menu.")


# -- questions ------------------------------------------------------------------------


def search_results(
    content: Content,
    result,
    t: Translator,
    *,
    offset: int = 0,
    searched_place: Place | None = None,
) -> View:
    """The best entries for a question as buttons, with "show more" and a way to the topic.

    ``result`` is a :class:`bot.search.query.SearchResult`; ``searched_place`` the
    municipality searched (said explicitly when the question named another one).
    """
    lines = []
    if result.other_place and searched_place is not None:
        lines.append(
            "🔎 "
            + escape(
                t._("Results for {place} (from your question):").format(
                    place=t.auto(place_name(searched_place, t))
                )
            )
        )
    else:
        lines.append("🔎 " + escape(t._("This is what I found:")))
    rows = []
    for hit in result.hits:
        entry = content.entries[hit.entry_id]
        title, _ = localized(entry.title, t, content.default_language(entry.id))
        category = content.categories.get(entry.category)
        icon = category.icon if category else "•"
        rows.append([button(f"{icon} {title}", "e", entry.id)])
    shown = offset + len(result.hits)
    if result.total > shown:
        rows.append([button("▶ " + t._("Show more"), "more", shown)])
    if result.category and result.category in content.categories:
        category = content.categories[result.category]
        region_default = searched_place.region.default_language if searched_place else "en"
        name, _ = localized(category.name, t, region_default)
        rows.append([button(f"{category.icon} " + t._("See all: {topic}").format(topic=name),
                             "cat", category.id, 0)])  # fmt: skip
    rows.append([button("🏠 " + t._("Menu"), "menu")])
    return View(t.paragraph("\n".join(lines)), InlineKeyboardMarkup(rows))


def no_results(content: Content, place: Place, t: Translator) -> View:
    """Nothing found: say so kindly, offer the topics and the region's counselling contact."""
    lines = [
        "🤔 " + escape(t._("Sorry, I found nothing for this question.")),
        escape(t._("Try other words, choose a topic, or ask the counselling service.")),
    ]
    rows = [[button("🗂 " + t._("Topics"), "menu")]]
    counselling = content.entries.get(place.region.counselling or "")
    if counselling is not None:
        title, _ = localized(counselling.title, t, place.region.default_language)
        rows.insert(0, [button(f"🤝 {title}", "e", counselling.id)])
    return View(t.paragraph("\n".join(lines)), InlineKeyboardMarkup(rows))


def small_talk(kind: str, t: Translator) -> str:
    """A short friendly reply to a greeting (``kind`` "greeting") or thanks ("thanks");
    the menu follows it."""
    if kind == "thanks":
        return t.paragraph(
            "😊 " + escape(t._("You're welcome! Write to me whenever you need something."))
        )
    return t.paragraph(
        "👋 " + escape(t._("Hello! Choose a topic below, or write what you are looking for."))
    )


def search_hint(t: Translator) -> str:
    return t.paragraph(
        escape(t._("Write what you are looking for after /search, e.g. /search German course"))
    )

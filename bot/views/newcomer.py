"""What the newcomer sees: message texts (HTML) and inline keyboards.

Plain functions of content, translator and time, with no Telegram I/O, so they
are easy to test and reuse (the bot, ``newcomer-bot preview``). Every text goes
through the user's :class:`~bot.i18n.Translator`; dates, times, numbers, lists
and language names through Babel. In right-to-left locales, left-to-right
fragments are wrapped in Unicode isolates.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from html import escape

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_interval, format_time, get_day_names
from babel.lists import format_list
from babel.numbers import format_decimal
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.content import hours
from bot.content.model import Entry
from bot.content.store import SCOPE_MUNICIPALITY, SCOPE_NATIONAL, Content, Place
from bot.i18n import LANGUAGES, Translator, content_chain, language_name, pick_language
from bot.telegram import callback_data
from bot.telegram.commands import PRIVATE_COMMANDS

#: Buttons per page in the municipality picker and category lists: fits a small
#: phone screen without scrolling.
PAGE_SIZE = 8
#: Button labels longer than this are cut: Telegram shows one line per button.
BUTTON_CHARS = 48
#: Bot API: message text is at most 4096 characters after entity parsing.
MAX_MESSAGE_CHARS = 4096


@dataclass(frozen=True)
class View:
    """A message to send or edit: HTML text and an optional inline keyboard."""

    text: str
    keyboard: InlineKeyboardMarkup | None = None


def button(text: str, action: str, *args: object) -> InlineKeyboardButton:
    """An inline button whose callback data is ``action:args`` (see :mod:`bot.telegram.callback_data`;
    raises ValueError if that is not valid). Long labels are cut to one line."""
    label = text if len(text) <= BUTTON_CHARS else text[: BUTTON_CHARS - 1] + "…"
    return InlineKeyboardButton(label, callback_data=callback_data.make(action, *args))


def _pairs(buttons: list[InlineKeyboardButton]) -> list[list[InlineKeyboardButton]]:
    return [buttons[i : i + 2] for i in range(0, len(buttons), 2)]


def localized(texts: dict[str, str], t: Translator, region_default: str) -> tuple[str, str]:
    """Pick the text along the user's fallback chain; returns ``(text, language)``."""
    lang = pick_language(texts, content_chain(t.lang, region_default)) or t.lang
    return texts.get(lang, ""), lang


def place_name(place: Place, t: Translator) -> str:
    return localized(place.municipality.name, t, place.region.default_language)[0]


def _display_language(code: str, t: Translator) -> str:
    try:
        return Locale.parse(code).get_display_name(t.locale) or code
    except (UnknownLocaleError, ValueError):
        return code


# -- onboarding ------------------------------------------------------------------


def language_picker(t: Translator) -> View:
    """All UI languages by their own names (never flags), two per row."""
    buttons = [button(language_name(code), "lang", code) for code in LANGUAGES]
    text = t._("Choose your language:")
    return View(t.paragraph(f"🌐 {escape(text)}"), InlineKeyboardMarkup(_pairs(buttons)))


def welcome(t: Translator) -> str:
    return t.paragraph(
        escape(
            t._(
                "Welcome! I help you find services, language courses, free activities "
                "and support where you live."
            )
        )
    )


def _paged(
    items: list, page: int, make_button, nav_action: str, *nav_args: object, columns: int = 2
) -> tuple[list[list[InlineKeyboardButton]], int]:
    """One page of buttons (``columns`` per row) plus ◀ ▶ navigation; returns (rows, page)."""
    pages = max(1, -(-len(items) // PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    buttons = [make_button(item) for item in items[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]]
    rows = [buttons[i : i + columns] for i in range(0, len(buttons), columns)]
    nav = []
    if page > 0:
        nav.append(button("◀", nav_action, *nav_args, page - 1))
    if page < pages - 1:
        nav.append(button("▶", nav_action, *nav_args, page + 1))
    if nav:
        rows.append(nav)
    return rows, page


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
        rows, _ = _paged(
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
        rows, _ = _paged(
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
    return _memo(content, key, today, lambda: _main_menu(content, place, t, today, ask_subscribe))


def _memo(content: Content, key: tuple, valid_for: object, build) -> View:
    """The view cached under ``key`` in this content version if it was built for the
    same ``valid_for`` (a day, a minute), else a freshly built one. One slot per key,
    so the cache never grows beyond the number of keys."""
    stamp, view = content.memo.get(key, (None, None))
    if stamp != valid_for:
        view = build()
        content.memo[key] = (valid_for, view)
    return view


def _main_menu(
    content: Content, place: Place, t: Translator, today: dt.date, ask_subscribe: bool
) -> View:
    counts = content.category_counts(place.municipality.id, today)
    buttons = []
    for category in content.categories.values():
        name, _ = localized(category.name, t, place.region.default_language)
        label = f"{category.icon} {name} ({format_decimal(counts[category.id], locale=t.locale)})"
        buttons.append(button(label.strip(), "cat", category.id, 0))
    rows = _pairs(buttons)
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
    return _memo(
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

    rows, _ = _paged(ranked, page, entry_button, "cat", category_id, columns=1)
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
    return _memo(content, key, minute, lambda: _entry_card(content, entry, t, minute))


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
            language=_display_language(t.lang, t), other=_display_language(lang, t)
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
        names = [_display_language(code, t) for code in entry.languages]
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
    if entry.reviewed:
        checked = format_date(entry.reviewed, format="medium", locale=t.locale)
        details.append("✅ " + escape(t._("Last checked: {date}").format(date=checked)))
    if details:
        lines += ["", *details]
    text = t.paragraph("\n".join(lines))
    if len(text) > MAX_MESSAGE_CHARS:
        text = text[: MAX_MESSAGE_CHARS - 1] + "…"

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


# -- announcements ----------------------------------------------------------------------

#: Telegram counts message length in UTF-16 code units, at most 4096 (Bot API,
#: sendMessage). The header and the "not translated" note take up to ~200.
MAX_ANNOUNCEMENT_UNITS = 3800


def utf16_length(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji counts 2)."""
    return len(text.encode("utf-16-le")) // 2


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
            language=_display_language(t.lang, t), other=_display_language(lang, t)
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
        when = format_date(sent_at.date(), format="medium", locale=t.locale)
        parts.append(
            f"🗓 {t.ltr(escape(when))}\n{announcement_message(texts, default_language, t, place)}"
        )
    text = "\n\n".join(parts)
    return text if len(text) <= MAX_MESSAGE_CHARS else text[: MAX_MESSAGE_CHARS - 1] + "…"


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

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

from babel.units import format_unit
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.content.model import Entry, Region
from bot.content.store import SCOPE_MUNICIPALITY, SCOPE_NATIONAL, Content, Place
from bot.i18n import LANGUAGES, PDI, Translator, is_rtl, language_name
from bot.telegram.commands import PRIVATE_COMMANDS
from bot.views.common import (
    View,
    back_arrow,
    button,
    localized,
    memo,
    next_arrow,
    paged,
    pairs,
    place_name,
    previous_arrow,
    region_fallbacks,
)
from bot.views.events import week_rows
from bot.views.handoff import ask_button, with_ask_button
from bot.views.privacy import privacy_text  # noqa: F401  (handlers call views.privacy_text)

#: Mark of example entries in lists and search results (the card says it in words).
EXAMPLE_MARK = "🧪"

# -- onboarding ------------------------------------------------------------------


#: Languages most newcomers in a country read, most likely first: the country's own
#: languages, then those of its largest groups of newcomers as commonly known
#: (Luxembourg: Portuguese, French, Italian residents; asylum seekers from Syria,
#: Eritrea, Afghanistan, Ukraine. Germany: Syria, Ukraine, Turkey, Afghanistan,
#: Iraq, Romania, Poland). A fixed order, not counted from usage and not yet
#: compared with STATEC or BAMF figures (to do). A country that is not listed
#: gets only the client's language first.
PICKER_FIRST: dict[str, tuple[str, ...]] = {
    "lu": ("fr", "pt", "de", "en", "lb", "it", "ar", "uk", "ti", "prs", "fa", "es"),
    "de": ("de", "ar", "uk", "tr", "en", "ru", "prs", "fa", "ku", "ro", "pl", "ps"),
}

#: How many of the most likely languages get the wide buttons (two per row) at the
#: top of the picker; the rest follow three per row.
PICKER_TOP = 6

RLI = "\u2067"


def picker_languages(
    client_language: str | None = None, countries: tuple[str, ...] = ()
) -> tuple[str, ...]:
    """All UI languages, most likely first: the Telegram client's language
    (:func:`~bot.i18n.normalize_language`), then the countries' lists in
    :data:`PICKER_FIRST` taken in turns (content covering Luxembourg and Germany:
    fr, de, pt, ar, …), then the rest in :data:`~bot.i18n.LANGUAGES` order."""
    first = [client_language] if client_language in LANGUAGES else []
    lists = [PICKER_FIRST.get(c, ()) for c in countries]
    for i in range(max((len(x) for x in lists), default=0)):
        first += [x[i] for x in lists if i < len(x)]
    return tuple(dict.fromkeys([*first, *LANGUAGES]))


def _own_name(code: str) -> str:
    """The language's own name; a right-to-left name is isolated (RLI…PDI) so its
    parentheses and letters keep their order on a left-to-right keyboard."""
    name = language_name(code)
    return f"{RLI}{name}{PDI}" if is_rtl(code) else name


def language_picker(
    t: Translator, client_language: str | None = None, countries: tuple[str, ...] = ()
) -> View:
    """All UI languages by their own names (never flags): the most likely
    (:func:`picker_languages`) two per row on top, the others three per row."""
    codes = picker_languages(client_language, countries)
    buttons = [button(_own_name(code), "lang", code) for code in codes]
    top, rest = buttons[:PICKER_TOP], buttons[PICKER_TOP:]
    rows = pairs(top) + [rest[i : i + 3] for i in range(0, len(rest), 3)]
    text = t._("Choose your language:")
    return View(t.paragraph(f"🌐 {escape(text)}"), InlineKeyboardMarkup(rows))


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
    content: Content,
    t: Translator,
    page: int = 0,
    region_id: str | None = None,
    current: Place | None = None,
) -> View:
    """Where the user lives: regions first when there are several, then its municipalities.

    Municipalities are sorted by their name in the user's language and paged. With a
    ``current`` municipality (the picker opened from the menu or /municipality) a
    button goes back to the menu and keeps it.
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
            rtl=t.rtl,
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
            rtl=t.rtl,
        )
        if len(regions) > 1:
            rows.append([button(back_arrow(t) + " " + t._("Back"), "mp", 0)])
    rows.append([button("📍 " + t._("Use my location"), "geo")])
    rows.append([button("🌐 " + t._("Language"), "lp")])
    if current is not None:
        keep = t._("Keep {place}").format(place=place_name(current, t))
        rows.append([button(f"{back_arrow(t)} {keep}", "menu")])
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


def location_not_covered(nearest: Place, distance_km: float, t: Translator) -> tuple[str, View]:
    """A shared location outside every covered municipality: say so and name the nearest
    covered one with its distance (the text), and let the person take it or choose
    another (the view with buttons)."""
    distance = t.digits(
        format_unit(max(1, round(distance_km)), "length-kilometer", length="short", locale=t.locale)
    )
    name = place_name(nearest, t)
    lines = [
        "📍 " + escape(t._("I have no information for this place yet.")),
        escape(
            t._("The nearest municipality I know is {place}, {distance} away.").format(
                place=t.auto(name), distance=distance
            )
        ),
    ]
    question = escape(t._("Do you live there? Otherwise choose your municipality."))
    rows = [
        [button("✅ " + t._("Yes, {place}").format(place=name), "mun", nearest.municipality.id)],
        [button("📋 " + t._("Choose another municipality"), "mp", 0)],
    ]
    return t.paragraph("\n".join(lines)), View(t.paragraph(question), InlineKeyboardMarkup(rows))


def question_kept(t: Translator) -> str:
    """A question typed before the municipality is known: it is answered after."""
    return t.paragraph(
        escape(
            t._(
                "I will answer your question as soon as I know where you live: "
                "choose your municipality, type its name or share your location."
            )
        )
    )


def unknown_place(t: Translator) -> str:
    return t.paragraph(
        escape(t._("I do not know this place. Please choose your municipality from the list."))
    )


# -- menus -------------------------------------------------------------------------


def main_menu(
    content: Content,
    place: Place,
    t: Translator,
    today: dt.date,
    *,
    ask_subscribe: bool = False,
    examples: bool = True,
    ask_person: bool = False,
) -> View:
    """Categories with the number of entries each has for the municipality.

    With ``ask_subscribe`` the menu also asks, once, whether the user wants news
    from the municipality (off until they say yes). Menus are the most frequent
    answer, so each is built once per content version, language and day.
    ``examples``: whether example entries are shown (``BOT_SHOW_EXAMPLES``);
    ``ask_person``: the "Ask a person" button (a helpdesk answers for the place).
    """
    key = ("main_menu", place.municipality.id, t.lang, ask_subscribe, examples)
    view = memo(
        content, key, today, lambda: _main_menu(content, place, t, today, ask_subscribe, examples)
    )
    return with_ask_button(view, t) if ask_person else view


def _main_menu(
    content: Content,
    place: Place,
    t: Translator,
    today: dt.date,
    ask_subscribe: bool,
    examples: bool,
) -> View:
    counts = content.category_counts(place.municipality.id, today, examples=examples)
    buttons = []
    for category in content.categories.values():
        name, _ = localized(category.name, t, place.region.default_language)
        label = f"{category.icon} {name} ({t.number(counts[category.id])})"
        buttons.append(button(label.strip(), "cat", category.id, 0))
    rows = pairs(buttons)
    rows += week_rows(content, place, t, examples)  # "📅 This week" if there are events
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
    content: Content,
    place: Place,
    category_id: str,
    t: Translator,
    today: dt.date,
    page: int = 0,
    *,
    examples: bool = True,
    results_offset: int | None = None,
) -> View:
    """Entries of one category: editors' priorities first (the emergency number on top),
    then the municipality's own, then region, then national.

    ``results_offset``: the list was opened from search results at that offset, and
    Back returns there (else Back goes to the menu).
    """
    key = ("category", place.municipality.id, category_id, t.lang, page, examples, results_offset)
    return memo(
        content,
        key,
        today,
        lambda: _category_list(
            content, place, category_id, t, today, page, examples, results_offset
        ),
    )


def is_direct_number(phone: str | None) -> bool:
    """Emergency and help numbers (112, 113, 116 111): dialled as they are, so lists
    show them right away; nobody should need a second tap to call 112."""
    return bool(phone) and not phone.startswith("+")


def list_label(content: Content, entry: Entry, t: Translator, region: Region, icon: str) -> str:
    """An entry's button in a list or in search results: its icon, the number to dial
    for emergency and help numbers, the title, and the example mark."""
    title, _ = localized(
        entry.title, t, content.default_language(entry.id), region_fallbacks(region, t)
    )
    parts = [icon]
    if entry.example:
        parts.append(EXAMPLE_MARK)
    if is_direct_number(entry.phone):
        parts.append(f"{entry.phone} —")
    parts.append(title)
    return " ".join(parts)


def _category_list(
    content: Content,
    place: Place,
    category_id: str,
    t: Translator,
    today: dt.date,
    page: int,
    examples: bool,
    results_offset: int | None,
) -> View:
    category = content.categories[category_id]
    ranked = content.ranked_entries(place.municipality.id, today, category_id, examples=examples)
    fallbacks = region_fallbacks(place.region, t)

    def entry_button(pair) -> InlineKeyboardButton:
        rank, entry = pair
        marker = {SCOPE_MUNICIPALITY: "📍", SCOPE_NATIONAL: "🏛"}.get(rank, "🗺")
        return button(list_label(content, entry, t, place.region, marker), "ec", entry.id, page)

    # Other pages of a list opened from search results are ordinary pages (Back: menu);
    # a card remembers its page (``ec``), so its Back returns to it.
    rows, page = paged(ranked, page, entry_button, "cat", category_id, columns=1, rtl=t.rtl)
    if results_offset is None:
        rows.append([button(back_arrow(t) + " " + t._("Back"), "menu")])
    else:
        rows.append([button(back_arrow(t) + " " + t._("Back"), "more", results_offset)])
    name, _ = localized(category.name, t, place.region.default_language, fallbacks)
    where = t.auto(place_name(place, t))
    lines = [f"{category.icon} <b>{escape(name)}</b> — {escape(where)}"]
    numbers = [entry for _, entry in ranked if is_direct_number(entry.phone)]
    for entry in numbers:
        title, _ = localized(entry.title, t, content.default_language(entry.id), fallbacks)
        lines.append(f"📞 <b>{t.ltr(escape(entry.phone))}</b> — {escape(t.auto(title))}")
    if ranked:
        count = t.ngettext("{count} result", "{count} results", len(ranked))
        lines.append(escape(count.format(count=t.number(len(ranked)))))
        lines.append(escape(t._("📍 in your municipality · 🗺 in the region · 🏛 national")))
        if any(entry.example for _, entry in ranked):
            lines.append(escape(example_legend(t)))
    else:
        lines.append(escape(t._("Nothing here yet for your municipality.")))
    return View(t.paragraph("\n".join(lines)), InlineKeyboardMarkup(rows))


def example_legend(t: Translator) -> str:
    return EXAMPLE_MARK + " " + t._("example only, not a real offer")


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
    per_page: int = 5,
    examples: bool = True,
) -> View:
    """The best entries for a question as buttons, with pages back and forth and a way
    to the topic.

    ``result`` is a :class:`bot.search.query.SearchResult` for the page at ``offset``
    (``per_page`` hits a page); ``searched_place`` the municipality searched (said
    explicitly when the question named another one). Example entries are marked, or
    left out without ``examples``. Cards and the topic list opened from here come back
    to this page.
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
    region = searched_place.region if searched_place else None
    rows = []
    shown_examples = False
    for hit in result.hits:
        entry = content.entries[hit.entry_id]
        if entry.example and not examples:
            continue
        shown_examples |= entry.example
        category = content.categories.get(entry.category)
        icon = category.icon if category else "•"
        label = list_label(content, entry, t, region, icon) if region else f"{icon} {entry.id}"
        rows.append([button(label, "es", entry.id, offset)])
    if shown_examples:
        lines.append(escape(example_legend(t)))
    shown = offset + len(result.hits)
    nav = []
    if offset > 0:
        nav.append(button(previous_arrow(t), "more", max(0, offset - per_page)))
    if result.total > shown:
        nav.append(button(next_arrow(t) + " " + t._("Show more"), "more", shown))
    if nav:
        rows.append(nav)
    if result.category and result.category in content.categories:
        category = content.categories[result.category]
        region_default = searched_place.region.default_language if searched_place else "en"
        name, _ = localized(category.name, t, region_default)
        rows.append([button(f"{category.icon} " + t._("See all: {topic}").format(topic=name),
                             "cs", category.id, offset)])  # fmt: skip
    rows.append([button("🏠 " + t._("Menu"), "menu")])
    return View(t.paragraph("\n".join(lines)), InlineKeyboardMarkup(rows))


def no_results(content: Content, place: Place, t: Translator, *, ask_person: bool = False) -> View:
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
    if ask_person:
        rows.insert(0, [ask_button(t)])
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

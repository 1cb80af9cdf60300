"""The eleven languages of issue 17 end to end: the language picker with 23
languages, Dari, Sorani and Somali newcomers through the sandbox (real
Application, real HTTP, the local Bot API stand-in), and search in the new
languages."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.i18n import LANGUAGES, LRI, PDI, RLM, translator
from bot.search.analysis import make_stemmer
from bot.views import newcomer as views
from bot.views.card import entry_card
from tests.conftest import last_keyboard, last_message_id, last_text

RLI = "\u2067"
EXTENDED_ARABIC_DIGITS = re.compile("[۰-۹]")
ASCII_DIGITS = re.compile("[0-9]")
TODAY = dt.date(2026, 11, 23)


def picker_codes(view) -> list[str]:
    return [b.callback_data.split(":", 1)[1] for row in view.keyboard.inline_keyboard for b in row]


def labels(calls) -> dict[str, str]:
    """Button label (without bidi isolates) → callback data."""
    return {k.strip(RLI + PDI): v for k, v in last_keyboard(calls).items()}


# -- the picker ------------------------------------------------------------------------


def test_picker_has_every_language_once_in_its_own_name() -> None:
    view = views.language_picker(translator("en"))
    codes = picker_codes(view)
    assert sorted(codes) == sorted(LANGUAGES)
    names = [b.text for row in view.keyboard.inline_keyboard for b in row]
    assert "Soomaali" in names and "Shqip" in names and "Polski" in names
    assert f"{RLI}دری{PDI}" in names, "Dari by its own name, isolated right-to-left"
    assert f"{RLI}کوردی (سۆرانی){PDI}" in names, "Sorani's parentheses stay in place"


def test_picker_fits_a_phone() -> None:
    rows = views.language_picker(translator("en"), "ckb", ("lu", "de")).keyboard.inline_keyboard
    assert all(len(row) <= 3 for row in rows)
    assert len(rows) <= 10, "23 languages in at most ten rows"
    assert [len(row) for row in rows[:3]] == [2, 2, 2], "the most likely six get wide buttons"
    for row in rows:
        for b in row:
            assert len(b.callback_data.encode()) <= 64


def test_client_language_then_the_country_order() -> None:
    assert views.picker_languages("prs", ("lu",))[:5] == ("prs", "fr", "pt", "de", "en")
    assert views.picker_languages("so", ("de",))[:4] == ("so", "de", "ar", "uk")
    # The client language is not repeated where the country lists it.
    assert views.picker_languages("de", ("de",))[:3] == ("de", "ar", "uk")
    # Content covering both countries, no municipality yet: the lists in turns.
    assert views.picker_languages(None, ("de", "lu"))[:4] == ("de", "fr", "ar", "pt")
    # Unknown country or language: the fixed order.
    assert views.picker_languages(None, ("zz",)) == LANGUAGES


@given(st.text(max_size=12), st.lists(st.text(max_size=4), max_size=3))
def test_picker_order_is_always_all_languages_once(client: str, countries: list[str]) -> None:
    order = views.picker_languages(client, tuple(countries))
    assert sorted(order) == sorted(LANGUAGES)


# -- onboarding through the sandbox -----------------------------------------------------


async def open_a_card(sandbox, user_id: int, menu_calls, category: str, **kwargs):
    """From the menu: tap ``category``, then its first entry; returns
    (category calls, card calls, entry id)."""
    menu = last_keyboard(menu_calls)
    data = next(d for d in menu.values() if d.startswith(f"cat:{category}:"))
    cat_calls = await sandbox.tap(user_id, data, last_message_id(menu_calls), **kwargs)
    entries = [d for d in last_keyboard(cat_calls).values() if d.startswith("ec:")]
    assert entries, f"{category} lists entries"
    card_calls = await sandbox.tap(user_id, entries[0], last_message_id(cat_calls), **kwargs)
    return cat_calls, card_calls, entries[0].split(":")[1]


async def test_dari_newcomer_from_an_afghan_phone(sandbox, snapshot):
    t = translator("prs")
    calls = await sandbox.text(4101, "/start", language_code="fa-AF")
    prompt = last_text(calls)
    assert t._("Where do you live?") in prompt, "fa-AF is Dari: no picker, Dari at once"
    assert prompt.startswith(RLM)
    user = await sandbox.storage.get_user(4101)
    assert user.language == "prs"

    menu_calls = await sandbox.tap(4101, "mun:remich", last_message_id(calls))
    menu = last_keyboard(menu_calls)
    counts = [label for label, data in menu.items() if data.startswith("cat:")]
    assert counts and all(EXTENDED_ARABIC_DIGITS.search(c) for c in counts), counts
    assert not any(ASCII_DIGITS.search(c) for c in counts), "Dari digits, not 0-9"

    _, card_calls, entry_id = await open_a_card(sandbox, 4101, menu_calls, "emergency")
    card = last_text(card_calls)
    entry = snapshot.content.entries[entry_id]
    assert card.startswith(RLM), "a Dari card is right-to-left"
    if entry.phone:
        assert f"{LRI}{entry.phone}{PDI}" in card, "the phone number is isolated left-to-right"
    assert "menu" in last_keyboard(card_calls).values()

    # /language later: Dari first (the client), then Luxembourg's order.
    calls = await sandbox.text(4101, "/language", language_code="fa-AF")
    assert t._("Choose your language:") in last_text(calls)
    order = [d.split(":")[1] for d in last_keyboard(calls).values() if d.startswith("lang:")]
    assert order[:4] == ["prs", "fr", "pt", "de"]


async def test_sorani_newcomer_picks_the_language(sandbox, snapshot):
    t = translator("ckb")
    calls = await sandbox.text(4202, "/start")  # a client that sends no language
    picker = labels(calls)
    assert picker["کوردی (سۆرانی)"] == "lang:ckb"
    assert f"{RLI}کوردی (سۆرانی){PDI}" in last_keyboard(calls)

    calls = await sandbox.tap(4202, "lang:ckb", last_message_id(calls))
    answer = next(c for c in calls if c.method == "answerCallbackQuery")
    assert answer.params.get("text", "").endswith(t._("Language changed"))
    prompt = last_text(calls)
    assert t._("Where do you live?") in prompt
    assert prompt.startswith(RLM)

    menu_calls = await sandbox.tap(4202, "mun:marburg", last_message_id(calls))
    assert last_text(menu_calls).startswith(RLM)
    _, card_calls, entry_id = await open_a_card(sandbox, 4202, menu_calls, "health")
    card = last_text(card_calls)
    entry = snapshot.content.entries[entry_id]
    assert card.startswith(RLM)
    if entry.phone:
        assert f"{LRI}{entry.phone}{PDI}" in card
    assert (await sandbox.storage.get_user(4202)).language == "ckb"


async def test_somali_newcomer(sandbox, snapshot):
    t = translator("so")
    calls = await sandbox.text(4303, "/start", language_code="so")
    prompt = last_text(calls)
    assert t._("Where do you live?") == "Xaggee ku nooshahay?"
    assert t._("Where do you live?") in prompt
    assert not prompt.startswith(RLM), "Somali is left-to-right"

    menu_calls = await sandbox.tap(4303, "mun:grevenmacher", last_message_id(calls))
    _, card_calls, _ = await open_a_card(sandbox, 4303, menu_calls, "activities")
    card = last_text(card_calls)
    assert LRI not in card and RLM not in card
    assert "menu" in last_keyboard(card_calls).values()

    # A question typed in Somali finds the category through its keywords.
    calls = await sandbox.text(4303, "dhakhtar", language_code="so")
    results = [d for d in last_keyboard(calls).values() if d.startswith(("e:", "ec:", "es:"))]
    health = {e.id for e in snapshot.content.entries.values() if e.category == "health"}
    assert any(d.split(":")[1] in health for d in results), last_keyboard(calls)


async def test_forged_language_button_changes_nothing(sandbox):
    calls = await sandbox.text(4404, "/start", language_code="so")
    message_id = last_message_id(calls)
    for forged in ("lang:xx", "lang:" + "a" * 40, "lang:fa-AF", "lang:"):
        calls = await sandbox.tap(4404, forged, message_id)
        assert any(c.method == "answerCallbackQuery" for c in calls), "the tap is answered"
        assert (await sandbox.storage.get_user(4404)).language == "so"


# -- search in the new languages ---------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "lang", "municipality", "category"),
    [
        ("kursa almanî", "ku", "marburg", "language-courses"),
        ("dibistan ji bo zarokên min", "ku", "remich", "education"),  # zarokên → zarok
        ("apteka", "pl", "dalheim", "health"),  # also a Russian keyword «аптека»
        ("farmacie", "ro", "mondorf", "health"),
        ("دکتۆر", "ckb", "remich", "health"),
        ("دكتور", "ckb", "remich", "health"),  # typed without the Sorani ۆ
        ("ڈاکٹر", "ur", "remich", "health"),
        ("ሐኪም", "am", "remich", "health"),
        ("ሀኪም", "am", "remich", "health"),  # the other h series
        ("curso de aleman", "es", "marburg", "language-courses"),
        ("corsi di tedesco", "it", "marburg", "language-courses"),  # stemmed
    ],
)
def test_new_languages_find_the_category(query, lang, municipality, category, snapshot) -> None:
    result = snapshot.search.search(query, lang, municipality, TODAY, limit=3)
    cats = {snapshot.content.entries[h.entry_id].category for h in result.hits}
    assert category in cats, (result.kind, [h.entry_id for h in result.hits])


def test_stemmers_of_the_new_languages() -> None:
    for lang, word, stem in [
        ("it", "corsi", "cors"),
        ("es", "cursos", "curs"),
        ("pl", "kursy", "kurs"),
        ("ku", "zarokan", "zarok"),
        ("ku", "kursa", "kurs"),
    ]:
        assert make_stemmer(lang)(word) == stem
    for lang in ("so", "sq", "am", "ur", "ckb"):
        assert make_stemmer(lang) is None, "no stemmer is better than a made-up one"


# -- dates and numbers as the newcomer writes them -----------------------------------------


@pytest.mark.parametrize(
    ("lang", "date"),
    [("prs", "۳۰ نومبر ۲۰۲۶"), ("so", "Noofeembar 30, 2026"), ("en", "November 30, 2026")],
)
def test_the_card_says_when_it_was_checked_in_the_reader_s_calendar(snapshot, lang, date) -> None:
    entry = snapshot.content.entries["lu-adem"]
    assert entry.last_checked() == dt.date(2026, 11, 30) and not entry.example
    t = translator(lang)
    view = entry_card(snapshot.content, entry, t, dt.datetime(2026, 11, 23, 10, 0))
    assert t._("Last checked: {date}").format(date=date) in view.text

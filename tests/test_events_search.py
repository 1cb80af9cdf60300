"""Questions about events: time words in many languages, the weekend, titles."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.events.search import TODAY, TOMORROW, WEEK, WEEKEND, in_period, when_asked
from bot.events.select import this_week
from tests.conftest import NOW, last_keyboard, last_message_id, last_text
from tests.test_events_bot import plain
from tests.test_newcomer_flow import onboard


@pytest.mark.parametrize(
    ("question", "meaning"),
    [
        ("today", TODAY),
        ("Heute?", TODAY),
        ("Was ist heute los?", TODAY),
        ("aujourd'hui", TODAY),
        ("اليوم", TODAY),
        ("ماذا هناك اليوم؟", TODAY),
        ("сьогодні", TODAY),
        ("امروز", TODAY),
        ("bugün", TODAY),
        ("morgen", TOMORROW),
        ("завтра", TOMORROW),
        ("weekend", WEEKEND),
        ("Wochenende", WEEKEND),
        ("qu'est-ce qu'il y a ce week-end", WEEKEND),
        ("what's on this weekend?", WEEKEND),
        ("вихідні", WEEKEND),
        ("Veranstaltungen", WEEK),
        ("this week", WEEK),
        ("فعاليات", WEEK),
    ],
)
def test_time_words_in_many_languages(question, meaning):
    assert when_asked(question) == meaning


@pytest.mark.parametrize("question", ["doctor today", "Arzt heute", "language course", "", "?"])
def test_questions_with_other_words_are_searches(question):
    assert when_asked(question) is None


@given(st.text(max_size=80))
def test_any_text_is_a_time_word_or_not_never_an_error(text):
    assert when_asked(text) in (None, TODAY, TOMORROW, WEEKEND, WEEK)


def test_the_weekend_is_the_coming_saturday_and_sunday(snapshot):
    content = snapshot.content
    week = this_week(content, content.places["remich"], NOW)
    monday = dt.date(2026, 11, 23)
    weekend = {o.event.id for o in in_period(week, WEEKEND, monday)}
    assert weekend == {"misel-ev-winter-market", "misel-ev-repair-cafe"}  # the walk starts Friday
    assert {o.event.id for o in in_period(week, TODAY, monday)} == set()
    wednesday = {o.event.id for o in in_period(week, TODAY, dt.date(2026, 11, 25))}
    assert wednesday == {"lu-ev-info-day", "misel-ev-language-cafe"}


async def test_ukrainian_asks_what_is_on_tomorrow(sandbox):
    menu_calls = await onboard(sandbox, 1601, "uk", "marburg")
    calls = await sandbox.text(1601, "Що відбувається завтра?", language_code="uk")
    text = plain(last_text(calls))
    assert text.startswith("📅 <b>Завтра · Марбург</b>") and "Мовне кафе" in text
    assert last_message_id(calls) != last_message_id(menu_calls), "a new message, not an edit"


async def test_arabic_asks_about_today_when_nothing_is_on(sandbox):
    await onboard(sandbox, 1602, "ar", "remich")
    text = last_text(await sandbox.text(1602, "اليوم", language_code="ar"))
    assert "لا شيء مخطط له في هذا الوقت" in text


async def test_german_asks_about_the_weekend(sandbox):
    await onboard(sandbox, 1603, "de", "remich")
    text = plain(
        last_text(await sandbox.text(1603, "Was ist am Wochenende los?", language_code="de"))
    )
    assert "Dieses Wochenende · Remich" in text
    assert "Wintermarkt der Vereine" in text and "Repair café" in text
    assert "Sprachcafé am Abend" not in text  # Wednesday


async def test_an_event_title_is_found_when_no_entry_matches(sandbox):
    await onboard(sandbox, 1604, "de", "remich")
    text = last_text(await sandbox.text(1604, "Wintermarkt", language_code="de"))
    assert "Wintermarkt der Vereine" in text and "📅" in text
    assert (
        "ev:misel-ev-winter-market"
        in last_keyboard(await sandbox.text(1604, "Wintermarkt")).values()
    )

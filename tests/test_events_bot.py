"""'📅 This week' end to end: real Application, the local Bot API stand-in, Arabic
and Ukrainian; and the views' day labels, right-to-left isolation and limits."""

from __future__ import annotations

import datetime as dt
import re

from bot.i18n import LRI, PDI, RLM, translator
from bot.views.events import event_card, this_week_view
from tests.conftest import last_keyboard, last_message_id, last_text
from tests.test_newcomer_flow import onboard


def plain(text: str) -> str:
    """CLDR puts narrow no-break spaces in dates and times ('6:00\u202fPM'): compare as spaces."""
    return text.replace("\u202f", " ").replace("\xa0", " ")


ARABIC = re.compile(r"[\u0600-\u06FF]")
CYRILLIC = re.compile(r"[\u0400-\u04FF]")


async def test_arabic_newcomer_sees_this_week_right_to_left(sandbox):
    menu_calls = await onboard(sandbox, 1501, "ar", "remich")
    menu = last_keyboard(menu_calls)
    assert "wk:0" in menu.values(), "the main menu offers 'This week' where there are events"
    label = next(label for label, data in menu.items() if data == "wk:0")
    assert label.startswith("📅") and ARABIC.search(label)

    week_calls = await sandbox.tap(1501, "wk:0", last_message_id(menu_calls), language_code="ar")
    text = last_text(week_calls)
    assert text.startswith(RLM) and "هذا الأسبوع" in text
    assert "أمسية مقهى اللغات" in text  # the weekly café, in Arabic
    assert f"{LRI}6:00 م–8:00 م{PDI}" in text, "times are isolated left-to-right"
    assert "التسجيل مغلق" in text, "the football camp's registration has closed"
    assert "Foire d'automne" not in text, "events that are over are gone"
    assert text.index("يوم إعلامي") < text.index("أمسية مقهى") < text.index("مخيم كرة القدم")

    buttons = last_keyboard(week_calls)
    assert "menu" in buttons.values()
    card_calls = await sandbox.tap(
        1501, "ev:misel-ev-language-cafe", last_message_id(week_calls), language_code="ar"
    )
    card = last_text(card_calls)
    assert card.startswith(RLM) and "المواعيد القادمة:" in card
    assert card.count("• ") == 5, "the next five dates"
    assert "30 ديسمبر" not in card and "23 ديسمبر" not in card, "left-out dates are not shown"
    assert "e:misel-reading-hour" in last_keyboard(card_calls).values(), "the venue's card"


async def test_ukrainian_newcomer_in_marburg_sees_tomorrow(sandbox):
    menu_calls = await onboard(sandbox, 1502, "uk", "marburg")
    week_calls = await sandbox.tap(1502, "wk:0", last_message_id(menu_calls), language_code="uk")
    text = plain(last_text(week_calls))
    assert CYRILLIC.search(text) and "Цього тижня в Марбург" in text
    assert "<b>Завтра · вівторок, 24 листопада 2026 р.</b>" in text
    assert "• 17:00–19:00 Мовне кафе" in text
    assert "Журнал" not in text and "Repair" not in text, "no Luxembourg events in Marburg"
    card_calls = await sandbox.tap(
        1502, "ev:mb-ev-sprachcafe", last_message_id(week_calls), language_code="uk"
    )
    card = last_text(card_calls)
    assert "Наступні дати:" in card and "Завтра" in card
    assert "wk:0" in last_keyboard(card_calls).values(), "back to the week"


async def test_no_week_button_where_nothing_is_planned(sandbox):
    menu = last_keyboard(await onboard(sandbox, 1503, "de", "kirchhain"))
    assert "wk:0" not in menu.values()
    calls = await sandbox.tap(1503, "wk:0", 1, language_code="de")  # an old button
    assert "Diese Woche ist in Kirchhain nichts geplant." in last_text(calls)


async def test_a_removed_event_button_says_it_is_out_of_date(sandbox):
    menu_calls = await onboard(sandbox, 1504, "en", "remich")
    calls = await sandbox.tap(1504, "ev:gone-event", last_message_id(menu_calls))
    answers = [c for c in calls if c.method == "answerCallbackQuery"]
    assert answers and answers[0].params.get("text"), "the tap is answered with a note"


# -- views --------------------------------------------------------------------------


def test_today_tomorrow_and_closed_registration(snapshot):
    content = snapshot.content
    wednesday = dt.datetime(2026, 11, 25, 7, 0, tzinfo=dt.UTC)  # 08:00 in Remich
    view = this_week_view(content, content.places["remich"], translator("en"), wednesday)
    view = view.__class__(plain(view.text), view.keyboard)
    assert "<b>Today · Wednesday, November 25, 2026</b>" in view.text
    assert "<b>Tomorrow · Thursday, November 26, 2026</b>" in view.text
    assert "Football camp for children — ⛔ Registration closed" in view.text
    assert "• All day · until November 29, 2026 Winter market of the clubs" in view.text
    assert "• 10:00 PM–1:00 AM Night walk" in view.text
    saturday = dt.datetime(2026, 11, 28, 23, 30, tzinfo=dt.UTC)  # Sunday 00:30 in Remich
    view = this_week_view(content, content.places["remich"], translator("en"), saturday)
    view = view.__class__(plain(view.text), view.keyboard)
    assert (
        "<b>Today · Sunday, November 29, 2026</b>\n• All day · until November 29, 2026 Winter market"
        in view.text
    )


def test_card_registration_open_then_closed(snapshot):
    content = snapshot.content
    walk = content.events["misel-ev-night-walk"]
    before = event_card(
        content, walk, translator("en"), dt.datetime(2026, 11, 23, 9, tzinfo=dt.UTC)
    )
    assert "📝 Sign up by November 27, 2026 12:00 PM" in plain(before.text)
    after = event_card(
        content, walk, translator("en"), dt.datetime(2026, 11, 27, 12, tzinfo=dt.UTC)
    )
    assert "⛔ Registration closed" in after.text and "Sign up by" not in after.text
    over = event_card(content, walk, translator("en"), dt.datetime(2026, 12, 1, tzinfo=dt.UTC))
    assert "This event is over." in over.text


def test_card_says_when_shown_in_another_language(snapshot):
    content = snapshot.content
    card = event_card(
        content,
        content.events["misel-ev-repair-cafe"],
        translator("uk"),
        dt.datetime(2026, 11, 23, tzinfo=dt.UTC),
    )
    assert "Ремонтне кафе" in card.text
    assert "ℹ️" in card.text, "the summary is in English: the card says so"


def test_every_language_renders_the_week_within_telegram_limits(snapshot):
    from bot.devtools.telegram_html import parse_html, utf16_len
    from bot.i18n import LANGUAGES

    content = snapshot.content
    now = dt.datetime(2026, 11, 23, 9, tzinfo=dt.UTC)
    for lang in LANGUAGES:
        t = translator(lang)
        for view in (
            this_week_view(content, content.places["remich"], t, now),
            event_card(content, content.events["misel-ev-language-cafe"], t, now),
        ):
            assert utf16_len(parse_html(view.text)) <= 4096  # parses as Telegram does


async def test_example_events_are_hidden_with_bot_show_examples_off(snapshot, tmp_path):
    from bot.devtools.sandbox import Sandbox
    from tests.conftest import clock

    box = await Sandbox.create(
        snapshot, database=tmp_path / "bot.sqlite3", clock=clock, settings={"show_examples": False}
    )
    try:
        menu_calls = await onboard(box, 1505, "en", "remich")
        assert "wk:0" not in last_keyboard(menu_calls).values(), (
            "only example events in the fixture"
        )
        calls = await box.tap(1505, "wk:0", last_message_id(menu_calls))
        assert "Nothing planned this week in Remich." in last_text(calls)
        calls = await box.tap(1505, "ev:misel-ev-language-cafe", last_message_id(menu_calls))
        assert "Example data" not in last_text(calls), "a hidden example's card is stale"
        calls = await box.text(1505, "today", language_code="en")
        assert "Information day" not in last_text(calls)
    finally:
        await box.close()

"""Issue 11.2, 11.3 and 11.5: questions typed before a municipality is known, the way
back from the municipality picker, and Back returning where the person came from."""

from __future__ import annotations

from tests.conftest import last_keyboard, last_message_id, last_text, onboard


def results(calls) -> list[str]:
    return [d for d in last_keyboard(calls).values() if d.startswith("es:")]


# -- 11.2 a question before the municipality ------------------------------------------


async def test_arabic_question_naming_the_municipality_sets_it_and_is_answered(sandbox):
    await sandbox.text(3201, "/start", language_code="ar")
    calls = await sandbox.text(3201, "أريد دورة لغة في ريميش", language_code="ar")
    assert (await sandbox.storage.get_user(3201)).municipality == "remich"
    assert "I do not know this place" not in " ".join(c.text for c in calls)
    found = results(calls)
    assert found, "the question is answered as a question"
    content = sandbox.application.bot_data.snapshot.content
    assert any(content.entries[d.split(":")[1]].category == "language-courses" for d in found)


async def test_german_question_naming_marburg_is_answered_for_marburg(sandbox):
    await sandbox.text(3202, "/start", language_code="de")
    calls = await sandbox.text(3202, "Deutschkurs in Marburg", language_code="de")
    assert (await sandbox.storage.get_user(3202)).municipality == "marburg"
    assert "Ich kenne diesen Ort nicht" not in " ".join(c.text for c in calls)
    assert results(calls)


async def test_a_question_without_a_place_is_kept_and_answered_after_choosing(sandbox):
    await sandbox.text(3203, "/start", language_code="en")
    calls = await sandbox.text(3203, "German course", language_code="en")
    said = " ".join(c.text for c in calls)
    assert "I do not know this place" not in said
    assert "answer your question" in said
    assert (await sandbox.storage.get_user(3203)).municipality is None
    picker = last_keyboard(calls)
    assert any(d.startswith(("mun:", "rg:")) for d in picker.values())
    calls = await sandbox.tap(3203, "mun:marburg", last_message_id(calls), language_code="en")
    assert (await sandbox.storage.get_user(3203)).municipality == "marburg"
    assert results(calls), "the kept question is answered once the municipality is known"
    # Answered once: the next text is a new question, not the old one again.
    calls = await sandbox.text(3203, "doctor", language_code="en")
    assert "German course" not in last_text(calls)


# -- 11.3 the picker keeps the current municipality -----------------------------------


async def test_the_picker_from_the_menu_can_keep_the_municipality(sandbox):
    menu = await onboard(sandbox, 3301, "en", "remich")
    calls = await sandbox.tap(3301, "mp:0", last_message_id(menu))
    keyboard = last_keyboard(calls)
    keep = [label for label, data in keyboard.items() if data == "menu"]
    assert keep and "Keep Remich" in keep[0]
    calls = await sandbox.tap(3301, "menu", last_message_id(calls))
    assert any(d.startswith("cat:") for d in last_keyboard(calls).values())
    assert (await sandbox.storage.get_user(3301)).municipality == "remich"
    # Back at the menu, typed text is a question again, not a municipality name.
    calls = await sandbox.text(3301, "language course", language_code="en")
    assert results(calls)


async def test_the_municipality_command_can_keep_the_municipality(sandbox):
    await onboard(sandbox, 3302, "de", "marburg")
    calls = await sandbox.text(3302, "/municipality", language_code="de")
    assert "menu" in last_keyboard(calls).values()
    # Both regions' pages keep the way back.
    calls = await sandbox.tap(3302, "rg:marburg-biedenkopf:0", last_message_id(calls))
    assert "menu" in last_keyboard(calls).values()


async def test_someone_without_a_municipality_gets_no_keep_button(sandbox):
    calls = await sandbox.text(3303, "/start", language_code="en")
    assert "menu" not in last_keyboard(calls).values()


# -- 11.5 Back goes where the person came from ------------------------------------------


async def test_back_from_a_card_opened_from_results_returns_to_the_results(sandbox):
    await onboard(sandbox, 3501, "en", "remich")
    calls = await sandbox.text(3501, "help", language_code="en")
    first = results(calls)
    assert first
    card = await sandbox.tap(3501, first[0], last_message_id(calls))
    back = [d for label, d in last_keyboard(card).items() if "Back" in label]
    assert back == ["more:0"]
    again = await sandbox.tap(3501, back[0], last_message_id(card))
    assert results(again) == first, "Back shows the same results again"


async def test_results_page_two_has_a_previous_button_and_back_to_it(sandbox):
    await onboard(sandbox, 3502, "en", "remich")
    calls = await sandbox.text(3502, "help", language_code="en")
    more = [d for d in last_keyboard(calls).values() if d.startswith("more:")]
    assert more, "a broad question has a second page"
    page2 = await sandbox.tap(3502, more[0], last_message_id(calls))
    keyboard = last_keyboard(page2)
    assert "more:0" in keyboard.values(), "page 2 can go back to page 1"
    card = await sandbox.tap(3502, results(page2)[0], last_message_id(page2))
    back = [d for label, d in last_keyboard(card).items() if "Back" in label]
    assert back == [more[0]], "Back from a card returns to the page it was opened from"


async def test_back_from_a_card_returns_to_its_page_of_the_category(sandbox):
    menu = await onboard(sandbox, 3503, "en", "remich")
    calls = await sandbox.tap(3503, "cat:counselling:1", last_message_id(menu))
    entries = [d for d in last_keyboard(calls).values() if d.startswith("ec:")]
    assert entries and entries[0].endswith(":1")
    card = await sandbox.tap(3503, entries[0], last_message_id(calls))
    back = [d for label, d in last_keyboard(card).items() if "Back" in label]
    assert back == ["cat:counselling:1"]


async def test_a_topic_opened_from_results_goes_back_to_them(sandbox):
    await onboard(sandbox, 3504, "en", "remich")
    calls = await sandbox.text(3504, "German course", language_code="en")
    topic = [d for d in last_keyboard(calls).values() if d.startswith("cs:")]
    assert topic == ["cs:language-courses:0"]
    listing = await sandbox.tap(3504, topic[0], last_message_id(calls))
    back = [d for label, d in last_keyboard(listing).items() if "Back" in label]
    assert back == ["more:0"]


async def test_arrows_point_the_way_the_text_runs(sandbox):
    await onboard(sandbox, 3505, "ar", "remich")
    calls = await sandbox.text(3505, "مساعدة", language_code="ar")
    if not results(calls):
        calls = await sandbox.text(3505, "help", language_code="ar")
    card = await sandbox.tap(3505, results(calls)[0], last_message_id(calls))
    back = [label for label, d in last_keyboard(card).items() if d.startswith("more:")]
    assert back and back[0].startswith("➡"), "Back points right in Arabic"
    listing = await sandbox.tap(3505, "cat:counselling:0", last_message_id(card))
    pages = [label for label, d in last_keyboard(listing).items() if d == "cat:counselling:1"]
    assert pages == ["◀"], "the next page is to the left in Arabic"
    en = await onboard(sandbox, 3506, "en", "remich")
    listing = await sandbox.tap(3506, "cat:counselling:0", last_message_id(en))
    assert [label for label, d in last_keyboard(listing).items() if d == "cat:counselling:1"] == [
        "▶"
    ]

"""Honest answers through the real bot: greetings and thanks get a friendly word and
the menu, questions the content does not answer get "not found" (and are recorded
as a gap), and a course comes before a dictionary."""

from __future__ import annotations

import pytest

from tests.conftest import last_keyboard, last_text


async def ask(sandbox, user_id: int, lang: str, municipality: str, text: str):
    if await sandbox.storage.get_user(user_id) is None:
        await sandbox.storage.save_user(
            user_id, language=lang, municipality=municipality, asked_subscribe=True
        )
    return await sandbox.text(user_id, text, language_code=lang)


async def gaps(sandbox) -> list[str]:
    async with sandbox.storage.db.execute("SELECT query FROM unanswered") as cur:
        return [row["query"] for row in await cur.fetchall()]


def texts(calls) -> list[str]:
    return [c.text for c in calls if c.method in ("sendMessage", "editMessageText")]


def is_menu(keyboard: dict[str, str]) -> bool:
    return sum(data.startswith("cat:") for data in keyboard.values()) >= 8


@pytest.mark.parametrize(
    ("lang", "municipality", "text", "reply"),
    [
        ("ar", "remich", "سلام", "مرحبًا! اختر موضوعًا"),
        ("ar", "marburg", "السلام عليكم", "مرحبًا! اختر موضوعًا"),
        ("ar", "remich", "شكرا جزيلا", "عفوًا!"),
        ("uk", "marburg", "Привіт", "Вітаю! Виберіть тему"),
        ("uk", "remich", "дякую!", "Будь ласка!"),
        ("en", "remich", "hello", "Hello! Choose a topic"),
        ("fa", "marburg", "ممنون", "خواهش می‌کنم!"),
    ],
)
async def test_greetings_and_thanks_get_a_friendly_reply_and_the_menu(
    sandbox, lang: str, municipality: str, text: str, reply: str
) -> None:
    calls = await ask(sandbox, 31, lang, municipality, text)
    sent = texts(calls)
    assert len(sent) == 2, sent
    assert reply in sent[0]
    assert is_menu(last_keyboard(calls)), "the menu follows the reply"
    assert not any(d.startswith(("e:", "es:")) for d in last_keyboard(calls).values())
    assert await gaps(sandbox) == [], "small talk is no gap in the content"


@pytest.mark.parametrize(
    ("lang", "municipality", "text"),
    [
        ("uk", "remich", "работа"),
        ("ru", "remich", "работа"),
        ("en", "remich", "driving licence"),
        ("uk", "marburg", "§24"),
        ("ar", "remich", "رخصة قيادة"),
    ],
)
async def test_what_the_content_does_not_answer_gets_not_found_and_is_a_gap(
    sandbox, snapshot, lang: str, municipality: str, text: str
) -> None:
    calls = await ask(sandbox, 32, lang, municipality, text)
    keyboard = last_keyboard(calls)
    counselling = snapshot.content.place(municipality).region.counselling
    assert list(keyboard.values()) == [f"e:{counselling}", "menu"], keyboard
    assert "🤔" in last_text(calls)
    assert await gaps(sandbox) == [text]


async def test_free_language_course_shows_a_course_first(sandbox, snapshot) -> None:
    calls = await ask(sandbox, 33, "en", "remich", "free language course")
    results = [d.split(":")[1] for d in last_keyboard(calls).values() if d.startswith("es:")]
    assert results[0] != "lu-lod-dictionary"
    first = snapshot.content.entries[results[0]]
    assert first.category == "language-courses"
    assert "course" in first.title["en"].lower() or "language" in first.title["en"].lower()


async def test_a_greeting_with_a_question_answers_the_question(sandbox) -> None:
    calls = await ask(sandbox, 34, "ar", "remich", "سلام، أين الصيدلية؟")
    assert "es:lu-pharmacy-on-duty:0" in last_keyboard(calls).values()
    assert await gaps(sandbox) == []

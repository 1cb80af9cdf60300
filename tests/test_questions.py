"""Questions in the newcomer's own words, through the real bot."""

from __future__ import annotations

import subprocess
import sys
import time

from tests.conftest import last_keyboard, last_message_id, last_text


async def ask(sandbox, user_id: int, lang: str, municipality: str, text: str):
    if await sandbox.storage.get_user(user_id) is None:
        await sandbox.storage.save_user(
            user_id, language=lang, municipality=municipality, asked_subscribe=True
        )
    return await sandbox.text(user_id, text, language_code=lang)


async def test_arabic_question_finds_language_courses_and_opens_a_card(sandbox, snapshot):
    calls = await ask(sandbox, 11, "ar", "remich", "أين أتعلم اللغة الفرنسية")
    results = [d for d in last_keyboard(calls).values() if d.startswith("es:")]
    assert 1 <= len(results) <= 5
    first = snapshot.content.entries[results[0].split(":")[1]]
    assert first.category == "language-courses"
    card = last_text(await sandbox.tap(11, results[0], last_message_id(calls)))
    assert first.title["ar"] in card


async def test_office_name_in_the_regions_language_answers_in_the_users(sandbox, snapshot):
    calls = await ask(sandbox, 12, "uk", "remich", "commune inscription")
    results = [d.split(":")[1] for d in last_keyboard(calls).values() if d.startswith("es:")]
    assert results
    labels = " ".join(last_keyboard(calls))
    assert any("\u0400" <= ch <= "\u04ff" for ch in labels), "titles are shown in Ukrainian"


async def test_question_naming_another_municipality_searches_there_and_says_so(sandbox):
    calls = await ask(sandbox, 13, "en", "remich", "football in Kirchhain")
    text = last_text(calls)
    assert "Kirchhain" in text
    assert any(d.startswith("es:mb-") for d in last_keyboard(calls).values())


async def test_no_result_is_kind_offers_counselling_and_is_recorded_without_user_id(sandbox):
    calls = await ask(sandbox, 14, "de", "remich", "xylophonreparatur zzqx")
    keyboard = last_keyboard(calls)
    assert "menu" in keyboard.values()
    assert "e:misel-social-help" in keyboard.values(), "the region's counselling contact"
    async with sandbox.storage.db.execute("SELECT * FROM unanswered") as cur:
        rows = await cur.fetchall()
    assert len(rows) == 1
    assert rows[0]["query"] == "xylophonreparatur zzqx"
    assert rows[0]["language"] == "de" and rows[0]["municipality"] == "remich"
    assert 14 not in tuple(rows[0]), "never the user id"


async def test_show_more_pages_through_results(sandbox):
    calls = await ask(sandbox, 15, "en", "remich", "help")
    keyboard = last_keyboard(calls)
    more = [d for d in keyboard.values() if d.startswith("more:")]
    assert more, "a broad question has more than five results"
    first_page = {d for d in keyboard.values() if d.startswith("es:")}
    calls = await sandbox.tap(15, more[0], last_message_id(calls))
    second_page = {d for d in last_keyboard(calls).values() if d.startswith("es:")}
    assert second_page and not (second_page & first_page)


async def test_search_command_in_a_group_answers_without_personal_menus(sandbox):
    await sandbox.storage.save_user(16, language="en", municipality="remich")
    calls = await sandbox.text(16, "/search doctor", chat_id=-200, chat_type="group")
    reply = calls[-1]
    assert reply.chat_id == -200
    assert "•" in reply.text
    assert all("url" in b for row in reply.buttons for b in row), "no card buttons in groups"


async def test_gaps_lists_frequent_unanswered_questions_and_expires_old_ones(tmp_path):
    from bot.storage import Storage

    db = tmp_path / "bot.sqlite3"
    storage = await Storage.open(db)
    for _ in range(3):
        await storage.record_unanswered("kindergeld formular", "de", "remich")
    await storage.record_unanswered("velo reparatur", "de", "remich")
    await storage.db.execute(
        "INSERT INTO unanswered (query, language, municipality, created_at) VALUES (?,?,?,?)",
        ("old question", "ar", "remich", int(time.time()) - 91 * 86400),
    )
    assert await storage.expire_unanswered() == 1
    await storage.close()
    out = subprocess.run(
        [sys.executable, "-m", "bot", "gaps", "--days", "30", "--database", str(db)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    lines = out.splitlines()
    assert "kindergeld formular" in lines[2] and lines[2].split()[0] == "3"
    assert "old question" not in out

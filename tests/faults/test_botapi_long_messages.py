"""Long replies are split into messages Telegram accepts (UTF-16 length, whole HTML)."""

from __future__ import annotations

import time

from bot.devtools.fake_bot_api import parse_html, utf16_len
from tests.conftest import NOW

USER, EDITOR = 9001, 9002


def accepted(calls, chat_id):
    sends = [c for c in calls if c.method == "sendMessage" and c.chat_id == chat_id]
    assert sends, "the bot answered"
    for call in sends:
        assert call.result is not None, "Telegram accepted every part"
        assert utf16_len(call.text) <= 4096
    return sends


async def test_news_with_long_announcements(sandbox):
    await sandbox.storage.save_user(USER, language="en", municipality="remich")
    paragraph = "🎉 Fest &amp; <b>Musik</b> im Park, ab 18 Uhr. " * 60 + "\n"
    for day in range(3):
        await sandbox.storage.create_announcement(
            author_id=1,
            region="miselerland",
            default_language="en",
            targets=["remich"],
            texts={"en": paragraph * 2},
            send_at=NOW.timestamp() - 3600 * (day + 1),
            now=NOW.timestamp(),
        )
    calls = await sandbox.text(USER, "/news")
    sends = accepted(calls, USER)
    assert len(sends) > 1
    shown = "".join(parse_html(c.text) for c in sends)
    assert shown.count("Fest & Musik im Park") == 3 * 2 * 60, "nothing was cut off"


async def test_gaps_with_long_unanswerable_questions(snapshot, tmp_path):
    """25 long unanswered questions made a 5,476-character /gaps reply."""
    from tests.conftest import staffed_sandbox

    box = await staffed_sandbox(snapshot, tmp_path, {EDITOR: "editor"})
    try:
        await box.storage.save_user(EDITOR, language="en", municipality="remich")
        for i in range(25):
            question = f"{i:02d} <wie> & " + "ڤ😀x" * 70
            await box.storage.record_unanswered(question, "en", "remich")
        started = time.monotonic()
        calls = await box.text(EDITOR, "/gaps")
        sends = accepted(calls, EDITOR)
        shown = "".join(parse_html(c.text) for c in sends)
        for i in range(25):
            assert f"{i:02d} <wie> &" in shown, "every question is listed"
        assert time.monotonic() - started < 10
    finally:
        await box.close()

"""Ask a person, end to end: the real Application against the Bot API stand-in with forum
topics. A newcomer writes, a social worker answers in the helpdesk topic, and back."""

from __future__ import annotations

import datetime as dt
import re
import sqlite3

from bot.content.staff import Staff
from bot.telegram import callback_data
from tests.conftest import NOW, last_keyboard, last_text
from tests.handoff_helpers import (
    ADMIN,
    HELPDESK,
    MARBURG_DESK,
    MARBURG_WORKER,
    NEWCOMER,
    STRANGER_GROUP,
    WORKER,
    buttons_of,
    header_of,
    helpdesk_sandbox,
    is_copy_to,
    newcomer,
    staff_says,
    topic_of,
)

ASK = callback_data.make("ask", "go")


async def open_conversation(box, user_id: int = NEWCOMER):
    """Menu → "Ask a person"; returns the intro calls."""
    menu = await box.tap(user_id, "menu", 1)
    assert ASK in last_keyboard(menu).values(), "the menu offers Ask a person"
    return await box.tap(user_id, ASK, 1)


async def handoffs_counted(box) -> int:
    """Hand-offs in the usage counts (all days)."""
    stats = box.application.bot_data.stats
    await stats.flush()
    counts = await stats.store.between(dt.date(2000, 1, 1), dt.date(2100, 1, 1))
    return sum(n for key, n in counts if key.event == "handoff")


def database_values(path) -> str:
    """Every value in every table of the database, as one string."""
    db = sqlite3.connect(path)
    try:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return repr([list(db.execute(f"SELECT * FROM {table}")) for table in tables])
    finally:
        db.close()


async def test_arabic_newcomer_asks_worker_answers_newcomer_replies_worker_closes(
    snapshot, tmp_path, caplog
):
    async with helpdesk_sandbox(snapshot, tmp_path) as box:
        await newcomer(box, lang="ar")
        intro = last_text(await open_conversation(box))
        assert "112" in intro and "113" in intro, "the emergency numbers are right there"
        assert "/stop_chat" in intro
        assert re.search(r"[\u0600-\u06FF]", intro), "the intro is in Arabic"

        start = len(box.api.calls)
        question = "مرحبا، أحتاج مساعدة في رسالة من البلدية"
        await box.text(NEWCOMER, question)
        topic = await topic_of(box, start)
        title = topic.params["name"]
        # Miselerland's helpdesk has no `language`: its region's, French.
        assert re.fullmatch(r"#[2-9A-Z]{5} · Arabe · Remich", title), title
        assert str(NEWCOMER) not in title and "Test" not in title
        thread = topic.result["message_thread_id"]
        copied = await box.api.wait_for(is_copy_to(HELPDESK), start=start)
        assert copied.params["message_thread_id"] == thread
        assert copied.params["from_chat_id"] == NEWCOMER
        in_topic = box.api.topic_messages(HELPDESK, thread)
        assert any(m.get("text") == question for m in in_topic), "staff read the message"
        assert all(m["from"]["is_bot"] for m in in_topic), "copied: the sender is not revealed"

        start = len(box.api.calls)
        await staff_says(box, WORKER, "Bonjour, je peux vous aider. Quelle lettre ?", thread)
        answer = await box.api.wait_for(is_copy_to(NEWCOMER), start=start)
        assert answer.params["from_chat_id"] == HELPDESK
        delivered = box.api.messages[(NEWCOMER, answer.result["message_id"])]
        assert delivered["text"].startswith("Bonjour")
        assert delivered["from"]["is_bot"], "the worker's name is not shown to the newcomer"

        start = len(box.api.calls)
        await box.send(box.updates.message(NEWCOMER, media="photo", caption="الرسالة"))
        reply = await box.api.wait_for(is_copy_to(HELPDESK), start=start)
        assert reply.params["message_thread_id"] == thread
        assert box.api.messages[(HELPDESK, reply.result["message_id"])]["photo"]

        start = len(box.api.calls)
        closing = await staff_says(box, WORKER, "/close", thread)
        assert any(c.method == "closeForumTopic" for c in closing)
        assert any("Clôturé par" in c.text for c in closing if c.method == "sendMessage")
        told = await box.api.wait_for(
            lambda c: c.method == "sendMessage" and c.chat_id == NEWCOMER, start=start
        )
        assert re.search(r"[\u0600-\u06FF]", told.text), "told in Arabic"
        assert box.api.forums[HELPDESK].topics[thread]["closed"]

        # The conversation is over: plain text is a search question again.
        after = await box.text(NEWCOMER, "دورة لغة")
        assert not any(c.method == "copyMessage" for c in after)
        assert NEWCOMER not in box.application.bot_data.handoff.open_users

        values = database_values(tmp_path / "bot.sqlite3")
        for text in (question, "Bonjour", "الرسالة", "photo-"):
            assert text not in values, f"{text!r} must not be stored"
        assert question not in caplog.text and "Bonjour" not in caplog.text


async def test_a_german_speaking_helpdesk_reads_german_the_newcomer_still_arabic(
    snapshot, tmp_path
):
    """Miselerland's helpdesk with `language: de` in the staff file: the topic's title,
    header, buttons, refusals and "closed by" line are German; the newcomer reads Arabic."""
    async with helpdesk_sandbox(snapshot, tmp_path, languages={HELPDESK: "de"}) as box:
        await newcomer(box, lang="ar")
        await open_conversation(box)
        start = len(box.api.calls)
        await box.text(NEWCOMER, "مرحبا")
        topic = await topic_of(box, start)
        assert re.fullmatch(r"#[2-9A-Z]{5} · Arabisch · Remich", topic.params["name"])
        thread = topic.result["message_thread_id"]
        header = await header_of(box, thread)
        text = header["text"]
        assert "Neues Gespräch." in text and "Schreiben Sie in dieses Thema" in text, text
        assert "/close — das Gespräch beenden" in text
        assert "/block" in text and "/handover <Gemeinde>" in text, "commands stay as they are"
        assert str(NEWCOMER) not in text and "Test" not in text, "never the person's name or id"
        assert buttons_of(header) == ["✅ Schließen", "⛔ Sperren"]

        refused = await staff_says(box, 777, "Hallo?", thread)
        assert any("Nicht weitergeleitet" in c.text for c in refused)

        start = len(box.api.calls)
        closing = await box.send(
            box.updates.callback(
                WORKER, f"hq:close:{await ticket_of(box)}", message_id=thread + 1, chat_id=HELPDESK
            )
        )
        closed = [c.text for c in closing if c.method == "sendMessage" and c.chat_id == HELPDESK]
        assert closed and closed[0].startswith("✅ Geschlossen von "), closed
        told = await box.api.wait_for(
            lambda c: c.method == "sendMessage" and c.chat_id == NEWCOMER, start=start
        )
        assert re.search(r"[\u0600-\u06FF]", told.text), "the newcomer is told in Arabic"
        again = await staff_says(box, WORKER, "/close", thread)
        assert any("Dieses Gespräch ist geschlossen" in c.text for c in again)


async def test_a_helpdesk_without_a_language_writes_its_regions_french(snapshot, tmp_path):
    async with helpdesk_sandbox(snapshot, tmp_path) as box:
        await newcomer(box, lang="en")
        await open_conversation(box)
        await box.text(NEWCOMER, "hello")
        topic = await topic_of(box)
        assert re.fullmatch(r"#[2-9A-Z]{5} · Anglais · Remich", topic.params["name"])
        header = await header_of(box, topic.result["message_thread_id"])
        assert "Nouvelle conversation." in header["text"]
        assert "/handover <commune>" in header["text"]
        assert buttons_of(header) == ["✅ Clôturer", "⛔ Bloquer"]


async def test_outside_hours_automatic_reply_and_the_message_still_goes(snapshot, tmp_path):
    # Monday 10:00 in Luxembourg; the helpdesk answers on Tuesdays only.
    async with helpdesk_sandbox(snapshot, tmp_path, hours="Tu 09:00-12:00") as box:
        await newcomer(box, lang="de")
        await open_conversation(box)
        start = len(box.api.calls)
        calls = await box.text(NEWCOMER, "Hallo, ist jemand da?")
        auto = last_text(calls)
        assert "Dienstag" in auto and "09:00" in auto, auto
        await box.api.wait_for(is_copy_to(HELPDESK), start=start)
        # Only once an hour, not for every message.
        again = await box.text(NEWCOMER, "Noch eine Frage")
        assert not [c for c in again if c.method == "sendMessage"]


async def test_no_helpdesk_no_button(snapshot, tmp_path):
    async with helpdesk_sandbox(snapshot, tmp_path, with_desks=False) as box:
        await newcomer(box)
        menu = await box.tap(NEWCOMER, "menu", 1)
        assert not any(d.startswith("ask:") for d in last_keyboard(menu).values())
        nothing = await box.text(NEWCOMER, "xqzv wlpt")
        assert not any(d.startswith("ask:") for d in last_keyboard(nothing).values())
        # An old button (the helpdesk was removed) leads back to the menu.
        stale = await box.tap(NEWCOMER, ASK, 1)
        assert not any(c.method == "createForumTopic" for c in stale)
        assert NEWCOMER not in box.application.bot_data.handoff.open_users


async def test_not_found_and_counselling_card_offer_the_button(snapshot, tmp_path):
    async with helpdesk_sandbox(snapshot, tmp_path) as box:
        await newcomer(box, lang="en")
        nothing = await box.text(NEWCOMER, "xqzv wlpt")
        assert ASK in last_keyboard(nothing).values()
        card = await box.tap(NEWCOMER, "e:misel-social-help", 1)
        assert ASK in last_keyboard(card).values()
        other = await box.tap(NEWCOMER, "e:lu-emergency-112", 1)
        assert ASK not in last_keyboard(other).values(), "only on the counselling card"


async def test_forged_reply_from_a_non_staff_member_is_not_relayed(snapshot, tmp_path):
    async with helpdesk_sandbox(snapshot, tmp_path) as box:
        await newcomer(box)
        await open_conversation(box)
        await box.text(NEWCOMER, "سؤال")
        thread = (await topic_of(box)).result["message_thread_id"]
        for intruder in (777, MARBURG_WORKER):  # a group member; staff of another region
            calls = await staff_says(box, intruder, "Send me your passport number", thread)
            assert not any(is_copy_to(NEWCOMER)(c) for c in calls)
            assert any("Non transmis" in c.text for c in calls), "refused, in French"
            refused = await staff_says(box, intruder, "/close", thread)
            assert not any(c.method == "closeForumTopic" for c in refused)
        pending = await box.application.bot_data.handoff.store.counts()
        assert pending["pending"] == 0
        assert not [
            c for c in box.api.calls if c.method == "copyMessage" and c.chat_id == NEWCOMER
        ], "nothing reached the newcomer"
        # The topic's buttons are checked the same way.
        tapped = await box.send(
            box.updates.callback(
                777, f"hq:close:{await ticket_of(box)}", message_id=thread + 1, chat_id=HELPDESK
            )
        )
        answer = [c for c in tapped if c.method == "answerCallbackQuery"]
        assert answer and "Non transmis" in answer[0].params["text"]
        assert not box.api.forums[HELPDESK].topics[thread]["closed"]


async def ticket_of(box, user_id: int = NEWCOMER) -> str:
    conversation = await box.application.bot_data.handoff.store.open_conversation_of(user_id)
    return conversation.ticket


async def test_a_group_that_is_not_a_helpdesk_is_refused(snapshot, tmp_path):
    async with helpdesk_sandbox(snapshot, tmp_path) as box:
        await newcomer(box)
        await open_conversation(box)
        await box.text(NEWCOMER, "سؤال")
        thread = (await topic_of(box)).result["message_thread_id"]
        # Same thread id, another group: even staff cannot reach the newcomer from there.
        for who in (WORKER, ADMIN):
            calls = await staff_says(box, who, "hello", thread, chat_id=STRANGER_GROUP)
            assert not any(is_copy_to(NEWCOMER)(c) for c in calls)
            refused = await staff_says(box, who, "/close", thread, chat_id=STRANGER_GROUP)
            assert any("not a helpdesk" in c.text for c in refused), "no helpdesk: English"
        # No helpdesk language there: the refusal is in the staff member's own language.
        refused = await box.send(
            box.updates.message(WORKER, "/close", chat_id=STRANGER_GROUP, chat_type="supergroup",
                                thread_id=thread, language_code="de")
        )  # fmt: skip
        assert any("kein Helpdesk" in c.text for c in refused)
        assert await ticket_of(box), "the conversation is still open"


async def test_forget_mid_conversation_ends_it_and_deletes_the_link(snapshot, tmp_path):
    async with helpdesk_sandbox(snapshot, tmp_path) as box:
        await newcomer(box)
        await open_conversation(box)
        await box.text(NEWCOMER, "سؤال")
        thread = (await topic_of(box)).result["message_thread_id"]
        await box.api.wait_for(is_copy_to(HELPDESK))
        await box.text(NEWCOMER, "/forget")
        calls = await box.tap(NEWCOMER, "fgt:yes", 1)
        assert any(
            c.method == "sendMessage" and "/forget" in c.text and c.chat_id == HELPDESK
            for c in calls
        ), "the topic is told"
        assert box.api.forums[HELPDESK].topics[thread]["closed"]
        assert str(NEWCOMER) not in database_values(tmp_path / "bot.sqlite3")
        start = len(box.api.calls)
        late = await staff_says(box, WORKER, "Are you still there?", thread)
        assert not any(is_copy_to(NEWCOMER)(c) for c in late)
        assert not any(is_copy_to(NEWCOMER)(c) for c in box.api.calls[start:])


async def test_stop_chat_block_and_one_conversation_at_a_time(snapshot, tmp_path):
    async with helpdesk_sandbox(snapshot, tmp_path) as box:
        await newcomer(box)
        await open_conversation(box)
        first = await ticket_of(box)
        await open_conversation(box)
        assert await ticket_of(box) == first, "one conversation at a time"
        assert await handoffs_counted(box) == 1, "the council counts conversations, not taps"
        await box.text(NEWCOMER, "سؤال")
        thread = (await topic_of(box)).result["message_thread_id"]
        stopped = await box.text(NEWCOMER, "/stop_chat")
        assert any(c.method == "sendMessage" and c.chat_id == NEWCOMER for c in stopped)
        again = await box.text(NEWCOMER, "/stop_chat")
        assert "ليست لديك محادثة مفتوحة" in last_text(again), "no open conversation (Arabic)"
        await box.api.wait_for(lambda c: c.method == "closeForumTopic")
        assert any("a mis fin à la conversation" in m.get("text", "")
                   for m in box.api.topic_messages(HELPDESK, thread))  # fmt: skip

        await open_conversation(box)
        second = await ticket_of(box)
        assert second != first
        assert await handoffs_counted(box) == 2
        start = len(box.api.calls)
        await box.text(NEWCOMER, "spam")
        thread2 = (await topic_of(box, start)).result["message_thread_id"]
        blocked = await box.send(
            box.updates.callback(
                WORKER, f"hq:block:{second}", message_id=thread2 + 1, chat_id=HELPDESK
            )
        )
        assert any("Bloqué par" in c.text for c in blocked)
        told = await box.api.wait_for(
            lambda c: c.method == "sendMessage" and c.chat_id == NEWCOMER, start=start
        )
        assert "⛔" in told.text
        again = await box.tap(NEWCOMER, ASK, 1)
        assert "⛔" in last_text(again), "the line stays closed for them"
        assert NEWCOMER not in box.application.bot_data.handoff.open_users


async def test_handover_to_another_municipalitys_helpdesk(snapshot, tmp_path):
    async with helpdesk_sandbox(snapshot, tmp_path) as box:
        await newcomer(box, lang="uk")
        await open_conversation(box)
        await box.text(NEWCOMER, "Привіт")
        thread = (await topic_of(box)).result["message_thread_id"]
        hint = await staff_says(box, WORKER, "/handover nowhere", thread)
        assert any("/handover marburg" in c.text for c in hint), "an example it can go to"
        start = len(box.api.calls)
        said = await staff_says(box, WORKER, "/handover marburg", thread)
        assert any("Transmis par" in c.text and "Marbourg" in c.text for c in said), "French"
        new_topic = await box.api.wait_for(
            lambda c: c.method == "createForumTopic" and c.chat_id == MARBURG_DESK, start=start
        )
        assert box.api.forums[HELPDESK].topics[thread]["closed"]
        # Marburg's helpdesk reads German (its region's language) from the first line on.
        assert re.fullmatch(r"#[2-9A-Z]{5} · Ukrainisch · Remich", new_topic.params["name"])
        header = await header_of(box, new_topic.result["message_thread_id"], MARBURG_DESK)
        assert "Von einem anderen Helpdesk übergeben." in header["text"]
        assert buttons_of(header) == ["✅ Schließen", "⛔ Sperren"]
        await box.api.wait_for(
            lambda c: c.method == "sendMessage" and c.chat_id == NEWCOMER, start=start
        )
        new_thread = new_topic.result["message_thread_id"]
        # The old helpdesk can no longer answer; the new one can.
        old = await staff_says(box, WORKER, "still here?", thread)
        assert not any(is_copy_to(NEWCOMER)(c) for c in old)
        start = len(box.api.calls)
        await staff_says(box, MARBURG_WORKER, "Guten Tag", new_thread, chat_id=MARBURG_DESK)
        await box.api.wait_for(is_copy_to(NEWCOMER), start=start)


async def test_too_many_messages_get_a_kind_answer(snapshot, tmp_path):
    async with helpdesk_sandbox(snapshot, tmp_path) as box:
        await newcomer(box, lang="en")
        await open_conversation(box)
        for i in range(20):
            await box.text(NEWCOMER, f"message {i}")
        calls = await box.text(NEWCOMER, "one too many")
        assert "many messages" in last_text(calls)
        await box.api.wait_count("copyMessage", 20)
        assert box.api.counts["copyMessage"] == 20


def test_closed_conversations_are_purged_after_the_retention(snapshot, tmp_path):
    staff = tmp_path / "staff.yaml"
    staff.write_text("helpdesk_retention_days: 7\n", encoding="utf-8")
    assert Staff.load(staff).helpdesk_retention_days == 7
    assert NOW.tzinfo is dt.UTC


async def test_privacy_says_what_ask_a_person_keeps_only_where_it_exists(snapshot, tmp_path):
    async with helpdesk_sandbox(snapshot, tmp_path) as box:
        await newcomer(box, lang="de")
        text = last_text(await box.text(NEWCOMER, "/privacy"))
        assert "Eine Person fragen" in text and "30 Tage" in text
    (tmp_path / "none").mkdir()
    async with helpdesk_sandbox(snapshot, tmp_path / "none", with_desks=False) as box:
        await newcomer(box, lang="de")
        assert "Eine Person fragen" not in last_text(await box.text(NEWCOMER, "/privacy"))

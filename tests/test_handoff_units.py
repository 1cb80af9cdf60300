"""Ask a person, the parts: helpdesks in the staff file, the Bot API stand-in's forum
topics, the relay under 429s, retention and a helpdesk the bot cannot manage."""

from __future__ import annotations

import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from telegram import Bot
from telegram.error import BadRequest

from bot.content.staff import Helpdesk, Staff, StaffFileInvalid, staff_language
from bot.devtools.fake_bot_api import FakeBotApi, UpdateFactory
from bot.i18n import LANGUAGES, translator
from bot.storage import Storage
from bot.storage.handoff import CLOSED
from bot.views import handoff as views
from bot.views.html import utf16_len
from tests.handoff_helpers import (
    HELPDESK,
    NEWCOMER,
    WORKER,
    helpdesk_sandbox,
    is_copy_to,
    newcomer,
    staff_says,
    topic_of,
)

ROOT = Path(__file__).resolve().parent.parent

# -- the staff file --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ('helpdesks:\n  - chat_id: -1001\n    regions: [a]\n    opening_hours: "Mo-Fr 9-12"\n',
         4, "write times as HH:MM, like this: 'Mo-Fr 09:00-12:00'"),
        ("helpdesks:\n  - chat_id: 42\n    regions: [a]\n    opening_hours: Mo 09:00-10:00\n",
         2, "helpdesks.0.chat_id"),
        ("helpdesks:\n  - chat_id: -1001\n    opening_hours: Mo 09:00-10:00\n",
         2, "needs municipalities or regions"),
        ("helpdesks:\n  - chat_id: -1001\n    regions: [a]\n    opening_hours: Mo 09:00-10:00\n"
         "  - chat_id: -1001\n    regions: [b]\n    opening_hours: Mo 09:00-10:00\n",
         5, "chat -1001 is listed twice"),
        ("helpdesks:\n  - chat_id: -1001\n    municipalities: [remich]\n    opening_hours: Mo 09:00-10:00\n"
         "  - chat_id: -1002\n    municipalities: [remich]\n    opening_hours: Mo 09:00-10:00\n",
         6, "remich already has a helpdesk"),
        ("helpdesks:\n  - chat_id: -1001\n    regions: [a]\n    opening_hours: Mo 09:00-10:00\n"
         "    topic: 5\n", 5, "helpdesks.0.topic"),
        ("helpdesk_retention_days: 0\n", 1, "helpdesk_retention_days"),
        ("helpdesks:\n  - chat_id: -1001\n    regions: [a]\n    opening_hours: Mo 09:00-10:00\n"
         "    language: german\n", 5,
         "helpdesks.0.language: unknown language 'german': use one of am, ar, ckb, de, en, es, "
         "fa, fr, it, ku, lb, pl, prs, ps, pt, ro, ru, so, sq, ti, tr, uk, ur"),
        ("helpdesks:\n  - chat_id: -1001\n    regions: [a]\n    opening_hours: Mo 09:00-10:00\n"
         "  - chat_id: -1002\n    regions: [b]\n    language: DE\n"
         "    opening_hours: Mo 09:00-10:00\n", 7, "unknown language 'DE'"),
    ],
)  # fmt: skip
def test_helpdesk_mistakes_are_reported_with_file_and_line(tmp_path, text, line, message):
    path = tmp_path / "staff.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(StaffFileInvalid) as raised:
        Staff.load(path)
    problem = str(raised.value)
    assert problem.startswith(f"{path}:{line}: "), problem
    assert message in problem


def test_a_municipalitys_own_helpdesk_wins_over_its_regions(tmp_path, snapshot):
    path = tmp_path / "staff.yaml"
    path.write_text(
        "helpdesks:\n"
        "  - chat_id: -1001\n    regions: [miselerland]\n    opening_hours: Mo 09:00-10:00\n"
        "  - chat_id: -1002\n    municipalities: [remich]\n    opening_hours: Mo 09:00-10:00\n"
        "staff:\n  - user_id: 7\n    role: social_worker\n    municipalities: [remich]\n"
        "  - user_id: 8\n    role: editor\n    regions: [miselerland]\n",
        encoding="utf-8",
    )
    staff = Staff.load(path)
    content = snapshot.content
    assert staff.helpdesk_for("remich", content).chat_id == -1002
    assert staff.helpdesk_for("grevenmacher", content).chat_id == -1001
    assert staff.helpdesk_for("marburg", content) is None
    assert staff.helpdesk_for("nowhere", content) is None
    # Remich's social worker may answer in the region's helpdesk (Remich is in it) and
    # Remich's own; an editor may not answer anywhere.
    assert staff.may_answer(7, staff.helpdesk(-1001), content)
    assert staff.may_answer(7, staff.helpdesk(-1002), content)
    assert not staff.may_answer(8, staff.helpdesk(-1001), content)
    assert not staff.may_answer(None, staff.helpdesk(-1001), content)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    chat_id=st.one_of(st.integers(), st.text(max_size=8), st.none()),
    hours=st.one_of(st.text(max_size=30), st.integers(), st.none()),
    places=st.one_of(st.lists(st.text(max_size=8), max_size=3), st.text(max_size=8)),
    language=st.one_of(st.none(), st.sampled_from(LANGUAGES), st.text(max_size=4), st.integers()),
)
def test_any_helpdesk_entry_loads_or_is_refused_with_a_line(
    tmp_path, chat_id, hours, places, language
):
    import json

    path = tmp_path / "staff.yaml"
    entry = {"chat_id": chat_id, "opening_hours": hours, "regions": places, "language": language}
    path.write_text("helpdesks:\n  - " + json.dumps(entry) + "\n", encoding="utf-8")
    try:
        Staff.load(path)
    except StaffFileInvalid as exc:
        assert str(exc).startswith(f"{path}:")


@pytest.mark.parametrize(
    "path",
    [ROOT / "content/staff.example.yaml", ROOT / "tests/fixtures/content/staff.example.yaml"],
)
def test_the_documented_staff_files_load_and_show_a_helpdesk_language(path):
    desks = Staff.load(path).helpdesks
    assert desks and desks[0].language == "fr"
    assert "language:" in path.read_text(encoding="utf-8")


def test_a_helpdesk_writes_its_language_else_its_regions_else_english(snapshot):
    content = snapshot.content

    def desk(**fields) -> Helpdesk:
        return Helpdesk(chat_id=-1001, opening_hours="Mo 09:00-10:00", **fields)

    assert staff_language(desk(regions=("miselerland",)), content) == "fr"
    assert (
        staff_language(desk(municipalities=("marburg",), regions=("miselerland",)), content) == "de"
    )
    assert staff_language(desk(municipalities=("nowhere", "remich")), content) == "fr"
    assert staff_language(desk(regions=("miselerland",), language="lb"), content) == "lb"
    assert staff_language(desk(regions=("gone",)), content) == "en", "not in the content"
    # A region whose language is no UI language (say Dutch): English.
    dutch = content.regions["miselerland"].model_copy(update={"default_language": "nl"})
    assert staff_language(desk(regions=("x",)), SimpleNamespace(place=content.place,
                                                                regions={"x": dutch})) == "en"  # fmt: skip


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    name=st.text(min_size=1, max_size=300),
    language=st.one_of(st.none(), st.sampled_from(LANGUAGES)),
    staff=st.sampled_from(LANGUAGES),
)
def test_topic_titles_fit_telegrams_limit_in_any_language(snapshot, name, language, staff):
    place = snapshot.content.place("remich")
    municipality = place.municipality.model_copy(update={"name": {"fr": name}})
    title = views.topic_title("k7f3q", language, place._replace(municipality=municipality),
                              translator(staff))  # fmt: skip
    assert title.startswith("#K7F3Q")
    assert 1 <= utf16_len(title) <= views.TOPIC_TITLE_LIMIT


# -- the stand-in is strict like Telegram ------------------------------------------------


async def test_stand_in_forum_topics_are_strict():
    api = await FakeBotApi().start()
    bot = Bot("1:x", base_url=api.base_url)
    await bot.initialize()
    try:
        with pytest.raises(BadRequest, match=r"(?i)not a forum"):
            await bot.create_forum_topic(-500, "x")
        api.add_forum(-501, bot_can_manage_topics=False)
        with pytest.raises(BadRequest, match=r"(?i)not enough rights"):
            await bot.create_forum_topic(-501, "x")
        api.add_forum(-502)
        with pytest.raises(BadRequest, match=r"(?i)topic_title_too_long"):
            await bot.create_forum_topic(-502, "x" * 129)
        topic = await bot.create_forum_topic(-502, "#ABCDE · Arabic · Remich")
        with pytest.raises(BadRequest, match=r"(?i)message thread not found"):
            await bot.send_message(-502, "hi", message_thread_id=topic.message_thread_id + 99)
        with pytest.raises(BadRequest, match=r"(?i)message to copy not found"):
            await bot.copy_message(-502, 77, 12345, message_thread_id=topic.message_thread_id)
        # What a person sent can be copied; the copy has no sender but the bot.
        update = UpdateFactory().message(77, "hello")
        await api.push_update(update)
        copied = await bot.copy_message(
            -502, 77, update["message"]["message_id"], message_thread_id=topic.message_thread_id
        )
        message = api.messages[(-502, copied.message_id)]
        assert message["text"] == "hello" and message["from"]["is_bot"]
        assert message["message_thread_id"] == topic.message_thread_id
        with pytest.raises(BadRequest, match=r"(?i)can't be copied"):
            await bot.copy_message(77, -502, topic.message_thread_id)  # "topic created"
        with pytest.raises(BadRequest, match=r"(?i)can't be edited"):
            await bot.edit_message_text("changed", 77, update["message"]["message_id"])
        assert await bot.close_forum_topic(-502, topic.message_thread_id)
        with pytest.raises(BadRequest, match=r"(?i)topic_not_modified"):
            await bot.close_forum_topic(-502, topic.message_thread_id)
        with pytest.raises(BadRequest, match=r"(?i)topic_id_invalid"):
            await bot.close_forum_topic(-502, 999)
        assert await bot.reopen_forum_topic(-502, topic.message_thread_id)
        assert await bot.edit_forum_topic(-502, topic.message_thread_id, name="#ABCDE")
    finally:
        await bot.shutdown()
        await api.stop()


# -- the relay ------------------------------------------------------------------------------


async def test_replies_wait_out_429s_and_arrive_once_in_order(snapshot, tmp_path):
    async with helpdesk_sandbox(snapshot, tmp_path) as box:
        await newcomer(box, lang="en")
        await box.tap(NEWCOMER, "ask:go", 1)
        await box.text(NEWCOMER, "hello")
        thread = (await topic_of(box)).result["message_thread_id"]
        # More 429s than the interactive rate limiter retries: the outbox waits them out.
        box.api.fail("copyMessage", chat_id=NEWCOMER, error_code=429, retry_after=1, times=4)
        start = len(box.api.calls)
        for text in ("one", "two", "three"):
            await staff_says(box, WORKER, text, thread)
        copies = []
        for _ in range(3):
            after = box.api.calls.index(copies[-1]) + 1 if copies else start
            copies.append(
                await box.api.wait_for(
                    lambda c: is_copy_to(NEWCOMER)(c) and bool(c.result), start=after, timeout=20
                )
            )
        texts = [box.api.messages[(NEWCOMER, c.result["message_id"])]["text"] for c in copies]
        assert texts == ["one", "two", "three"]
        counts = await box.application.bot_data.handoff.store.counts()
        assert counts["failed"] == 0


async def test_a_helpdesk_without_manage_topics_keeps_the_messages(snapshot, tmp_path):
    async with helpdesk_sandbox(snapshot, tmp_path) as box:
        box.api.forums[HELPDESK].bot_can_manage_topics = False
        await newcomer(box, lang="en")
        await box.tap(NEWCOMER, "ask:go", 1)
        await box.text(NEWCOMER, "anyone?")
        await box.api.wait_for(lambda c: c.method == "createForumTopic")
        store = box.application.bot_data.handoff.store
        assert (await store.counts())["pending"] == 1, "kept, not dropped"
        # An admin fixes the group; the retry (2 s back-off) delivers it.
        box.api.forums[HELPDESK].bot_can_manage_topics = True
        await box.api.wait_for(is_copy_to(HELPDESK), timeout=15)


async def test_closed_conversations_are_deleted_after_the_retention(tmp_path):
    storage = await Storage.open(tmp_path / "bot.sqlite3")
    try:
        store = storage.handoff
        day = 86400
        now = time.time()
        old = await store.start(1, -100, now - 40 * day)
        await store.enqueue(old.ticket, "to_staff", 1, 5, now - 40 * day)
        await store.end(old.ticket, CLOSED, now - 31 * day)
        recent = await store.start(2, -100, now - 10 * day)
        await store.end(recent.ticket, CLOSED, now - 10 * day)
        still_open = await store.start(3, -100, now - 90 * day)
        assert await store.purge(now, 30) == 1
        assert await store.by_ticket(old.ticket) is None
        assert await store.by_ticket(recent.ticket) is not None
        assert await store.by_ticket(still_open.ticket) is not None
        assert sum((await store.counts()).values()) == 0, "its relays went with it"
    finally:
        await storage.close()


async def test_a_helpdesk_over_telegrams_group_limit_does_not_hold_up_replies(snapshot, tmp_path):
    """Telegram takes 20 messages a minute into one group; the 21st and later relays to
    the helpdesk wait (durably), while replies to newcomers' private chats go at once."""
    async with helpdesk_sandbox(snapshot, tmp_path) as box:
        service = box.application.bot_data.handoff
        desk = box.application.bot_data.staff.helpdesk(HELPDESK)
        people = range(8001, 8061)  # 60 conversations, topics already open
        topics = {}
        for user_id in people:
            await newcomer(box, user_id, lang="en")
            conversation = await service.open(user_id, desk)
            created = box.api._m_createForumTopic({"chat_id": HELPDESK, "name": str(user_id)})
            topics[user_id] = created["result"]["message_thread_id"]
            await service.store.set_topic(conversation.ticket, topics[user_id], time.time())
        for user_id in people:
            await box.text(user_id, "hello")
        await box.api.wait_count("copyMessage", 20)
        start = len(box.api.calls)
        await staff_says(box, WORKER, "answer", topics[8001])
        await box.api.wait_for(lambda c: is_copy_to(8001)(c) and bool(c.result), start=start)
        assert (await service.store.counts())["pending"] > 0, "the group's queue still waits"


async def test_a_newcomer_who_blocked_the_bot_ends_the_conversation(snapshot, tmp_path):
    async with helpdesk_sandbox(snapshot, tmp_path) as box:
        await newcomer(box, lang="en")
        await box.tap(NEWCOMER, "ask:go", 1)
        await box.text(NEWCOMER, "hello")
        thread = (await topic_of(box)).result["message_thread_id"]
        box.api.blocked.add(NEWCOMER)
        await staff_says(box, WORKER, "Hello, how can we help?", thread)
        told = await box.api.wait_for(
            lambda c: c.method == "sendMessage" and "a bloqué le bot" in c.text
        )
        assert told.params["message_thread_id"] == thread
        store = box.application.bot_data.handoff.store
        assert await store.open_conversation_of(NEWCOMER) is None


async def test_a_deleted_topic_is_opened_again(snapshot, tmp_path):
    async with helpdesk_sandbox(snapshot, tmp_path) as box:
        await newcomer(box, lang="en")
        await box.tap(NEWCOMER, "ask:go", 1)
        await box.text(NEWCOMER, "hello")
        first = (await topic_of(box)).result["message_thread_id"]
        await box.api.wait_for(is_copy_to(HELPDESK))
        del box.api.forums[HELPDESK].topics[first]  # a staff member deleted the topic
        start = len(box.api.calls)
        await box.text(NEWCOMER, "are you there?")
        second = (await topic_of(box, start)).result["message_thread_id"]
        copied = await box.api.wait_for(
            lambda c: is_copy_to(HELPDESK)(c) and bool(c.result), start=start, timeout=15
        )
        assert copied.params["message_thread_id"] == second != first


@pytest.mark.parametrize("args", ["", "nowhere", "remich", "grevenmacher", "MARBURG x", "../../"])
async def test_handover_with_odd_arguments_answers_with_the_usage(snapshot, tmp_path, args):
    async with helpdesk_sandbox(snapshot, tmp_path) as box:
        await newcomer(box, lang="en")
        await box.tap(NEWCOMER, "ask:go", 1)
        await box.text(NEWCOMER, "hello")
        thread = (await topic_of(box)).result["message_thread_id"]
        calls = await staff_says(box, WORKER, f"/handover {args}".strip(), thread)
        texts = [c.text for c in calls if c.method == "sendMessage"]
        if args.lower().startswith("marburg"):
            assert any("Transmis par" in t for t in texts)
        else:  # in the helpdesk's French: the usage, or "already this helpdesk's"
            assert texts and ("/handover" in texts[0] or "relève déjà" in texts[0]), texts
            assert not any(c.method == "closeForumTopic" for c in calls)

"""Several people at once: other chats' updates go on while one waits, one chat's stay
in order, and one task's failed transaction never takes another's write with it."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from telegram import Chat, Message, Update, User

from bot.storage import Storage
from bot.telegram.update_processor import PerChatUpdateProcessor, ordering_key

WHEN = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
async def storage(tmp_path):
    """A fresh database file, closed after the test."""
    opened = await Storage.open(tmp_path / "bot.sqlite3")
    yield opened
    await opened.close()


def update_in(chat_id: int, update_id: int) -> Update:
    """A text message from user ``chat_id`` in their private chat."""
    user = User(chat_id, "x", is_bot=False)
    chat = Chat(chat_id, Chat.PRIVATE)
    return Update(update_id, message=Message(update_id, WHEN, chat, from_user=user, text="hi"))


async def test_another_chat_is_answered_while_the_first_still_waits():
    processor = PerChatUpdateProcessor(max_running=8)
    telegram_answers = asyncio.Event()
    log: list[str] = []

    async def handle(name: str, wait: asyncio.Event | None = None) -> None:
        log.append(f"start {name}")
        if wait is not None:
            await wait.wait()
        log.append(f"end {name}")

    first = asyncio.create_task(
        processor.process_update(update_in(1, 1), handle("a1", telegram_answers))
    )
    second = asyncio.create_task(processor.process_update(update_in(1, 2), handle("a2")))
    other = asyncio.create_task(processor.process_update(update_in(2, 3), handle("b1")))
    await other
    # Chat 2 was served while chat 1's first update waited; chat 1's second waits its turn.
    assert "end b1" in log
    assert "end a1" not in log and "start a2" not in log
    telegram_answers.set()
    await asyncio.gather(first, second)
    assert log[-3:] == ["end a1", "start a2", "end a2"]
    assert processor.busy_keys() == 0


async def test_a_chat_flooding_the_bot_does_not_hold_up_the_others():
    processor = PerChatUpdateProcessor(max_running=2, max_accepted=100)
    telegram_answers = asyncio.Event()
    first_running = asyncio.Event()

    async def slow() -> None:
        first_running.set()
        await telegram_answers.wait()

    async def quick() -> None:
        pass

    flood = [asyncio.create_task(processor.process_update(update_in(1, 1), slow()))]
    flood += [
        asyncio.create_task(processor.process_update(update_in(1, n), quick()))
        for n in range(2, 12)
    ]
    await first_running.wait()
    # Ten of chat 1's updates wait for its first; chat 2 still gets a running slot.
    async with asyncio.timeout(5):  # a failure guard: without the fix this never ends
        await processor.process_update(update_in(2, 99), quick())
    assert not any(task.done() for task in flood)
    telegram_answers.set()
    await asyncio.gather(*flood)
    assert processor.busy_keys() == 0


@settings(max_examples=60, deadline=None)
@given(
    chats=st.lists(st.integers(1, 4), min_size=1, max_size=30),
    yields=st.lists(st.integers(0, 3), min_size=30, max_size=30),
    slots=st.integers(1, 6),
    accepted=st.integers(1, 8),
)
def test_each_chats_updates_run_one_at_a_time_in_arrival_order(chats, yields, slots, accepted):
    async def scenario() -> None:
        processor = PerChatUpdateProcessor(slots, accepted)
        running: set[int] = set()
        order: dict[int, list[int]] = {}

        async def handle(chat: int, number: int) -> None:
            assert chat not in running, "two updates of one chat at the same time"
            running.add(chat)
            order.setdefault(chat, []).append(number)
            for _ in range(yields[number]):  # hand the loop to others, as a Bot API wait does
                await asyncio.sleep(0)
            running.discard(chat)

        await asyncio.gather(
            *(
                processor.process_update(update_in(chat, n + 1), handle(chat, n))
                for n, chat in enumerate(chats)
            )
        )
        expected: dict[int, list[int]] = {}
        for n, chat in enumerate(chats):
            expected.setdefault(chat, []).append(n)
        assert order == expected
        assert processor.busy_keys() == 0

    asyncio.run(scenario())


def test_updates_without_chat_or_user_need_no_order():
    assert ordering_key(Update(7)) is None
    assert ordering_key(object()) is None
    assert ordering_key(update_in(5, 1)) == ("chat", 5)


async def during_a_failing_transaction(storage, write_inside, call):
    """Open a transaction and run ``write_inside()`` in it; while it is open, start
    ``call()`` (another task) and let it run until it waits; then make the
    transaction fail. Returns what ``call()`` returned (or raised)."""
    inside, fail, started = asyncio.Event(), asyncio.Event(), asyncio.Event()

    async def failing_transaction() -> None:
        async with storage.transaction():
            await write_inside()
            inside.set()
            await fail.wait()
            raise RuntimeError("e.g. the disk is full")

    async def other_task():
        started.set()  # the call below runs on until it waits for the transaction
        return await call()

    transaction = asyncio.create_task(failing_transaction())
    await inside.wait()
    other = asyncio.create_task(other_task())
    await started.wait()
    fail.set()
    failed, result = await asyncio.gather(transaction, other, return_exceptions=True)
    assert isinstance(failed, RuntimeError)
    return result


async def test_a_write_is_not_rolled_back_with_another_tasks_failed_transaction(tmp_path):
    storage = await Storage.open(tmp_path / "bot.sqlite3")
    try:
        newcomer_chooses_a_language = await during_a_failing_transaction(
            storage,
            lambda: storage.save_user(1, language="ar"),
            lambda: storage.save_user(2, language="uk"),
        )
        assert newcomer_chooses_a_language.language == "uk"
    finally:
        await storage.close()
    # Read back from the file, not from the cache.
    storage = await Storage.open(tmp_path / "bot.sqlite3")
    try:
        assert await storage.get_user(1) is None
        user = await storage.get_user(2)
        assert user is not None and user.language == "uk"
    finally:
        await storage.close()


async def test_two_transactions_of_different_tasks_both_succeed(storage):
    await storage.save_user(1, language="de", municipality="remich", subscribed=True)
    await storage.save_user(2, language="fr", municipality="remich", subscribed=True)
    # A user who blocked the bot is forgotten while a social worker confirms an
    # announcement: without turns, the second BEGIN fails inside the first.
    announcement, _ = await asyncio.gather(
        storage.create_announcement(
            author_id=9,
            region="miselerland",
            default_language="fr",
            targets=["remich"],
            texts={"fr": "Cours de français"},
            send_at=0,
            now=0,
        ),
        storage.forget_user(2),
    )
    _, recipients = announcement
    assert recipients in (1, 2)  # whichever went first
    assert await storage.get_user(2) is None
    counts = await storage.delivery_counts(announcement[0])
    assert counts["pending"] == 1  # user 2's row went with them, or never existed


async def test_the_outbox_of_an_uncommitted_announcement_is_not_handed_out(storage):
    await storage.save_user(1, language="de", municipality="remich", subscribed=True)

    async def announcement_written_half_way() -> None:
        await storage.db.execute(
            "INSERT INTO announcements (id, author_id, region, default_language, "
            "targets, status, created_at, send_at) "
            "VALUES (1, 9, 'miselerland', 'fr', '[\"remich\"]', 'sending', 0, 0)"
        )
        await storage.db.execute(
            "INSERT INTO outbox (announcement_id, chat_id, due_at) VALUES (1, 1, 0)"
        )

    handed_out = await during_a_failing_transaction(
        storage,
        announcement_written_half_way,
        lambda: storage.due_outbox(now=10, limit=10, exclude=set()),
    )
    assert handed_out == [], "rows of a rolled-back announcement were handed out"


@settings(max_examples=300, deadline=None)
@given(yields=st.integers(0, 300))
def test_a_forget_cancelled_at_any_moment_leaves_cache_and_database_agreeing(yields):
    async def scenario() -> None:
        storage = await Storage.open(":memory:")
        try:
            await storage.save_user(5, language="ar", municipality="remich")
            task = asyncio.create_task(storage.forget_user(5))
            for _ in range(yields):  # cancel after this many turns of the event loop
                await asyncio.sleep(0)
            task.cancel()
            outcome = (await asyncio.gather(task, return_exceptions=True))[0]
            # Cancelled or done: never an unrelated database error in its place.
            assert outcome is None or isinstance(outcome, asyncio.CancelledError), outcome
            async with storage.db.execute("SELECT count(*) FROM users WHERE user_id = 5") as cur:
                in_database = (await cur.fetchone())[0] == 1
            assert (await storage.get_user(5) is not None) == in_database
        finally:
            await storage.close()

    asyncio.run(scenario())

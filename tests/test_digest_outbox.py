"""The editors' weekly digest goes through the durable outbox (issue 16): written
together with the week's ``digest_sent`` record, sent by the delivery worker with
its guarantees, and not written at all when there is nothing to say."""

from __future__ import annotations

import collections
import datetime as dt
import sqlite3

import pytest

from bot.content.snapshot import Snapshot
from bot.devtools.sandbox import Sandbox
from bot.editing.digest import send_due_digests
from bot.feedback import service_of
from bot.storage import Storage
from bot.storage.migrations import MIGRATIONS
from tests.botapi_faults import FaultyBotApi
from tests.conftest import NOW, clock
from tests.test_feedback import (
    ADMIN,
    EDITOR,
    MARBURG_EDITOR,
    accepted,
    quiet_content,
    send_digests,
    staff_file,
    start,
)

WEEK = "2026-W48"


async def digest_rows(box) -> list[tuple[int, int, str, str, str | None]]:
    """(outbox id, chat id, region, status, text in the recipient's language) of every
    digest row (the text falls back to English like the worker's)."""
    async with box.storage.announcements.db.execute(
        "SELECT o.id, o.chat_id, a.region, o.status, "
        "coalesce(t.text, (SELECT text FROM announcement_texts WHERE announcement_id = a.id "
        "AND language = a.default_language)) "
        "FROM outbox o JOIN announcements a ON a.id = o.announcement_id "
        "LEFT JOIN users u ON u.user_id = o.chat_id "
        "LEFT JOIN announcement_texts t ON t.announcement_id = a.id AND t.language = u.language "
        "WHERE a.kind = 'digest' ORDER BY o.id"
    ) as cur:
        return [tuple(row) for row in await cur.fetchall()]


async def wait_delivered(box, rows, start: int = 0) -> None:
    """Wait until the stand-in accepted, for every row, a message to its chat."""
    per_chat = collections.Counter(row[1] for row in rows)
    for chat_id, count in per_chat.items():
        await box.api.wait_for(
            lambda c, chat_id=chat_id, count=count: c.chat_id == chat_id
            and len(accepted(box, chat_id, start)) >= count,
            start=start,
            timeout=15,
        )  # fmt: skip


async def marks_written(box) -> None:
    """Wait until the delivery worker recorded what it sent (the stand-in sees a
    message just before the worker commits its ``sent`` mark)."""
    await box.application.bot_data.delivery.wait_idle()


async def quiet_box(tmp_path, api=None) -> tuple[Sandbox, object]:
    """One region (Miselerland) with nothing to say but one unanswered question."""
    content = quiet_content(tmp_path)
    box = await Sandbox.create(
        Snapshot.load(content),
        database=tmp_path / "bot.sqlite3",
        clock=clock,
        api=api or await FaultyBotApi().start(),
        settings={"staff_file": staff_file(tmp_path), "content_dir": content},
    )
    await box.storage.save_user(EDITOR, language="en", municipality="remich")
    await box.storage.save_user(ADMIN, language="de", municipality="remich")
    return box, content


async def test_each_editor_gets_each_regions_digest_once_through_the_outbox(snapshot, tmp_path):
    box = await start(snapshot, tmp_path)
    try:
        before = len(box.api.calls)
        sent = await send_digests(box, NOW)
        await marks_written(box)
        rows = await digest_rows(box)
        assert sent == {"marburg-biedenkopf": sum(r[2] == "marburg-biedenkopf" for r in rows),
                        "miselerland": sum(r[2] == "miselerland" for r in rows)}  # fmt: skip
        # Admins and editors of every region get both; the Marburg editor only Marburg's.
        assert {(r[1], r[2]) for r in rows} == {
            (EDITOR, "miselerland"), (EDITOR, "marburg-biedenkopf"),
            (ADMIN, "miselerland"), (ADMIN, "marburg-biedenkopf"),
            (MARBURG_EDITOR, "marburg-biedenkopf"),
        }  # fmt: skip
        assert {r[3] for r in rows} == {"sent"}, "marked sent once Telegram accepted them"
        for chat_id in (EDITOR, ADMIN, MARBURG_EDITOR):
            got = collections.Counter(c.text for c in accepted(box, chat_id, before))
            assert got == collections.Counter(r[4] for r in rows if r[1] == chat_id), (
                "every queued message exactly once, nothing else"
            )
            regions = {r[2] for r in rows if r[1] == chat_id}
            assert sum(text.startswith("📋") for text in got.elements()) == len(regions)
        assert any("Wochenübersicht" in r[4] for r in rows if r[1] == ADMIN), "in German"
        # Digests are not announcements: /news and /announcements do not list them.
        assert await box.storage.recent_announcements() == []
        assert await box.storage.news_for("remich", 0) == []
        # Once a week: a later check writes nothing more.
        assert await send_due_digests(box.application, NOW + dt.timedelta(hours=3)) == {}
        assert len(await digest_rows(box)) == len(rows)
    finally:
        await box.close()


async def test_an_empty_digest_writes_no_rows_but_records_the_week(tmp_path):
    box, _ = await quiet_box(tmp_path)
    try:
        before = len(box.api.calls)
        assert await send_due_digests(box.application, NOW) == {"miselerland": 0}
        assert await digest_rows(box) == []
        async with box.storage.announcements.db.execute("SELECT count(*) FROM outbox") as cur:
            assert (await cur.fetchone())[0] == 0
        assert await service_of(box.application.bot_data).store.digest_sent("miselerland", WEEK)
        assert not [c for c in box.api.calls[before:] if c.method == "sendMessage"]
    finally:
        await box.close()


async def test_a_digest_written_but_not_sent_goes_out_after_a_restart(tmp_path):
    api = await FaultyBotApi().start()
    api.flood(120, methods={"sendMessage"})  # Telegram refuses everything for now
    box, content = await quiet_box(tmp_path, api)
    await box.storage.record_unanswered("zzqx xylophon", "en", "remich")
    assert await send_due_digests(box.application, NOW) == {"miselerland": 2}
    await api.wait_for(lambda c: c.method == "sendMessage" and c.result is None, timeout=15)
    rows = await digest_rows(box)
    assert [(r[1], r[3]) for r in rows] == [(EDITOR, "pending"), (ADMIN, "pending")]
    await box.close()  # the bot stops before any digest went out
    restarted = await Sandbox.create(
        Snapshot.load(content),
        database=tmp_path / "bot.sqlite3",
        clock=clock,
        api=await FaultyBotApi().start(),
        settings={"staff_file": tmp_path / "staff.yaml", "content_dir": content},
    )
    try:
        await wait_delivered(restarted, rows)
        for _, chat_id, _, _, text in rows:
            assert [c.text for c in accepted(restarted, chat_id, 0)] == [text]
            assert "zzqx xylophon" in text
        assert "Wochenübersicht" in rows[1][4]
        # The week's digest is done: checking again writes no second one.
        assert await send_due_digests(restarted.application, NOW) == {}
        await marks_written(restarted)
        assert [r[3] for r in await digest_rows(restarted)] == ["sent", "sent"]
    finally:
        await restarted.close()


async def test_a_429_delays_the_digest_but_does_not_lose_it(tmp_path):
    box, _ = await quiet_box(tmp_path)
    try:
        await box.storage.record_unanswered("zzqx xylophon", "en", "remich")
        box.api.fail("sendMessage", chat_id=EDITOR, error_code=429, retry_after=1)
        before = len(box.api.calls)
        assert await send_digests(box, NOW) == {"miselerland": 2}
        refused, delivered = [
            c for c in box.api.calls[before:] if c.method == "sendMessage" and c.chat_id == EDITOR
        ]
        assert refused.result is None and delivered.result is not None
        assert delivered.at - refused.at >= 1.0, "Telegram asked for 1 s: the worker waited"
        assert "zzqx xylophon" in delivered.text
        await marks_written(box)
        assert [r[3] for r in await digest_rows(box)] == ["sent", "sent"]
    finally:
        await box.close()


async def test_a_digest_is_written_whole_or_not_at_all(tmp_path):
    storage = await Storage.open(tmp_path / "bot.sqlite3")
    outbox = storage.announcements
    try:
        args = {"region": "miselerland", "week": WEEK, "default_language": "en",
                "coverage": {"ar": 1}, "now": NOW.timestamp()}  # fmt: skip
        # A failure half-way (here: a text the database refuses) leaves nothing behind,
        # not even the week's record, so the next check writes the digest again.
        with pytest.raises(sqlite3.IntegrityError):
            await outbox.create_digest(
                texts={"en": ["one", "two"], "de": ["eins", None]},
                recipients={EDITOR: "en", ADMIN: "de"},
                **args,
            )
        async with storage.db.execute(
            "SELECT (SELECT count(*) FROM outbox), (SELECT count(*) FROM announcements), "
            "(SELECT count(*) FROM digest_sent), (SELECT count(*) FROM digest_coverage)"
        ) as cur:
            assert tuple(await cur.fetchone()) == (0, 0, 0, 0)
        queued = await outbox.create_digest(
            texts={"en": ["one", "two"], "de": ["eins"]},
            recipients={EDITOR: "en", ADMIN: "de"},
            **args,
        )
        assert queued == 3, "English in two messages, German in one"
        again = await outbox.create_digest(texts={"en": ["one"]}, recipients={EDITOR: "en"}, **args)
        assert again is None, "the week's digest is written once"
        async with storage.db.execute("SELECT id FROM outbox ORDER BY id") as cur:
            rows = [r[0] for r in await cur.fetchall()]
        assert len(rows) == 3
        # Once sent, a digest's texts (comments, questions) go with the next digest.
        await outbox.mark_sent(rows)
        week49 = {**args, "week": "2026-W49"}
        await outbox.create_digest(texts={"en": ["new"]}, recipients={EDITOR: "en"}, **week49)
        async with storage.db.execute("SELECT text FROM announcement_texts") as cur:
            assert [r[0] for r in await cur.fetchall()] == ["new"]
    finally:
        await storage.close()


async def test_announcements_of_an_older_database_stay_announcements(tmp_path):
    path = tmp_path / "old.sqlite3"
    raw = sqlite3.connect(path)
    raw.executescript(
        "".join(script for script in MIGRATIONS[:5] if isinstance(script, str))
        + "PRAGMA user_version = 5;"
    )
    raw.execute(
        "INSERT INTO announcements (author_id, region, default_language, targets, status,"
        " created_at, send_at) VALUES (1, 'miselerland', 'fr', '[\"remich\"]', 'done', 0, 0)"
    )
    raw.commit()
    raw.close()
    storage = await Storage.open(path)
    try:
        (announcement,) = await storage.recent_announcements()
        assert announcement.kind == "announcement"
        assert [a.id for a in await storage.news_for("remich", 0)] == [announcement.id]
    finally:
        await storage.close()

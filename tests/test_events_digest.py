"""The weekly digest: queued once per municipality and week on Monday morning,
in the subscribers' languages, delivered through the durable outbox."""

from __future__ import annotations

import datetime as dt

from bot.events.digest import DIGEST_ACTION, digest_subject, queue_digests
from bot.storage import Storage
from tests.conftest import NOW

MONDAY_0900 = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC)  # 09:00 in Luxembourg


async def subscribed(storage, user_id: int, language: str, municipality: str) -> None:
    await storage.save_user(user_id, language=language, municipality=municipality, subscribed=True)


async def test_digest_is_queued_once_per_week_in_the_subscribers_languages(tmp_path, snapshot):
    storage = await Storage.open(tmp_path / "bot.sqlite3")
    try:
        await subscribed(storage, 1, "ar", "remich")
        await subscribed(storage, 2, "uk", "remich")
        await storage.save_user(3, language="de", municipality="remich")  # not subscribed
        await subscribed(storage, 4, "de", "kirchhain")  # nothing on in Kirchhain
        content = snapshot.content
        assert await queue_digests(storage, content, MONDAY_0900) == 1
        assert await queue_digests(storage, content, MONDAY_0900 + dt.timedelta(hours=3)) == 0
        (announcement,) = await storage.recent_announcements()
        assert announcement.targets == ["remich"] and announcement.author_id == 0
        texts = await storage.announcement_texts(announcement.id)
        assert set(texts) == {"ar", "uk", "fr"}  # the region's language too
        assert "أمسية مقهى اللغات" in texts["ar"] and "Мовне кафе ввечері" in texts["uk"]
        assert (await storage.delivery_counts(announcement.id))["pending"] == 2  # Arabic, Ukrainian
        subjects = [
            entry[3] for entry in await storage.audit_entries() if entry[2] == DIGEST_ACTION
        ]
        assert "digest:remich:2026-W48" in subjects and "digest:kirchhain:2026-W48" in subjects
    finally:
        await storage.close()


def test_only_on_monday_from_eight(snapshot):
    remich = snapshot.content.places["remich"]
    assert digest_subject(remich, MONDAY_0900) == "digest:remich:2026-W48"
    assert digest_subject(remich, dt.datetime(2026, 11, 23, 6, 59, tzinfo=dt.UTC)) is None  # 07:59
    assert digest_subject(remich, dt.datetime(2026, 11, 24, 9, tzinfo=dt.UTC)) is None  # Tuesday


async def test_digest_reaches_a_subscriber_through_the_outbox(sandbox):
    await sandbox.storage.save_user(1701, language="uk", municipality="marburg", subscribed=True)
    data = sandbox.application.bot_data
    start = len(sandbox.api.calls)
    assert await queue_digests(sandbox.storage, data.snapshot.content, NOW) == 1
    data.delivery.wake()
    call = await sandbox.api.wait_for(
        lambda c: c.method == "sendMessage" and c.chat_id == 1701, start=start, timeout=15
    )
    assert "Цього тижня в Марбург" in call.text and "Мовне кафе" in call.text

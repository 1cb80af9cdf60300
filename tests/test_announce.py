"""Social workers announce; every subscriber gets it once, in their language where possible."""

from __future__ import annotations

import logging

import pytest

from bot.devtools.sandbox import Sandbox
from tests.conftest import NOW, clock, last_keyboard, last_message_id, last_text, staffed_sandbox

ADMIN, WORKER, EDITOR, STRANGER = 1001, 1002, 1003, 1004
STAFF_YAML = f"""\
# Staff of the demo regions
staff:
  - user_id: {ADMIN}
    role: admin
  - user_id: {WORKER}
    role: social_worker   # Remich and Grevenmacher only
    municipalities: [remich, grevenmacher]
  - user_id: {EDITOR}
    role: editor
"""

#: subscribers: user id → (language, municipality, subscribed)
PEOPLE = {
    2001: ("ar", "remich", True),
    2002: ("uk", "remich", True),
    2003: ("fr", "remich", True),
    2004: ("de", "remich", False),  # not subscribed
    2005: ("ar", "mertert", True),  # another municipality
    2006: ("fa", "grevenmacher", True),
}


@pytest.fixture
async def staffed(snapshot, tmp_path):
    box = await staffed_sandbox(snapshot, tmp_path, STAFF_YAML)
    for user_id, (lang, municipality, subscribed) in PEOPLE.items():
        await box.storage.save_user(
            user_id, language=lang, municipality=municipality, subscribed=subscribed
        )
    await box.storage.save_user(WORKER, language="de", municipality="remich")
    try:
        yield box
    finally:
        if box.application.running:
            await box.close()


async def open_targets(box, user_id: int, region: str = "miselerland") -> int:
    """/announce, choosing the region when the member may reach several; returns the
    message id of the target keyboard."""
    calls = await box.text(user_id, "/announce")
    message_id = last_message_id(calls)
    if f"an:reg:{region}" in last_keyboard(calls).values():
        calls = await box.tap(user_id, f"an:reg:{region}", message_id)
    return message_id


async def compose(box, user_id: int, targets: list[str], texts: dict[str, str]):
    """Walk the /announce flow up to the preview; returns the preview calls."""
    message_id = await open_targets(box, user_id)
    for target in targets:
        await box.tap(user_id, f"an:tog:{target}", message_id)
    await box.tap(user_id, "an:next:x", message_id)
    first, *others = texts.items()
    calls = await box.text(user_id, first[1])
    for lang, text in others:
        calls = await box.tap(user_id, "an:addl:x", last_message_id(calls))
        calls = await box.tap(user_id, f"an:lang:{lang}", last_message_id(calls))
        calls = await box.text(user_id, text)
    return await box.tap(user_id, "an:prev:x", last_message_id(calls))


def sends_to(box, chat_id: int) -> list:
    return [c for c in box.api.calls if c.method == "sendMessage" and c.chat_id == chat_id]


async def test_announcement_reaches_each_subscriber_once_in_their_language(staffed):
    box = staffed
    preview = await compose(
        box,
        WORKER,
        ["remich"],
        {"fr": "Nouveau cours de français lundi à 18h.", "ar": "دورة فرنسية جديدة يوم الإثنين."},
    )
    versions = [c.text for c in preview if c.method == "sendMessage"][:-1]
    assert len(versions) == 2 and any("دورة" in v for v in versions)
    summary = last_text(preview)
    assert "3" in summary, "three subscribers in Remich"
    calls = await box.tap(WORKER, "an:send:x", last_message_id(preview))
    assert "#1" in last_text(calls)
    # The final report comes once every recipient is handled.
    await box.api.wait_for(
        lambda c: c.method == "sendMessage" and c.chat_id == WORKER and "#1" in c.text,
        start=len(box.api.calls),
        timeout=15,
    )
    delivered = {
        c.chat_id: c.text
        for c in box.api.calls
        if c.method == "sendMessage" and c.chat_id in PEOPLE
    }
    assert set(delivered) == {2001, 2002, 2003}
    assert "دورة فرنسية" in delivered[2001], "Arabic subscribers get the Arabic version"
    assert "Nouveau cours" in delivered[2002] and "ℹ️" in delivered[2002], (
        "without a Ukrainian version: the French one, with a note"
    )
    assert "ℹ️" not in delivered[2003]
    arabic = next(c for c in box.api.calls if c.method == "sendMessage" and c.chat_id == 2001)
    assert arabic.params["parse_mode"] == "HTML", "the header's bold is formatting, not text"
    sends = [c.chat_id for c in box.api.calls if c.method == "sendMessage" and c.chat_id in PEOPLE]
    assert len(sends) == len(set(sends)), "nobody gets it twice"
    counts = await box.storage.delivery_counts(1)
    assert counts["sent"] == 3 and counts["pending"] == 0
    audit = await box.storage.audit_entries()
    assert audit[0][1] == WORKER and audit[0][2] == "announce"
    assert "2001" not in audit[0][4], "the audit log keeps counts, never recipient lists"


async def test_too_long_text_is_refused_with_the_count(staffed):
    box = staffed
    calls = await box.text(WORKER, "/announce")
    await box.tap(WORKER, "an:tog:remich", last_message_id(calls))
    await box.tap(WORKER, "an:next:x", last_message_id(calls))
    calls = await box.text(WORKER, "x" * 5000)
    assert "5000" in last_text(calls) and "3800" in last_text(calls)


async def test_cancel_at_any_step_sends_nothing(staffed):
    box = staffed
    calls = await box.text(WORKER, "/announce")
    await box.tap(WORKER, "an:tog:remich", last_message_id(calls))
    await box.tap(WORKER, "an:next:x", last_message_id(calls))
    calls = await box.text(WORKER, "/cancel")
    assert "✖" in last_text(calls)
    calls = await box.text(WORKER, "Bonjour à tous")
    assert not [c for c in box.api.calls if c.method == "sendMessage" and c.chat_id in PEOPLE]
    assert await box.storage.recent_announcements() == []


async def test_forged_and_out_of_scope_callbacks_are_refused_and_logged(staffed, caplog):
    box = staffed
    caplog.set_level(logging.WARNING, logger="bot.handlers")
    await box.storage.save_user(STRANGER, language="en", municipality="remich")
    # A newcomer replays a staff button.
    calls = await box.tap(STRANGER, "an:tog:remich", 1)
    assert any(c.method == "answerCallbackQuery" for c in calls)
    # A newcomer types a staff command: it looks like any unknown command.
    calls = await box.text(STRANGER, "/announce")
    assert "/announce" not in last_text(calls)
    # A social worker reaches outside their municipalities.
    calls = await box.text(WORKER, "/announce")
    assert "an:tog:mertert" not in last_keyboard(calls).values()
    await box.tap(WORKER, "an:tog:mertert", last_message_id(calls))
    # A social worker tries to cancel someone's announcement (admins only).
    await box.tap(WORKER, "ax:1", 1)
    refusals = [r.getMessage() for r in caplog.records if "refused" in r.getMessage()]
    assert f"refused announce:button for user {STRANGER}" in refusals
    assert f"refused announce for user {STRANGER}" in refusals
    assert f"refused announce:target for user {WORKER}" in refusals
    assert f"refused cancel for user {WORKER}" in refusals
    for record in caplog.records:
        assert "Bonjour" not in record.getMessage()


async def test_retry_after_pauses_exactly_and_forbidden_unsubscribes(staffed):
    box = staffed
    box.api.fail("sendMessage", chat_id=2001, error_code=429, retry_after=1)
    box.api.blocked.add(2002)
    preview = await compose(box, ADMIN, ["remich"], {"fr": "Fermeture vendredi."})
    await box.tap(ADMIN, "an:send:x", last_message_id(preview))
    await box.api.wait_for(
        lambda c: c.method == "sendMessage" and c.chat_id == 2001 and c.result, timeout=15
    )
    refused, delivered = sends_to(box, 2001)
    assert refused.result is None and delivered.result is not None
    assert delivered.at - refused.at >= 1.0, "Telegram asked for 1 s: the worker waited 1 s"
    assert delivered.at - refused.at < 2.0, "…and not much longer"
    assert box.application.bot_data.delivery.stats.paused_seconds == pytest.approx(1.0)
    await box.api.wait_for(
        lambda c: c.method == "sendMessage" and c.chat_id == ADMIN and "#1" in c.text,
        start=len(box.api.calls),
        timeout=15,
    )
    assert await box.storage.get_user(2002) is None, "a user who blocked the bot is forgotten"
    counts = await box.storage.delivery_counts(1)
    assert counts["sent"] == 2 and counts["pending"] == 0
    assert sum(counts.values()) == 2, "nothing with the blocked user's id is kept"


async def test_scheduled_announcement_waits_in_the_database(staffed):
    box = staffed
    mid = await open_targets(box, ADMIN)
    await box.tap(ADMIN, "an:tog:remich", mid)
    await box.tap(ADMIN, "an:next:x", mid)
    calls = await box.text(ADMIN, "Fête de quartier samedi")
    calls = await box.tap(ADMIN, "an:sch:x", last_message_id(calls))
    calls = await box.text(ADMIN, "2030-01-05 18:00")
    assert "2030" in last_text(calls)
    calls = await box.tap(ADMIN, "an:prev:x", last_message_id(calls))
    await box.tap(ADMIN, "an:send:x", last_message_id(calls))
    announcement = (await box.storage.recent_announcements())[0]
    assert announcement.status == "scheduled"
    counts = await box.storage.delivery_counts(announcement.id)
    assert counts["pending"] == 3, "recipients wait in the outbox, not in memory"
    # The admin can cancel it while it waits.
    calls = await box.text(ADMIN, "/announcements")
    assert f"ax:{announcement.id}" in last_keyboard(calls).values()
    await box.tap(ADMIN, f"ax:{announcement.id}", last_message_id(calls))
    assert (await box.storage.announcement(announcement.id)).status == "cancelled"


async def test_subscription_is_asked_once_and_moves_with_the_municipality(staffed):
    box = staffed
    calls = await box.text(3001, "/start", language_code="de")
    calls = await box.tap(3001, "mun:remich", last_message_id(calls), language_code="de")
    assert "sub:yes" in last_keyboard(calls).values()
    calls = await box.tap(3001, "sub:yes", last_message_id(calls), language_code="de")
    user = await box.storage.get_user(3001)
    assert user.subscribed and user.municipality == "remich"
    assert "sub:yes" not in last_keyboard(calls).values(), "asked only once"
    calls = await box.text(3001, "/municipality", language_code="de")
    await box.tap(3001, "mun:mertert", last_message_id(calls), language_code="de")
    assert 3001 in [u for u, _ in await box.storage.subscribers(["mertert"])]
    assert 3001 not in [u for u, _ in await box.storage.subscribers(["remich"])]
    await box.text(3001, "/unsubscribe", language_code="de")
    assert 3001 not in [u for u, _ in await box.storage.subscribers(["mertert"])]


async def test_news_shows_recent_announcements_in_the_users_language(staffed):
    box = staffed
    await box.storage.create_announcement(
        author_id=ADMIN,
        region="miselerland",
        default_language="fr",
        targets=["remich"],
        texts={"fr": "Piscine gratuite samedi", "ar": "المسبح مجاني يوم السبت"},
        send_at=NOW.timestamp() - 3600,
        now=NOW.timestamp(),
    )
    calls = await box.text(2001, "/news")
    assert "المسبح مجاني" in last_text(calls)
    calls = await box.text(2002, "/news")
    assert "Piscine gratuite" in last_text(calls)


async def test_grant_and_revoke_rewrite_the_staff_file_keeping_comments(staffed, tmp_path):
    box = staffed
    calls = await box.text(ADMIN, "/grant 4242 social_worker mertert")
    assert "4242" in last_text(calls)
    text = (tmp_path / "staff.yaml").read_text()
    assert "# Staff of the demo regions" in text and "# Remich and Grevenmacher only" in text
    assert box.application.bot_data.staff.can(4242, "announce")
    await box.text(ADMIN, "/revoke 4242")
    assert not box.application.bot_data.staff.can(4242, "announce")
    calls = await box.text(WORKER, "/grant 5 admin")
    assert not box.application.bot_data.staff.can(5, "announce"), "only admins grant roles"
    staff_scopes = [
        c for c in box.api.calls
        if c.method == "setMyCommands" and c.params.get("scope", {}).get("type") == "chat"
    ]  # fmt: skip
    assert {c.params["scope"]["chat_id"] for c in staff_scopes} >= {ADMIN, WORKER, EDITOR}


async def test_scheduled_announcement_survives_a_restart(staffed, snapshot, tmp_path):
    box = staffed
    now = clock().timestamp()
    announcement_id, recipients = await box.storage.create_announcement(
        author_id=ADMIN,
        region="miselerland",
        default_language="fr",
        targets=["grevenmacher"],
        texts={"fr": "Réunion d'information jeudi"},
        send_at=now + 1.5,
        now=now,
    )
    assert recipients == 1
    await box.close()  # the bot stops before the announcement is due
    restarted = await Sandbox.create(
        snapshot, database=tmp_path / "bot.sqlite3", clock=clock,
        settings={"staff_file": tmp_path / "staff.yaml"},
    )  # fmt: skip
    try:
        call = await restarted.api.wait_for(
            lambda c: c.method == "sendMessage" and c.chat_id == 2006, timeout=15
        )
        assert "Réunion d'information" in call.text
        assert (await restarted.storage.announcement(announcement_id)).status in ("sending", "done")
    finally:
        await restarted.close()


async def test_admins_hear_of_errors_without_any_user_text(staffed, monkeypatch):
    from bot.views import newcomer as views

    box = staffed  # a fresh Application: its error reporter has sent no notice yet

    def broken(*args, **kwargs):
        raise KeyError("boom")

    monkeypatch.setattr(views, "main_menu", broken)
    await box.text(2001, "/menu my private words")
    notice = await box.api.wait_for(lambda c: c.chat_id == ADMIN and "⚠️" in c.text, timeout=5)
    assert "(message)" in notice.text and "KeyError" in notice.text
    assert "private words" not in notice.text

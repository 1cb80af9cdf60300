"""Feedback under every card, through the real bot: 👍 / ⚠️, what is wrong, an optional
comment (scrubbed), one vote per person, entry and day without keeping who voted,
/feedback and ``newcomer-bot feedback`` for editors, and the weekly digest."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.cli.main import main
from bot.content.snapshot import Snapshot
from bot.devtools.sandbox import Sandbox
from bot.editing.digest import send_due_digests
from bot.feedback import FeedbackService, scrub, service_of
from bot.i18n import translator
from bot.storage import Storage
from bot.telegram import callback_data
from tests.botapi_faults import FaultyBotApi
from tests.conftest import CONTENT, NOW, clock, last_keyboard, last_message_id, last_text

EDITOR, ADMIN, ARABIC, OTHER = 5001, 5002, 5003, 5004
ENTRY = "misel-kulturhuef"  # has opening hours


MARBURG_EDITOR = 5005


def staff_file(tmp_path: Path) -> Path:
    path = tmp_path / "staff.yaml"
    path.write_text(
        f"staff:\n  - user_id: {EDITOR}\n    role: editor\n"
        f"  - user_id: {ADMIN}\n    role: admin\n"
        f"  - user_id: {MARBURG_EDITOR}\n    role: editor\n    regions: [marburg-biedenkopf]\n",
        encoding="utf-8",
    )
    return path


async def start(snapshot, tmp_path: Path, content: Path = CONTENT) -> Sandbox:
    box = await Sandbox.create(
        snapshot,
        database=tmp_path / "bot.sqlite3",
        clock=clock,
        api=await FaultyBotApi().start(),
        settings={"staff_file": staff_file(tmp_path), "content_dir": content},
    )
    await box.storage.save_user(EDITOR, language="en", municipality="remich")
    await box.storage.save_user(ADMIN, language="de", municipality="remich")
    await box.storage.save_user(ARABIC, language="ar", municipality="remich", asked_subscribe=True)
    await box.storage.save_user(OTHER, language="en", municipality="remich", asked_subscribe=True)
    return box


@pytest.fixture
async def box(snapshot, tmp_path):
    sandbox = await start(snapshot, tmp_path)
    try:
        yield sandbox
    finally:
        await sandbox.close()


def answers(calls) -> list[str]:
    return [c.params.get("text") or "" for c in calls if c.method == "answerCallbackQuery"]


def sent_to(box, chat_id: int) -> list[str]:
    return [c.text for c in box.api.calls if c.method == "sendMessage" and c.chat_id == chat_id]


async def report_wrong_hours(box, user_id: int, comment: str | None) -> list:
    """Open the card, tap ⚠️, choose opening hours, then comment or skip."""
    calls = await box.tap(user_id, f"e:{ENTRY}", 1)
    keyboard = last_keyboard(calls)
    assert f"fb:helpful:{ENTRY}" in keyboard.values()
    calls = await box.tap(user_id, f"fb:wrong:{ENTRY}", last_message_id(calls))
    assert f"fb:hours:{ENTRY}" in last_keyboard(calls).values()
    calls = await box.tap(user_id, f"fb:hours:{ENTRY}", last_message_id(calls))
    if comment is None:
        return await box.tap(user_id, f"fb:skip:{ENTRY}", last_message_id(calls))
    return [*calls, *await box.text(user_id, comment)]


async def test_arabic_report_of_wrong_hours_reaches_editors_in_feedback_and_digest(box, tmp_path):
    ar = translator("ar")
    calls = await box.tap(ARABIC, f"e:{ENTRY}", 1)
    labels = last_keyboard(calls)
    assert labels["👍 " + ar._("Helpful")] == f"fb:helpful:{ENTRY}"
    assert labels["⚠️ " + ar._("Something is wrong")] == f"fb:wrong:{ENTRY}"
    assert ar._("Something is wrong") != "Something is wrong", "translated"

    calls = await box.tap(ARABIC, f"fb:wrong:{ENTRY}", last_message_id(calls))
    assert "ما الخطأ؟" in last_text(calls)
    kinds = last_keyboard(calls)
    assert "🕒 " + ar._("Opening hours") in kinds
    calls = await box.tap(ARABIC, f"fb:hours:{ENTRY}", last_message_id(calls))
    assert ar._("No comment") in last_keyboard(calls)
    calls = await box.text(ARABIC, "الساعات تغيرت، اتصلوا 0661 234 567 أو salim@example.lu")
    assert "شكرًا" in last_text(calls), "thanked in Arabic"
    assert all("نتائج" not in c.text for c in calls if c.text), "the comment is no question"

    # Stored without the user, the phone number or the e-mail address.
    async with box.storage.db.execute("SELECT * FROM feedback_comments") as cur:
        rows = [dict(r) for r in await cur.fetchall()]
    assert len(rows) == 1 and rows[0]["entry_id"] == ENTRY and rows[0]["kind"] == "hours"
    assert rows[0]["language"] == "ar"
    assert "0661" not in rows[0]["comment"] and "@" not in rows[0]["comment"]
    assert "الساعات تغيرت" in rows[0]["comment"]
    for table in ("feedback_comments", "feedback_counts", "feedback_votes"):
        async with box.storage.db.execute(f"SELECT * FROM {table}") as cur:
            for row in await cur.fetchall():
                assert str(ARABIC) not in " ".join(map(str, tuple(row))), table

    # One vote per person, entry and day.
    calls = await box.tap(ARABIC, f"fb:wrong:{ENTRY}", 1)
    assert answers(calls) == [ar._("You already told us about this today. Thank you!")]
    calls = await box.tap(ARABIC, f"fb:helpful:{ENTRY}", 1)
    assert answers(calls) == [ar._("You already told us about this today. Thank you!")]
    calls = await box.tap(OTHER, f"fb:helpful:{ENTRY}", 1)
    assert answers(calls) == ["Thank you for your feedback!"]

    # The editor sees it in Telegram …
    calls = await box.text(EDITOR, "/feedback")
    text = last_text(calls)
    assert "Reported problems, last 30 days" in text and ENTRY in text
    assert "🕒 Opening hours 1" in text and "[ar]" in text and "الساعات تغيرت" in text
    # … an editor of another region does not, there or in the digest …
    calls = await box.text(MARBURG_EDITOR, "/feedback")
    assert "No problems reported in the last 30 days." in last_text(calls)
    # … newcomers cannot …
    calls = await box.text(OTHER, "/feedback")
    assert "do not know this command" in last_text(calls)

    # … on the command line …
    code, out = await asyncio.to_thread(
        cli, "feedback", "--format", "json", "--database", str(tmp_path / "bot.sqlite3")
    )
    assert code == 0
    data = json.loads(out)
    first = data["entries"][0]
    assert first["entry"] == ENTRY and first["wrong"] == 1
    assert first["counts"]["hours"] == 1 and first["counts"]["helpful"] == 1
    assert first["comments"][0]["language"] == "ar"
    code, out = await asyncio.to_thread(
        cli, "feedback", "--database", str(tmp_path / "bot.sqlite3")
    )
    assert ENTRY in out and "hours 1" in out

    # … and in the weekly digest, each in their language (Monday 10:00 in Luxembourg).
    sent = await send_due_digests(box.application, NOW)
    assert sent["miselerland"] >= 1
    digest = "\n".join(sent_to(box, EDITOR))
    assert "Weekly digest for" in digest and "Reported as wrong" in digest
    assert ENTRY in digest and "🕒 Opening hours 1" in digest
    assert "Wochenübersicht" in "\n".join(sent_to(box, ADMIN))
    assert ENTRY not in "\n".join(sent_to(box, MARBURG_EDITOR))
    again = await send_due_digests(box.application, NOW + dt.timedelta(hours=3))
    assert again == {}, "once a week"


def cli(*argv: str) -> tuple[int, str]:
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(list(argv))
    return code, out.getvalue()


async def test_skip_leaves_no_comment_and_typed_text_is_a_question_again(box):
    calls = await report_wrong_hours(box, OTHER, None)
    assert "editors will check" in last_text(calls)
    calls = await box.text(OTHER, "doctor")
    assert any(d.startswith(("e:", "es:")) for d in last_keyboard(calls).values()), "search answers"
    async with box.storage.db.execute("SELECT count(*) FROM feedback_comments") as cur:
        assert (await cur.fetchone())[0] == 0


async def test_a_command_or_another_button_cancels_the_comment(box):
    calls = await box.tap(OTHER, f"e:{ENTRY}", 1)
    calls = await box.tap(OTHER, f"fb:wrong:{ENTRY}", last_message_id(calls))
    await box.tap(OTHER, f"fb:phone:{ENTRY}", last_message_id(calls))
    await box.tap(OTHER, "menu", 1)
    calls = await box.text(OTHER, "doctor")
    assert any(d.startswith(("e:", "es:")) for d in last_keyboard(calls).values())
    await box.tap(OTHER, f"fb:skip:{ENTRY}", 1)
    async with box.storage.db.execute("SELECT count(*) FROM feedback_comments") as cur:
        assert (await cur.fetchone())[0] == 0


async def test_feedback_on_an_unknown_entry_or_forged_kind_is_out_of_date(box):
    calls = await box.tap(OTHER, "fb:helpful:no-such-entry", 1)
    assert "out of date" in answers(calls)[0]
    calls = await box.tap(OTHER, f"fb:bogus:{ENTRY}", 1)
    assert "out of date" in answers(calls)[0]
    async with box.storage.db.execute("SELECT count(*) FROM feedback_counts") as cur:
        assert (await cur.fetchone())[0] == 0


def test_feedback_callback_data_fits_in_64_bytes():
    longest = "a" * 40
    for kind in ("helpful", "wrong", "phone", "address", "hours", "closed", "other", "skip"):
        data = callback_data.make("fb", kind, longest)
        assert len(data.encode()) <= 64
        assert callback_data.parse(data).args == (kind, longest)


async def test_votes_are_counted_once_a_day_and_forgotten_with_the_day(tmp_path):
    storage = await Storage.open(tmp_path / "db.sqlite3")
    now = [dt.datetime(2026, 11, 23, 10, tzinfo=dt.UTC)]
    feedback = FeedbackService(storage.feedback, lambda: now[0])
    try:
        await feedback.start()
        assert await feedback.vote(1, "e1", "helpful")
        assert not await feedback.vote(1, "e1", "hours")
        assert await feedback.vote(1, "e2", "hours"), "another entry"
        assert await feedback.vote(2, "e1", "hours"), "another person"
        async with storage.db.execute("SELECT token FROM feedback_votes") as cur:
            tokens = [r[0] for r in await cur.fetchall()]
        assert len(tokens) == 3 and all(len(t) == 32 for t in tokens)
        now[0] += dt.timedelta(days=1)
        assert await feedback.vote(1, "e1", "hours"), "a new day"
        async with storage.db.execute("SELECT day, count(*) FROM feedback_votes") as cur:
            assert tuple(await cur.fetchone()) == ("2026-11-24", 1), "yesterday's tokens gone"
        report = await feedback.store.report(dt.date(2026, 11, 23))
        e1 = next(r for r in report if r.entry_id == "e1")
        assert e1.counts == {"helpful": 1, "hours": 2}
        # A restart forgets the salt, so the tokens go too.
        restarted = FeedbackService(storage.feedback, lambda: now[0])
        await restarted.start()
        async with storage.db.execute("SELECT count(*) FROM feedback_votes") as cur:
            assert (await cur.fetchone())[0] == 0
    finally:
        await storage.close()


async def test_comments_are_deleted_after_90_days(tmp_path):
    storage = await Storage.open(tmp_path / "db.sqlite3")
    store = storage.feedback
    try:
        now = 2_000_000_000.0
        await store.add_comment("e1", "hours", "ar", "old", now - 91 * 86400)
        await store.add_comment("e1", "hours", "ar", "new", now - 89 * 86400)
        assert await store.expire_comments(now) == 1
        async with storage.db.execute("SELECT comment FROM feedback_comments") as cur:
            assert [r[0] for r in await cur.fetchall()] == ["new"]
    finally:
        await storage.close()


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("call +352 26 12 34 56 please", "call […] please"),
        ("tel 0661/234-567", "tel […]"),
        ("mail me: salim.h@example.lu ok", "mail me: […] ok"),
        ("IBAN LU28 0019 4006 4475 0000", "IBAN LU[…]"),
        ("٠٦٦١٢٣٤٥٦٧ رقمي", "[…] رقمي"),
        ("open 9-12, closed on 24 Dec", "open 9-12, closed on 24 Dec"),
        ("line\nbreak\x00 and   spaces", "line break and spaces"),
    ],
)
def test_scrub_removes_phone_numbers_emails_and_long_digit_runs(text, kept):
    assert scrub(text) == kept


@given(st.text(max_size=500))
def test_scrub_never_keeps_a_long_digit_run_or_an_email(text):
    kept = scrub(text)
    assert len(kept) <= 300
    digits = 0
    for ch in kept:
        digits = digits + 1 if ch.isdecimal() else 0
        assert digits < 5, kept
    assert not any("@" in word and "." in word.split("@")[-1] for word in kept.split())


def test_cli_feedback_rejects_bad_days():
    with pytest.raises(SystemExit):
        main(["feedback", "--days", "0"])


def quiet_content(tmp_path: Path) -> Path:
    """One region, one example entry reviewed last week: nothing needs attention."""
    content = tmp_path / "content"
    content.mkdir()
    shutil.copy(CONTENT / "categories.yaml", content / "categories.yaml")
    (content / "countries" / "lu").mkdir(parents=True)
    shutil.copy(CONTENT / "countries/lu/country.yaml", content / "countries/lu/country.yaml")
    region = content / "regions" / "miselerland"
    (region / "entries").mkdir(parents=True)
    text = (CONTENT / "regions/miselerland/region.yaml").read_text(encoding="utf-8")
    text = text.replace("counselling: misel-social-help\n", "digest: {day: monday, hour: 9}\n")
    (region / "region.yaml").write_text(text, encoding="utf-8")
    entry = (CONTENT / "regions/miselerland/entries/misel-language-cafe.yaml").read_text("utf-8")
    (region / "entries" / "misel-language-cafe.yaml").write_text(
        entry + "reviewed: 2026-11-16\n", encoding="utf-8"
    )
    return content


async def test_digest_is_skipped_when_nothing_needs_attention(tmp_path):
    content = quiet_content(tmp_path)
    box = await start(Snapshot.load(content), tmp_path, content)
    try:
        before = len(box.api.calls)
        monday_morning = dt.datetime(2026, 11, 23, 7, 30, tzinfo=dt.UTC)  # 08:30 local
        assert await send_due_digests(box.application, monday_morning) == {}, "not yet due"
        assert await send_due_digests(box.application, NOW) == {"miselerland": 0}
        assert not [c for c in box.api.calls[before:] if c.method == "sendMessage"]
        # Something to say next week: sent, on the day and hour the region set.
        await box.storage.record_unanswered("zzqx xylophon", "en", "remich")
        next_week = NOW + dt.timedelta(days=7)
        assert await send_due_digests(box.application, next_week) == {"miselerland": 2}
        assert "zzqx xylophon" in sent_to(box, EDITOR)[-1]
        # The French source text changes: its translations are outdated now.
        entry = content / "regions/miselerland/entries/misel-language-cafe.yaml"
        text = entry.read_text(encoding="utf-8")
        entry.write_text(text.replace("Une fois par semaine", "Chaque semaine"), "utf-8")
        box.application.bot_data.snapshot = Snapshot.load(content)
        sent = await send_due_digests(box.application, NOW + dt.timedelta(days=14))
        assert sent == {"miselerland": 2}
        digest = sent_to(box, EDITOR)[-1]
        assert "More outdated translations than last week:" in digest
        assert "• ar: 0 → 1" in digest
    finally:
        await box.close()


async def test_digest_due_after_the_regions_hour_and_until_the_week_ends(snapshot):
    from bot.editing.digest import due

    region = snapshot.content.regions["miselerland"]  # default: monday 9
    assert not due(region, dt.datetime(2026, 11, 23, 8, 59))
    assert due(region, dt.datetime(2026, 11, 23, 9, 0))
    assert due(region, dt.datetime(2026, 11, 29, 23, 59))
    assert not due(region, dt.datetime(2026, 11, 30, 8, 0)), "next week, before the hour"


async def test_feedback_service_is_shared_by_handlers_and_digest(box):
    assert service_of(box.application.bot_data) is service_of(box.application.bot_data)


async def test_unanswered_questions_are_scrubbed_too(box):
    await box.text(OTHER, "zzqx qwrtz +352 621 123 456 salim@example.lu")
    async with box.storage.db.execute("SELECT query FROM unanswered") as cur:
        rows = [r[0] for r in await cur.fetchall()]
    assert rows == ["zzqx qwrtz […] […]"]


async def test_privacy_text_tells_about_comments(box):
    calls = await box.text(ARABIC, "/privacy")
    ar = translator("ar")
    assert ar._(
        "Comments you write about an entry are kept without your id for 90 days, "
        "without phone numbers or e-mail addresses."
    ) in last_text(calls)


async def test_digest_lists_expiring_entries_broken_links_and_old_reviews(tmp_path):
    from bot.editing.digest import build_digest, render_digest
    from bot.editing.links import LinkCache, LinkResult

    content_dir = quiet_content(tmp_path)
    entry = content_dir / "regions/miselerland/entries/misel-language-cafe.yaml"
    entry.write_text(
        entry.read_text("utf-8").replace("reviewed: 2026-11-16", "reviewed: 2024-01-02")
        + "valid_until: 2026-12-01\n",
        encoding="utf-8",
    )
    content = Snapshot.load(content_dir).content
    storage = await Storage.open(tmp_path / "db.sqlite3")
    try:
        cache = LinkCache(None)
        url = "https://example.lu/gone"  # not in the content: not listed
        cache.results[url] = LinkResult(url, "broken", 404, "HTTP 404", None, 1.0)
        today = dt.date(2026, 11, 23)
        digest = await build_digest(
            content, "miselerland", storage, storage.feedback, today, cache, content_dir
        )
        assert [e for _, e in digest.expiring] == ["misel-language-cafe"]
        assert [s.entry_id for s in digest.stale] == ["misel-language-cafe"]
        assert digest.broken == [] and not digest.wrong and not digest.questions
        text = render_digest(content, digest, translator("en"))
        assert "Ending soon (valid_until):" in text and "Dec 1, 2026" in text
        assert "Not checked for more than 12 months:" in text
        assert "Broken links" not in text and "Reported as wrong" not in text
        german = render_digest(content, digest, translator("de"))
        assert "Wochenübersicht" in german and "01.12.2026" in german
    finally:
        await storage.close()


@given(st.lists(st.text(max_size=400), min_size=1, max_size=30))
def test_any_comments_make_valid_telegram_html_within_the_limit(snapshot, comments):
    from bot.devtools.telegram_html import parse_html, utf16_len
    from bot.storage.feedback import EntryFeedback
    from bot.views.feedback import feedback_report
    from bot.views.html import split_html

    content = snapshot.content
    items = [
        EntryFeedback(ENTRY, {"hours": len(comments)},
                      tuple(("hours", "ar", scrub(c), 1_790_000_000) for c in comments)),
        EntryFeedback("gone-entry", {"other": 1}, (("other", "en", scrub(comments[0]), 0),)),
    ]  # fmt: skip
    for lang in ("en", "ar"):
        text = feedback_report(content, items, translator(lang), 30)
        for part in split_html(text):
            assert utf16_len(parse_html(part)) <= 4096


async def test_an_editor_who_blocked_the_bot_does_not_stop_the_digest_for_others(box):
    box.api.blocked.add(EDITOR)  # the first in the staff file
    await report_wrong_hours(box, OTHER, "closed on Mondays now")
    sent = await send_due_digests(box.application, NOW)
    assert sent["miselerland"] >= 1
    assert "closed on Mondays now" in "\n".join(sent_to(box, ADMIN))
    assert await service_of(box.application.bot_data).store.digest_sent("miselerland", "2026-W48")

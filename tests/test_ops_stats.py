"""Usage counts for the council: what is counted, what is stored, and that small
numbers never show (newcomer-bot stats, /stats)."""

from __future__ import annotations

import collections
import csv
import datetime as dt
import io
import json
import sqlite3
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.i18n import translator
from bot.ops import usage
from bot.storage.stats import Key
from tests.conftest import (
    NOW,
    ROOT,
    last_keyboard,
    last_message_id,
    last_text,
    onboard,
    staffed_sandbox,
)

ADMIN, EDITOR = 1001, 1003
STAFF_YAML = f"""\
staff:
  - user_id: {ADMIN}
    role: admin
  - user_id: {EDITOR}
    role: editor
"""
TODAY = NOW.date().isoformat()  # 10:00 in Luxembourg: the same date there


@pytest.fixture
async def box(snapshot, tmp_path):
    sandbox = await staffed_sandbox(snapshot, tmp_path, STAFF_YAML)
    try:
        yield sandbox
    finally:
        await sandbox.close()


LAST_MONTH_DAY = "2026-10-15"  # NOW is in November 2026: October is the last month that is over


async def move_to_last_month(box) -> None:
    """What was counted so far, moved into October: /stats shows only months that are over."""
    await box.application.bot_data.stats.flush()
    await box.storage.connection.write("UPDATE usage_counts SET day = ?", (LAST_MONTH_DAY,))


async def settle(box, user_id: int, lang: str, municipality: str) -> int:
    """/start and a municipality tap; returns the menu's message id."""
    return last_message_id(await onboard(box, user_id, lang, municipality))


async def open_a_card(box, user_id: int, menu: int) -> None:
    calls = await box.tap(user_id, "cat:counselling:0", menu)
    entry = next(d for d in last_keyboard(calls).values() if d.startswith(("e:", "ec:")))
    await box.tap(user_id, entry, last_message_id(calls))


def stored(path) -> list[tuple]:
    with sqlite3.connect(path) as db:
        return db.execute("SELECT * FROM usage_counts ORDER BY event, language").fetchall()


@pytest.fixture
def storage_path(tmp_path):
    return tmp_path / "bot.sqlite3"


async def test_counts_are_per_day_municipality_category_language_and_nothing_else(
    box, storage_path
):
    menu = await settle(box, 9100001, "uk", "remich")
    await open_a_card(box, 9100001, menu)
    await box.text(9100001, "курси мови")
    await box.text(9100001, "qqqzzz xylophon")
    await box.application.bot_data.stats.flush()
    rows = stored(storage_path)
    with sqlite3.connect(storage_path) as db:
        columns = [c[1] for c in db.execute("PRAGMA table_info(usage_counts)")]
    assert columns == ["day", "municipality", "category", "language", "event", "count"]
    assert (TODAY, "", "", "uk", "start", 1) in rows  # no municipality yet at /start
    assert (TODAY, "remich", "counselling", "uk", "card", 1) in rows
    assert (TODAY, "remich", "", "uk", "search", 2) in rows
    assert (TODAY, "remich", "", "uk", "not_found", 1) in rows
    # One person, counted once per day, municipality and language however much they do.
    assert (TODAY, "", "", "uk", "person", 1) in rows
    assert (TODAY, "remich", "", "uk", "person", 1) in rows
    dump = repr(rows)
    assert "9100001" not in dump and "xylophon" not in dump and "курси" not in dump


async def test_a_lone_speaker_never_shows_in_reports(box, storage_path):
    for n in range(6):  # six Ukrainian speakers in Remich
        await box.text(9200000 + n, "/start", language_code="uk")
    await box.text(9300000, "/start", language_code="ti")  # one Tigrinya speaker
    await box.application.bot_data.stats.flush()
    first = last = NOW.date()
    rows = await usage.report(box.application.bot_data.stats.store, first, last)
    assert [(r["language"], r["starts"], r["people"]) for r in rows] == [("uk", 6, 6)]
    assert rows[0]["searches"] is None  # 0 is below 5 too: hidden, not "0"
    text = usage.to_csv(rows)
    assert "ti" not in {r["language"] for r in csv.DictReader(io.StringIO(text))}
    assert "<5" in text

    # /stats for an admin: only a month that is over, November is not
    calls = await box.text(ADMIN, "/stats 2026-11", language_code="en")
    assert "not over yet" in last_text(calls) and "Ukrainian" not in last_text(calls)
    calls = await box.text(ADMIN, "/stats 7", language_code="en")
    assert "/stats 2026-10" in last_text(calls), "how to use it, with last month"
    # the same rows as last month's; for an editor: an unknown command
    await move_to_last_month(box)
    calls = await box.text(ADMIN, "/stats", language_code="en")
    reply = last_text(calls)
    assert "October 1, 2026" in reply and "October 31, 2026" in reply
    assert "No municipality chosen yet · Ukrainian" in reply
    assert "People per day, added up: 6" in reply and "Started the bot: 6" in reply
    assert "Questions asked: fewer than 5" in reply
    assert "Tigrinya" not in reply
    calls = await box.text(EDITOR, "/stats")
    assert "Usage" not in last_text(calls)


async def test_stats_are_in_the_admins_language_with_its_digits(box):
    for n in range(6):
        await settle(box, 9400000 + n, "ar", "remich")
    await move_to_last_month(box)
    calls = await box.text(ADMIN, "/stats 2026-10", language_code="fa")
    reply = last_text(calls)
    assert reply.startswith("\u200f"), "a right-to-left message starts with RLM"
    started = translator("fa")._("Started the bot")
    assert f"{started}: ۶" in reply, "six starts, in Persian digits"
    assert "Started the bot" not in reply and "Remich" not in reply
    assert "عربی" in reply, "Arabic, named in Persian"


async def test_the_stats_command_line_prints_csv_and_json(box, storage_path):
    for n in range(5):
        menu = await settle(box, 9400000 + n, "ar", "remich")
        await open_a_card(box, 9400000 + n, menu)
    await box.application.bot_data.stats.flush()  # the bot runs on; WAL lets others read

    def cli(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "bot", "stats", "--database", str(storage_path), *args],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )

    done = cli("--from", TODAY, "--to", TODAY)
    assert done.returncode == 0, done.stderr
    table = list(csv.DictReader(io.StringIO(done.stdout)))
    assert {"day": TODAY, "municipality": "remich", "category": "counselling"}.items() <= (
        table[-1].items()
    )
    assert table[-1]["cards_opened"] == "5" and table[-1]["handoffs"] == "<5"
    done = cli("--from", TODAY, "--to", TODAY, "--format", "json", "--by", "month")
    report = json.loads(done.stdout)
    assert report["suppressed_below"] == 5
    assert {r["day"] for r in report["rows"]} == {TODAY[:7]}
    assert cli("--from", "yesterday").returncode == 2
    assert cli("--from", TODAY, "--to", "2020-01-01").returncode == 2
    missing = subprocess.run(
        [sys.executable, "-m", "bot", "stats", "--database", str(storage_path) + ".nothing"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert missing.returncode == 1 and "no database" in missing.stderr


async def test_a_failed_write_keeps_the_counts_for_the_next_try(box, storage_path):
    stats = box.application.bot_data.stats
    await box.text(9500001, "/start", language_code="de")
    holder = getattr(box.storage, "connection", box.storage)
    await holder.db.execute("PRAGMA query_only = ON")  # the database refuses writes
    with pytest.raises(sqlite3.Error):
        await stats.flush()
    await usage.flush_job(box.application)  # the job logs and carries on
    await holder.db.execute("PRAGMA query_only = OFF")
    await stats.flush()
    assert (TODAY, "", "", "de", "start", 1) in stored(storage_path)


@given(
    st.lists(
        st.fixed_dictionaries(
            {
                "day": st.just("2026-11-23"),
                "municipality": st.sampled_from(["remich", "mertert", ""]),
                "category": st.just(""),
                "language": st.sampled_from(["ti", "uk", "ar"]),
                **{c: st.integers(0, 12) for c in usage.COLUMNS},
            }
        )
    )
)
def test_no_number_below_five_is_ever_reported(rows):
    for row in usage.suppress(rows):
        values = [row[c] for c in usage.COLUMNS]
        assert all(v is None or v >= usage.MIN_CELL for v in values)
        assert any(v is not None for v in values)
    shown = usage.to_csv(usage.suppress(rows))
    for line in shown.splitlines()[1:]:
        for cell in line.split(",")[4:]:
            assert cell == "<5" or int(cell) >= 5


def test_unknown_events_are_a_programming_error():
    counter = usage.UsageCounter(store=None, today=lambda m: dt.date(2026, 1, 1))
    with pytest.raises(ValueError):
        counter.count("clicks", language="de")


def test_people_are_counted_once_a_day_and_again_the_next_day():
    days = iter([dt.date(2026, 11, 30)] * 4 + [dt.date(2026, 12, 1)] * 2)
    counter = usage.UsageCounter(store=None, today=lambda municipality: next(days))
    for _ in range(3):
        counter.count("card", language="ar", municipality="remich", user_id=987654321)
    counter.count("card", language="ar", municipality="remich", user_id=8)
    counter.count("card", language="ar", municipality="remich", user_id=987654321)  # next day
    counter.count("start", language="ar", municipality="remich")  # no id given: no person
    people = {key.day: n for key, n in counter.pending.items() if key.event == "person"}
    assert people == {dt.date(2026, 11, 30): 2, dt.date(2026, 12, 1): 1}
    # Nothing that could name them is kept: only salted tokens, and the counts.
    assert "987654321" not in repr(counter.pending) + repr(counter._people)


async def test_one_person_on_five_days_never_shows_as_five_people(box):
    """People are counted per day; a report over days must not add one person's days
    up into "5 people" (a lone speaker would show)."""
    store = box.application.bot_data.stats.store
    days = [NOW.date() - dt.timedelta(days=n) for n in range(5)]
    await store.add(collections.Counter({Key(d, "remich", "", "ti", "person"): 1 for d in days}))
    six_a_day = {Key(d, "remich", "", "uk", "person"): 6 for d in days}
    await store.add(collections.Counter(six_a_day))
    rows = await usage.report(store, days[-1], days[0], by="period")
    people = {r["language"]: r["people"] for r in rows}
    assert "ti" not in people, "the lone speaker's days are left out, not added up"
    assert people["uk"] == 30, "days with enough people are added up"


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        (None, "2026-10-01", "2026-10-31"),
        ("2026-02", "2026-02-01", "2026-02-28"),
        ("2025-12", "2025-12-01", "2025-12-31"),
    ],
)
def test_only_months_that_are_over(text, first, last):
    today = dt.date(2026, 11, 23)
    assert usage.completed_month(text, today) == (
        dt.date.fromisoformat(first),
        dt.date.fromisoformat(last),
    )


@given(st.text(max_size=12) | st.dates().map(lambda d: d.strftime("%Y-%m")))
def test_any_argument_gives_a_month_that_is_over_or_a_clear_refusal(text):
    today = dt.date(2026, 11, 23)
    try:
        first, last = usage.completed_month(text, today)
    except usage.MonthNotOver:
        assert text.strip() >= "2026-11"
    except ValueError:
        pass  # the usage text is shown
    else:
        assert first.day == 1 and last < today.replace(day=1) and last.month == first.month

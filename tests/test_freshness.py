"""Which entries editors should check again, and which have expired."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from bot.content.load import load_content
from bot.editing.freshness import expired, months_before, stale
from tests.test_coverage import DEMO, edit, run_cli

TODAY = dt.date(2026, 11, 23)
ENTRIES = "regions/miselerland/entries"


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    """A copy of the demo content with a few entries made old, unchecked or expired."""
    target = tmp_path / "content"
    shutil.copytree(DEMO, target, ignore=shutil.ignore_patterns("schema", "README.md"))
    # The demo content has no date on entries nobody compared with their source.
    edit(
        target / ENTRIES / "misel-oscr.yaml",
        "translated_from:",
        "reviewed: 2024-03-01\ntranslated_from:",
    )
    edit(
        target / ENTRIES / "misel-kulturhuef.yaml",
        "translated_from:",
        "reviewed: 2025-06-30\ntranslated_from:",
    )
    edit(
        target / ENTRIES / "misel-walk-and-talk.yaml",
        "translated_from:",
        "reviewed: 2020-01-01\nvalid_until: 2026-09-30\ntranslated_from:",
    )
    return target


def test_stale_lists_unchecked_first_then_oldest(content_dir):
    found = stale(load_content(content_dir), 12, TODAY)
    ids = [s.entry_id for s in found]
    never = [s for s in found if s.reviewed is None]
    assert "misel-reading-hour" in [s.entry_id for s in never]
    assert found[: len(never)] == never, "never-checked entries come first"
    assert ids[len(never) :] == ["misel-oscr", "misel-kulturhuef"], "then the oldest first"
    oscr = found[ids.index("misel-oscr")]
    assert oscr.reviewed == dt.date(2024, 3, 1)
    assert oscr.file == "content/regions/miselerland/entries/misel-oscr.yaml"


def test_expired_entries_are_listed_separately_not_as_stale(content_dir):
    content = load_content(content_dir)
    assert "misel-walk-and-talk" not in [s.entry_id for s in stale(content, 12, TODAY)]
    gone = expired(content, TODAY)
    assert [(e.entry_id, e.valid_until) for e in gone] == [
        ("misel-walk-and-talk", dt.date(2026, 9, 30))
    ]
    # On its last day the offer is still shown, so not expired yet.
    assert expired(content, dt.date(2026, 9, 30)) == []


def test_exactly_n_months_is_still_fresh_one_day_more_is_not(content_dir):
    content = load_content(content_dir)
    assert "misel-kulturhuef" not in [s.entry_id for s in stale(content, 12, dt.date(2026, 6, 30))]
    assert "misel-kulturhuef" in [s.entry_id for s in stale(content, 12, dt.date(2026, 7, 1))]


def test_months_are_calendar_months():
    assert months_before(dt.date(2027, 3, 31), 1) == dt.date(2027, 2, 28)
    assert months_before(dt.date(2028, 3, 31), 1) == dt.date(2028, 2, 29)
    assert months_before(dt.date(2026, 1, 15), 13) == dt.date(2024, 12, 15)


def test_cli_stale_prints_dates_and_files_and_exits_1(content_dir, capsys):
    assert run_cli("stale", str(content_dir), "--months", "12", "--today", "2026-11-23") == 1
    out = capsys.readouterr().out
    assert "never" in out and "misel-reading-hour" in out
    assert "2024-03-01  misel-oscr" in out
    assert "content/regions/miselerland/entries/misel-oscr.yaml" in out
    assert "Expired" in out and "2026-09-30  misel-walk-and-talk" in out
    assert out.index("misel-reading-hour") < out.index("misel-oscr") < out.index("Expired")


def test_cli_stale_on_fresh_content_says_so(tmp_path, capsys):
    target = tmp_path / "content"
    shutil.copytree(DEMO, target, ignore=shutil.ignore_patterns("schema", "README.md"))
    for path in target.glob("**/entries/*.yaml"):
        text = path.read_text("utf-8")
        if "\nreviewed:" not in text:
            path.write_text(text + "reviewed: 2026-11-01\n", "utf-8")
    assert run_cli("stale", str(target), "--months", "1200", "--today", "2026-11-23") == 0
    assert "Every entry was checked in the last 1200 months." in capsys.readouterr().out


def test_cli_stale_rejects_a_bad_month_count(capsys):
    assert run_cli("stale", str(DEMO), "--months", "many") == 2
    assert "not a number of months" in capsys.readouterr().err

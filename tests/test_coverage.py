"""Translation status, stamping and minor edits, on a copy of the demo content."""

from __future__ import annotations

import argparse
import difflib
import json
import re
import shutil
from pathlib import Path

import pytest

from bot.cli import editor as editor_cli
from bot.content.load import load_content
from bot.editing.coverage import (
    RoundTripFile,
    UsageError,
    coverage,
    event_coverage,
    event_status,
    minor_edit,
    stamp,
    status,
)
from tests.conftest import CONTENT as FIXTURE

ROOT = Path(__file__).resolve().parent.parent
DEMO = FIXTURE

KULTURHUEF = "regions/miselerland/entries/misel-kulturhuef.yaml"
FR_TITLE = "  fr: Kulturhuef Grevenmacher – musée, cinéma et bistrot\n"

NEW_ENTRY = """\
# A note for other editors: keep this first line.
id: misel-test-entry
category: activities
scope: region
title:
  fr: Atelier vélo   # the French name on the door
  de: Fahrradwerkstatt
summary:
  fr: On répare son vélo ensemble. Gratuit.
  de: Gemeinsam Fahrräder reparieren. Kostenlos.
# the address was checked by phone
address: 1, rue du Pont, L-5501 Remich
reviewed: 2026-11-20
source: "https://www.remich.lu/"
"""


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    """A private copy of the demo content: tests may edit and stamp it."""
    target = tmp_path / "content"
    shutil.copytree(DEMO, target, ignore=shutil.ignore_patterns("schema", "README.md"))
    return target


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), "utf-8")


def run_cli(*argv: str) -> int:
    """Run an editor command like `newcomer-bot ...` does; returns the exit code."""
    parser = argparse.ArgumentParser(prog="newcomer-bot")
    sub = parser.add_subparsers(dest="command", required=True)
    editor_cli.add_commands(sub)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse's usage errors
        return exc.code
    return args.func(args)


def changed_lines(before: str, after: str) -> list[str]:
    """Lines added or removed, like the +/- lines of `git diff`."""
    return [
        line
        for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


# --------------------------------------------------------------------------- status


def test_every_demo_file_is_written_back_byte_for_byte():
    for path in sorted(DEMO.rglob("*.yaml")):
        assert RoundTripFile(path).dumps() == path.read_bytes(), path


def test_after_stamping_the_demo_every_present_translation_is_complete(content_dir):
    stamp(content_dir)
    content = load_content(content_dir)
    groups = coverage(content)
    assert list(groups) == ["marburg-biedenkopf", "miselerland", "de (national)", "lu (national)"]
    misel = groups["miselerland"]
    assert misel.source_language == "fr"
    assert "fr" not in misel.languages  # the source is not a translation
    for group in groups.values():
        for lang, cells in group.languages.items():
            assert cells["outdated"] == [], (group.name, lang)
            assert len(cells["complete"]) + len(cells["missing"]) == len(group.entry_ids)
    # Every entry is written completely in uk (README, "What must be there").
    assert misel.counts("uk") == {"complete": 18, "outdated": 0, "missing": 0}


def test_changing_the_source_makes_translations_outdated_but_not_missing(content_dir):
    stamp(content_dir)
    edit(content_dir / KULTURHUEF, FR_TITLE, FR_TITLE.replace("bistrot", "café"))
    content = load_content(content_dir)
    assert status(content, "misel-kulturhuef", "de") == "outdated"
    assert status(content, "misel-kulturhuef", "fr") == "source"
    assert status(content, "misel-kulturhuef", "ti") == "missing"
    cells = coverage(content)["miselerland"].languages["de"]
    assert "misel-kulturhuef" in cells["outdated"]
    assert "misel-kulturhuef" not in cells["complete"]


def test_an_unstamped_translation_is_outdated(content_dir):
    (content_dir / "regions/miselerland/entries/misel-test-entry.yaml").write_text(
        NEW_ENTRY, "utf-8"
    )
    content = load_content(content_dir)
    assert status(content, "misel-test-entry", "de") == "outdated"
    assert status(content, "misel-test-entry", "en") == "missing"


# ------------------------------------------------------------------------ stamping


def test_stamp_appends_only_the_hash_lines_and_keeps_comments(content_dir):
    path = content_dir / "regions/miselerland/entries/misel-test-entry.yaml"
    path.write_text(NEW_ENTRY, "utf-8")
    result = stamp(content_dir, ["misel-test-entry"])
    assert result.stamped == {"misel-test-entry": ["de"]}
    digest = load_content(content_dir).entries["misel-test-entry"].text_hash("fr")
    after = path.read_text("utf-8")
    assert after == NEW_ENTRY + f'translated_from:\n  de: "{digest}"\nsource_hash: "{digest}"\n'


def test_restamping_after_a_source_change_touches_only_hash_lines(content_dir):
    stamp(content_dir)
    path = content_dir / KULTURHUEF
    edit(path, FR_TITLE, FR_TITLE.replace("bistrot", "café"))
    before = path.read_text("utf-8")
    stamp(content_dir, ["misel-kulturhuef"])
    after = path.read_text("utf-8")
    diff = changed_lines(before, after)
    assert diff, "the hashes should have changed"
    new_hash = load_content(content_dir).entries["misel-kulturhuef"].text_hash("fr")
    for line in diff:
        assert re.fullmatch(r'[+-](  [a-z]{2}|source_hash): "[0-9a-f]{8}"', line), line
    assert all(new_hash in line for line in diff if line.startswith("+"))
    assert status(load_content(content_dir), "misel-kulturhuef", "de") == "complete"


def test_stamping_twice_writes_nothing_the_second_time(content_dir):
    stamp(content_dir)
    snapshot = {p: p.read_bytes() for p in content_dir.rglob("*.yaml")}
    result = stamp(content_dir)
    assert result.files == []
    assert {p: p.read_bytes() for p in content_dir.rglob("*.yaml")} == snapshot


def test_stamp_one_language_leaves_the_others_outdated(content_dir):
    stamp(content_dir)
    edit(content_dir / KULTURHUEF, FR_TITLE, FR_TITLE.replace("bistrot", "café"))
    result = stamp(content_dir, ["misel-kulturhuef"], ["uk", "ti"])
    assert result.stamped == {"misel-kulturhuef": ["uk"]}
    assert result.skipped == {"misel-kulturhuef": ["ti"]}
    content = load_content(content_dir)
    assert status(content, "misel-kulturhuef", "uk") == "complete"
    assert status(content, "misel-kulturhuef", "de") == "outdated"


def test_stamp_rejects_an_unknown_entry(content_dir):
    with pytest.raises(UsageError, match="no-such-entry"):
        stamp(content_dir, ["no-such-entry"])


# ---------------------------------------------------------------------- minor edit


def test_minor_edit_keeps_up_to_date_translations_and_outdated_ones_outdated(content_dir):
    stamp(content_dir)
    # German becomes outdated by a real change that is then translated into uk only...
    edit(content_dir / KULTURHUEF, FR_TITLE, FR_TITLE.replace("bistrot", "café"))
    stamp(content_dir, ["misel-kulturhuef"], ["uk", "en"])
    # ...then an editor fixes a typo in the French summary.
    edit(content_dir / KULTURHUEF, "Un lieu culturel au bord", "Un lieu culturel, au bord")
    result = minor_edit(content_dir, "misel-kulturhuef")
    assert sorted(result.moved) == ["en", "uk"]
    assert "de" in result.outdated
    content = load_content(content_dir)
    assert status(content, "misel-kulturhuef", "uk") == "complete"
    assert status(content, "misel-kulturhuef", "en") == "complete"
    assert status(content, "misel-kulturhuef", "de") == "outdated"
    assert content.entries["misel-kulturhuef"].source_hash == result.new_hash


def test_minor_edit_without_any_stamp_cannot_know_and_says_so(content_dir, capsys):
    (content_dir / "regions/miselerland/entries/misel-test-entry.yaml").write_text(
        NEW_ENTRY, "utf-8"
    )
    assert run_cli("minor-edit", "misel-test-entry", str(content_dir)) == 1
    assert "stamp --entry misel-test-entry" in capsys.readouterr().err
    assert status(load_content(content_dir), "misel-test-entry", "de") == "outdated"


def test_minor_edit_with_an_unchanged_source_changes_no_file(content_dir):
    stamp(content_dir)
    before = (content_dir / KULTURHUEF).read_bytes()
    result = minor_edit(content_dir, "misel-kulturhuef")
    assert result.unchanged
    assert (content_dir / KULTURHUEF).read_bytes() == before


# ----------------------------------------------------------------------------- CLI


def test_cli_coverage_table_has_a_row_per_language_with_three_counts(content_dir, capsys):
    stamp(content_dir)
    assert run_cli("coverage", str(content_dir)) == 0
    out = capsys.readouterr().out
    assert "miselerland — 18 entries, source language fr (French)" in out
    assert "lu (national)" in out
    assert re.search(r"^  language\s+complete\s+outdated\s+missing$", out, re.MULTILINE)
    assert re.search(r"^  uk Ukrainian\s+18\s+0\s+0$", out, re.MULTILINE)


def test_cli_coverage_details_and_json(content_dir, capsys):
    stamp(content_dir)
    edit(content_dir / KULTURHUEF, FR_TITLE, FR_TITLE.replace("bistrot", "café"))
    assert run_cli("coverage", "--details", str(content_dir)) == 0
    assert re.search(r"outdated:\s+misel-kulturhuef", capsys.readouterr().out)
    assert run_cli("coverage", "--format", "json", str(content_dir)) == 0
    data = json.loads(capsys.readouterr().out)
    misel = next(g for g in data["groups"] if g["name"] == "miselerland")
    assert misel["languages"]["de"]["outdated"] == ["misel-kulturhuef"]
    assert misel["counts"]["de"]["outdated"] == 1


def test_cli_on_broken_content_prints_file_and_line_and_exits_1(content_dir, capsys):
    edit(content_dir / KULTURHUEF, "cost: free", "cots: free")
    assert run_cli("coverage", str(content_dir)) == 1
    assert run_cli("stamp", str(content_dir)) == 1
    err = capsys.readouterr().err
    assert "content/regions/miselerland/entries/misel-kulturhuef.yaml:" in err
    assert "unknown key 'cots'" in err
    assert "Traceback" not in err


def test_cli_stamp_unknown_entry_is_a_usage_error(content_dir, capsys):
    assert run_cli("stamp", "--entry", "nope", str(content_dir)) == 2
    assert "unknown entry id: nope" in capsys.readouterr().err


# -------------------------------------------------------------------------- events

NEW_EVENT = """\
id: misel-ev-test-walk
category: activities
scope: region
example: true
title:
  fr: Promenade du dimanche
  de: Sonntagsspaziergang
  en: Sunday walk
summary:
  fr: On marche ensemble au bord de la Moselle.
  en: A walk together along the Moselle.
start: "2026-12-06 10:00"
"""


def test_an_event_missing_a_language_is_counted_as_missing(content_dir, capsys):
    before = event_coverage(load_content(content_dir))["miselerland"]
    (content_dir / "regions/miselerland/events/misel-ev-test-walk.yaml").write_text(
        NEW_EVENT, "utf-8"
    )
    content = load_content(content_dir)
    assert event_status(content, "misel-ev-test-walk", "fr") == "translated"
    assert event_status(content, "misel-ev-test-walk", "en") == "translated"
    # A German title without a German summary is not a German event yet.
    assert event_status(content, "misel-ev-test-walk", "de") == "missing"
    assert event_status(content, "misel-ev-test-walk", "uk") == "missing"
    after = event_coverage(content)["miselerland"]
    assert len(after.event_ids) == len(before.event_ids) + 1
    for lang, more in (("de", 1), ("uk", 1), ("fr", 0), ("en", 0)):
        assert after.counts(lang)["missing"] == before.counts(lang)["missing"] + more, lang
    assert "misel-ev-test-walk" in after.languages["de"]["missing"]

    assert run_cli("coverage", "--details", str(content_dir)) == 0
    out = capsys.readouterr().out
    assert f"events in miselerland — {len(after.event_ids)} events" in out
    assert re.search(r"^  language\s+translated\s+missing$", out, re.MULTILINE)
    de = after.counts("de")
    assert re.search(rf"^  de German\s+{de['translated']}\s+{de['missing']}$", out, re.MULTILINE)
    assert re.search(r"missing:\s+.*misel-ev-test-walk", out)
    assert "events in lu (national) — 1 event\n" in out


def test_an_event_without_any_summary_needs_only_its_title(content_dir):
    text = NEW_EVENT.split("summary:")[0] + 'start: "2026-12-06 10:00"\n'
    (content_dir / "regions/miselerland/events/misel-ev-test-walk.yaml").write_text(text, "utf-8")
    content = load_content(content_dir)
    assert event_status(content, "misel-ev-test-walk", "de") == "translated"
    assert event_status(content, "misel-ev-test-walk", "ar") == "missing"


def test_cli_coverage_json_keeps_the_entry_groups_and_adds_the_events(content_dir, capsys):
    assert run_cli("coverage", "--format", "json", str(content_dir)) == 0
    data = json.loads(capsys.readouterr().out)
    assert [g["name"] for g in data["groups"]] == [
        "marburg-biedenkopf",
        "miselerland",
        "de (national)",
        "lu (national)",
    ]
    assert set(data["groups"][0]) == {"name", "source_language", "entries", "counts", "languages"}
    events = {g["name"]: g for g in data["events"]}
    assert list(events) == ["marburg-biedenkopf", "miselerland", "lu (national)"]
    misel = events["miselerland"]
    assert misel["events"] == len(list((content_dir / "regions/miselerland/events").iterdir()))
    for lang, counts in misel["counts"].items():
        assert counts["translated"] + counts["missing"] == misel["events"], lang
        assert counts["missing"] == len(misel["languages"][lang]["missing"])

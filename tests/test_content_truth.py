"""Content you can stand behind: real entries name their source, examples point
at no real place, and "last checked" is only shown when it means something.

Each test writes a small content folder (one region, one commune, the entries it
needs) to ``tmp_path`` and looks at what an editor or a newcomer would see: the
``file:line: message`` lines of ``validate``, the card, the ``stale`` list.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.content.load import ContentInvalid, load_content
from bot.content.model import EXAMPLE_FORBIDDEN_FIELDS, Entry
from bot.content.snapshot import Snapshot
from bot.devtools.terminal import preview
from bot.editing.freshness import stale
from tests.test_coverage import run_cli

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "content"
ENTRIES = "regions/testland/entries"
NOW = dt.datetime(2026, 11, 30, 10, 0, tzinfo=dt.UTC)

REGION = """\
id: testland
country: lu
default_language: fr
name:
  fr: Testland
  en: Testland
municipalities:
  - id: remich
    name:
      fr: Remich
    geo: {lat: 49.545, lon: 6.367}
"""

REAL = """\
id: {id}
category: counselling
scope: [remich]
title:
  fr: Office social
  en: Social office
summary:
  fr: Un office qui aide les personnes en difficulté.
  en: An office that helps people in need.
"""

EXAMPLE = REAL + "example: true\n"

#: One line per forbidden field, as an editor would write it in an example.
FORBIDDEN_LINES = {
    "address": "address: 1, place du Marché, L-5555 Remich",
    "geo": "geo: {lat: 49.545, lon: 6.367}",
    "phone": 'phone: "+352 23 69 11"',
    "email": "email: info@example.lu",
    "website": 'website: "https://www.remich.lu/"',
    "opening_hours": 'opening_hours: "We 18:30-20:00"',
}


def write_content(tmp_path: Path, entries: dict[str, str]) -> Path:
    """A content folder with the real categories, Luxembourg, one small region and ``entries``."""
    root = tmp_path / "content"
    (root / "countries" / "lu").mkdir(parents=True)
    shutil.copy(DEMO / "categories.yaml", root / "categories.yaml")
    shutil.copy(DEMO / "countries" / "lu" / "country.yaml", root / "countries" / "lu")
    (root / ENTRIES).mkdir(parents=True)
    (root / "regions" / "testland" / "region.yaml").write_text(REGION, "utf-8")
    for entry_id, text in entries.items():
        (root / ENTRIES / f"{entry_id}.yaml").write_text(text, "utf-8")
    return root


def problems(root: Path) -> list[str]:
    try:
        load_content(root)
    except ContentInvalid as exc:
        return [str(p) for p in exc.problems]
    return []


# ---------------------------------------------------------------- source required


def test_a_real_entry_without_source_is_refused_with_a_fix(tmp_path):
    root = write_content(tmp_path, {"t-office": REAL.format(id="t-office")})

    [problem] = problems(root)
    assert problem.startswith(
        f"content/{ENTRIES}/t-office.yaml:1: source is missing — every real entry needs the "
        "web page where its facts can be checked"
    )
    assert 'source: "https://' in problem, "the message shows the line to write"
    assert "example: true" in problem, "and the way out for a mere illustration"


def test_validate_command_prints_the_missing_source_and_fails(tmp_path):
    root = write_content(tmp_path, {"t-office": REAL.format(id="t-office")})

    result = subprocess.run(
        [sys.executable, "-m", "bot", "validate", str(root)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert result.returncode == 1
    assert "t-office.yaml:1: source is missing" in result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def test_a_source_must_be_https(tmp_path):
    text = REAL.format(id="t-office") + 'source: "http://www.remich.lu/"\n'
    root = write_content(tmp_path, {"t-office": text})

    assert problems(root) == [
        f"content/{ENTRIES}/t-office.yaml:10: source: 'http://www.remich.lu/' — write the "
        "secure address starting with https://: 'https://www.remich.lu/' (check in your "
        "browser that it opens)"
    ]


def test_a_real_entry_with_source_but_no_reviewed_date_loads(tmp_path):
    text = REAL.format(id="t-office") + 'source: "https://www.remich.lu/"\n'
    content = load_content(write_content(tmp_path, {"t-office": text}))

    assert content.entries["t-office"].source == "https://www.remich.lu/"
    assert content.entries["t-office"].reviewed is None


def test_an_example_needs_no_source(tmp_path):
    content = load_content(write_content(tmp_path, {"t-cafe": EXAMPLE.format(id="t-cafe")}))

    assert content.entries["t-cafe"].example


# ------------------------------------------------ examples point at no real place


@pytest.mark.parametrize("field", sorted(EXAMPLE_FORBIDDEN_FIELDS))
def test_an_example_with_a_real_world_detail_is_refused_on_that_line(tmp_path, field):
    text = EXAMPLE.format(id="t-cafe") + FORBIDDEN_LINES[field] + "\n"
    root = write_content(tmp_path, {"t-cafe": text})

    [problem] = problems(root)
    assert problem.startswith(
        f"content/{ENTRIES}/t-cafe.yaml:11: {field}: an example entry (example: true) must "
        f"not have {EXAMPLE_FORBIDDEN_FIELDS[field]} — delete the line"
    )


def test_the_same_details_are_fine_on_a_real_entry(tmp_path):
    text = (
        REAL.format(id="t-office")
        + "\n".join(FORBIDDEN_LINES.values())
        + '\nsource: "https://www.remich.lu/"\n'
    )
    content = load_content(write_content(tmp_path, {"t-office": text}))

    assert content.entries["t-office"].geo is not None


_BASE = {
    "id": "t-cafe",
    "category": "activities",
    "example": True,
    "title": {"fr": "Café"},
    "summary": {"fr": "Un café."},
}
_VALUES = {
    "address": "1, place du Marché, L-5555 Remich",
    "geo": {"lat": 49.545, "lon": 6.367},
    "phone": "+352 23 69 11",
    "email": "info@example.lu",
    "website": "https://www.remich.lu/",
    "opening_hours": "We 18:30-20:00",
}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sets(st.sampled_from(sorted(EXAMPLE_FORBIDDEN_FIELDS))))
def test_every_forbidden_detail_of_an_example_is_reported_and_nothing_else(fields):
    data = {**_BASE, **{field: _VALUES[field] for field in fields}}
    try:
        Entry.model_validate(data)
    except Exception as exc:  # pydantic's ValidationError
        reported = {error["loc"][0] for error in exc.errors()}  # type: ignore[attr-defined]
    else:
        reported = set()
    assert reported == fields


# ------------------------------------------------------------------ last checked


def card(root: Path, entry_id: str) -> str:
    return preview(Snapshot.load(root), entry_id, "en", "remich", now=NOW)


def test_the_card_shows_last_checked_with_source_and_reviewed(tmp_path):
    text = REAL.format(id="t-office") + 'source: "https://www.remich.lu/"\nreviewed: 2026-11-30\n'
    root = write_content(tmp_path, {"t-office": text})

    assert "Last checked: November 30, 2026" in card(root, "t-office")


def test_the_card_shows_no_last_checked_without_a_reviewed_date(tmp_path):
    text = REAL.format(id="t-office") + 'source: "https://www.remich.lu/"\n'
    root = write_content(tmp_path, {"t-office": text})

    assert "Last checked" not in card(root, "t-office")


def test_an_example_with_a_reviewed_date_shows_no_last_checked(tmp_path):
    text = EXAMPLE.format(id="t-cafe") + "reviewed: 2026-11-30\n"
    root = write_content(tmp_path, {"t-cafe": text})

    shown = card(root, "t-cafe")
    assert "Example data" in shown
    assert "Last checked" not in shown, "a date without a source proves nothing"


# ------------------------------------------------------------------------- stale


def test_stale_names_real_entries_without_source(tmp_path, capsys):
    sourced = REAL.format(id="t-fine") + 'source: "https://www.remich.lu/"\nreviewed: 2026-11-30\n'
    root = write_content(tmp_path, {"t-office": REAL.format(id="t-office"), "t-fine": sourced})

    assert run_cli("stale", str(root), "--months", "12", "--today", "2026-11-30") == 1
    captured = capsys.readouterr()
    assert "Real entries without `source`" in captured.out
    [line] = [line for line in captured.out.splitlines() if "t-office" in line]
    assert line.split() == ["no", "source", f"content/{ENTRIES}/t-office.yaml"]
    assert "t-fine" not in captured.out
    assert "t-office.yaml:1: source is missing" in captured.err, "the problem list follows"


def test_stale_lists_sourced_entries_never_reviewed_but_not_checked_ones(tmp_path, capsys):
    never = REAL.format(id="t-never") + 'source: "https://www.remich.lu/"\n'
    fresh = REAL.format(id="t-fresh") + 'source: "https://www.remich.lu/"\nreviewed: 2026-11-30\n'
    root = write_content(tmp_path, {"t-never": never, "t-fresh": fresh})

    found = stale(load_content(root), 12, dt.date(2026, 12, 1))
    assert [(s.entry_id, s.reviewed, s.unsourced) for s in found] == [("t-never", None, False)]
    assert run_cli("stale", str(root), "--months", "12", "--today", "2026-12-01") == 1
    out = capsys.readouterr().out
    assert "never" in out and "t-never" in out and "t-fresh" not in out

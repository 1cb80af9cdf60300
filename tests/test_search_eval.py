"""Search quality on realistic newcomer questions (tests/search_eval.yaml).

A question is answered well when one of the expected entries, or an entry of
the expected category, is among the first three results: that is what fits on
a phone screen without scrolling. ``bench/search_eval_report.py`` prints the
same evaluation per language, with the misses.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
import time
from pathlib import Path

import pytest
import yaml

from bot.content.load import load_content
from bot.search.index import SearchIndex
from tests.conftest import CONTENT as FIXTURE

ROOT = Path(__file__).resolve().parent.parent
EVAL_FILE = Path(__file__).parent / "search_eval.yaml"
#: Monday 23 November 2026, the date the other tests use.
TODAY = dt.date(2026, 11, 23)
TOP = 3
MIN_HIT_RATE = 0.90
MAX_QUERY_MS = 20.0


@dataclasses.dataclass(frozen=True)
class Outcome:
    """One evaluated question: the item from the YAML file, the top result ids,
    whether it is a hit, and the query time in milliseconds."""

    item: dict
    top: list[str]
    hit: bool
    ms: float


def load_items(path: Path = EVAL_FILE) -> list[dict]:
    """The questions of the evaluation file, as dicts (q, lang, municipality, expect/category)."""
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def evaluate(index: SearchIndex, items: list[dict], today: dt.date = TODAY) -> list[Outcome]:
    """Run every question once to warm caches, then time it with perf_counter.

    Each query's time is the best of three runs: a garbage-collector pause or a
    scheduler hiccup caused by the rest of the test process is not the query's
    cost (the benchmark, bench/search.py, reports the full distribution).
    """
    for item in items:
        index.search(item["q"], item["lang"], item["municipality"], today, limit=TOP)
    gc.collect()
    outcomes = []
    for item in items:
        timings = []
        for _ in range(3):
            start = time.perf_counter()
            result = index.search(item["q"], item["lang"], item["municipality"], today, limit=TOP)
            timings.append(time.perf_counter() - start)
        ms = min(timings) * 1000
        top = [hit.entry_id for hit in result.hits[:TOP]]
        if "expect" in item:
            hit = any(entry_id in item["expect"] for entry_id in top)
        else:
            entries = index.content.entries
            hit = any(entries[entry_id].category == item["category"] for entry_id in top)
        outcomes.append(Outcome(item, top, hit, ms))
    return outcomes


@pytest.fixture(scope="module")
def outcomes() -> list[Outcome]:
    content = load_content(FIXTURE)
    return evaluate(SearchIndex(content), load_items())


def test_eval_file_is_valid_against_the_demo_content() -> None:
    content = load_content(FIXTURE)
    items = load_items()
    assert len(items) >= 150
    assert len({item["lang"] for item in items}) >= 9
    for item in items:
        assert item["municipality"] in content.places, item
        assert "expect" in item or "category" in item, item
        for entry_id in item.get("expect", []):
            assert entry_id in content.entries, item
            # An expected entry the user's municipality cannot see would be a
            # question no search could answer — unless the question names the
            # place it is in.
        if "category" in item:
            assert item["category"] in content.categories, item


def test_top3_hit_rate_is_at_least_90_percent(outcomes: list[Outcome]) -> None:
    misses = [f"{o.item['lang']}: {o.item['q']!r} → {o.top}" for o in outcomes if not o.hit]
    rate = 1 - len(misses) / len(outcomes)
    assert rate >= MIN_HIT_RATE, f"hit rate {rate:.1%}; misses:\n" + "\n".join(misses)


def test_no_query_takes_longer_than_20_ms(outcomes: list[Outcome]) -> None:
    slow = [(round(o.ms, 1), o.item["q"]) for o in outcomes if o.ms > MAX_QUERY_MS]
    assert not slow, f"queries over {MAX_QUERY_MS} ms: {slow}"

"""Free-text search over the demo content, as a newcomer would use it."""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib.util
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.content.load import load_content
from bot.content.store import Content
from bot.search.index import SearchIndex
from tests.conftest import CONTENT as FIXTURE

ROOT = Path(__file__).parent.parent
CONTENT = load_content(FIXTURE)
INDEX = SearchIndex(CONTENT)
TODAY = dt.date(2026, 11, 23)


def search(query: str, lang: str = "en", municipality: str = "remich", **kwargs):
    return INDEX.search(query, lang, municipality, TODAY, **kwargs)


def top(query: str, lang: str = "en", municipality: str = "remich", n: int = 3) -> list[str]:
    return [hit.entry_id for hit in search(query, lang, municipality).hits[:n]]


@pytest.mark.parametrize(
    ("query", "lang", "municipality", "entry"),
    [
        ("where can I learn German", "en", "marburg", "de-integrationskurs"),
        ("أين أتعلم اللغة الألمانية", "ar", "marburg", "mb-vhs-marburg"),
        ("Ausländerbehörde", "uk", "marburg", "mb-auslaenderbehoerde-marburg"),
        ("auslander behorde", "ar", "kirchhain", "mb-auslaenderbehoerde-kreis"),
        ("phamracy", "en", "remich", "lu-pharmacy-on-duty"),
        ("kurs nimetskoi", "uk", "marburg", "mb-vhs-marburg"),
        ("almanca kursu", "tr", "stadtallendorf", "de-integrationskurs"),
        ("sozialamt", "fa", "betzdorf", "misel-centrest"),
    ],
)
def test_typical_questions_find_the_right_entry_first(
    query: str, lang: str, municipality: str, entry: str
) -> None:
    assert top(query, lang, municipality, n=1) == [entry]


def test_hits_are_only_entries_the_municipality_sees() -> None:
    queries = ["course", "Deutschkurs", "pharmacy", "football", "police", "طبيب", "квартира"]
    for mid in CONTENT.places:
        visible = {e.id: rank for rank, e in CONTENT.ranked_entries(mid, TODAY)}
        for query in queries:
            result = search(query, municipality=mid, limit=100)
            assert result.municipality_id == mid
            for hit in result.hits:
                assert hit.entry_id in visible, (mid, query, hit)
                assert hit.scope_rank == visible[hit.entry_id]


def test_results_are_best_first() -> None:
    result = search("social office", limit=100)
    keys = [(-hit.score, hit.scope_rank) for hit in result.hits]
    assert keys == sorted(keys)


def test_the_users_own_municipality_wins_a_tie() -> None:
    # A region-wide entry with the very same texts as Remich's own social office.
    own = CONTENT.entries["misel-oscr"]
    twin = _with(
        CONTENT,
        "misel-social-help",
        title=own.title,
        summary=own.summary,
        body=own.body,
        keywords=own.keywords,
        category=own.category,
    )
    hits = SearchIndex(twin).search("OSCR social office", "en", "remich", TODAY).hits
    assert [h.entry_id for h in hits[:2]] == ["misel-oscr", "misel-social-help"]
    assert [h.scope_rank for h in hits[:2]] == [0, 1]


def test_a_question_naming_another_municipality_searches_there() -> None:
    result = search("football in Mertert", municipality="remich")
    assert result.other_place is True
    assert result.municipality_id == "mertert"
    assert result.hits[0].entry_id == "misel-football-for-all"
    # Naming one's own municipality is no detour.
    own = search("social office Remich", municipality="remich")
    assert own.other_place is False
    assert own.municipality_id == "remich"
    assert own.hits[0].entry_id == "misel-oscr"


def test_the_users_language_is_reported_as_matched() -> None:
    hit = search("поліція", lang="uk", municipality="marburg").hits[0]
    assert hit.entry_id == "de-police-110"
    assert hit.matched_language == "uk"
    # A German office name typed by a Ukrainian matches the German text.
    hit = search("Ausländerbehörde", lang="uk", municipality="marburg").hits[0]
    assert hit.matched_language == "de"


def test_pages_continue_without_overlap_and_total_counts_them_all() -> None:
    first = search("help", municipality="remich", limit=3)
    second = search("help", municipality="remich", limit=3, offset=3)
    everything = search("help", municipality="remich", limit=100)
    assert first.total == second.total == everything.total == len(everything.hits)
    assert first.total > 3
    assert [h.entry_id for h in first.hits + second.hits] == [
        h.entry_id for h in everything.hits[:6]
    ]
    assert search("help", limit=3, offset=1000).hits == []


def test_a_category_question_names_the_category() -> None:
    assert search("Deutschkurs", lang="de", municipality="marburg").category == ("language-courses")
    assert search("безкоштовний спорт для дітей", lang="uk").category == "activities"
    # A question about one specific office is not about a whole category.
    assert search("Ausländerbehörde Marburg", lang="de", municipality="marburg").category is None


@pytest.mark.parametrize("query", ["", "   ", "???", "where can I", "wo kann ich", "أين"])
def test_questions_without_a_subject_find_nothing(query: str) -> None:
    result = search(query)
    assert result.hits == [] and result.total == 0


def test_unknown_municipality_finds_nothing() -> None:
    result = INDEX.search("pharmacy", "en", "atlantis", TODAY)
    assert result.hits == [] and result.total == 0


def _with(content: Content, entry_id: str, **changes) -> Content:
    entries = dict(content.entries)
    entries[entry_id] = entries[entry_id].model_copy(update=changes)
    return Content(
        categories=content.categories,
        countries=content.countries,
        regions=content.regions,
        entries=entries,
        entry_region=content.entry_region,
        entry_country=content.entry_country,
        entry_files=content.entry_files,
    )


def test_an_expired_entry_disappears_the_day_after() -> None:
    last_day = dt.date(2026, 12, 31)
    index = SearchIndex(_with(CONTENT, "lu-pharmacy-on-duty", valid_until=last_day))

    def ids(day: dt.date) -> list[str]:
        return [h.entry_id for h in index.search("pharmacy", "en", "remich", day, limit=50).hits]

    assert "lu-pharmacy-on-duty" in ids(last_day)
    assert "lu-pharmacy-on-duty" not in ids(last_day + dt.timedelta(days=1))


@settings(max_examples=150, deadline=None)
@given(
    st.text(max_size=80),
    st.sampled_from(["en", "de", "fr", "ar", "fa", "uk", "ru", "tr", "ti", "ps", "pt", "xx"]),
    st.sampled_from(sorted(CONTENT.places)),
    st.integers(0, 10),
    st.integers(0, 5),
)
def test_any_text_gives_a_well_formed_result(
    text: str, lang: str, municipality: str, limit: int, offset: int
) -> None:
    result = INDEX.search(text, lang, municipality, TODAY, limit=limit, offset=offset)
    assert len(result.hits) <= limit
    assert result.total >= len(result.hits) + min(offset, result.total)
    assert result.municipality_id in CONTENT.places
    visible = {e.id for e in CONTENT.entries_for(result.municipality_id, TODAY)}
    assert all(h.entry_id in visible and h.score > 0 for h in result.hits)


def test_the_generated_benchmark_corpus_validates_and_is_searchable(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("gen_corpus", ROOT / "bench" / "gen_corpus.py")
    gen = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = gen
    spec.loader.exec_module(gen)
    corpus = gen.generate(tmp_path / "c", municipalities=12, per_municipality=4, national=6)
    content = load_content(corpus.path)
    assert len(content.entries) == 12 * 4 + 6
    assert len(content.places) == 12
    index = SearchIndex(content)
    place = corpus.municipalities[0]
    entry = content.entries_for(place.id, TODAY)[0]
    result = index.search(entry.title["uk"], "uk", place.id, TODAY)
    assert result.hits[0].entry_id == entry.id


def test_hits_are_plain_data() -> None:
    hit = search("pharmacy").hits[0]
    assert dataclasses.asdict(hit).keys() == {"entry_id", "score", "scope_rank", "matched_language"}

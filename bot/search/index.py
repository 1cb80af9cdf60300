"""The search index: built once per content version, read by :mod:`bot.search.query`.

:class:`IndexData` turns every entry's title, keywords, summary and body (all
languages) into index terms with :mod:`bot.search.analysis` and keeps them in
compact postings, plus the vocabulary that typos, prefixes, compounds and
transliterations of query words are matched against.

Index layout (why it is fast)
-----------------------------
Entries are numbered so that each visibility group — one municipality's own
entries, a region's, a country's — is a contiguous range. A term's postings are
one sorted ``array`` of 64-bit integers ``entry << 36 | language mask << 4 |
field``, so the part a municipality can see is found by bisection and only
that part is read (2**27 entries fit). (A 32nd and further content language share the last mask
bit: they still match, only ``matched_language`` may name the wrong one.)
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable

from bot.content.store import Content
from bot.search.analysis import ROMANIZE, ROMANIZE_UK, STOPWORDS, make_stemmer
from bot.search.places import PlaceMatcher
from bot.search.textnorm import fold, script_of

__all__ = [
    "BODY",
    "ENTRY_SHIFT",
    "FIELD_BITS",
    "FIELD_WEIGHT",
    "KEYWORDS",
    "MASK_ALL",
    "SUMMARY",
    "TITLE",
    "IndexData",
]

# --- fields and weights ------------------------------------------------------
TITLE, KEYWORDS, SUMMARY, BODY = 0, 1, 2, 3
#: How much a word found in each field counts: the title says what the entry
#: is, keywords were chosen by editors for search, the summary and body
#: mention many things in passing.
FIELD_WEIGHT = (1.0, 0.9, 0.6, 0.35)
#: A word found in a category's name / keywords gives each entry of it this.
CATEGORY_NAME_WEIGHT = 0.6
CATEGORY_KEYWORD_WEIGHT = 0.55

MASK_BITS = 32  # 23 UI languages, room for more
ENTRY_SHIFT = MASK_BITS + 4
FIELD_BITS = 0xF
MASK_ALL = (1 << MASK_BITS) - 1


class IndexData:
    """The built search index of one :class:`~bot.content.store.Content` (immutable).

    Build it once per content version, e.g. from a
    :meth:`~bot.content.store.ContentStore.on_swap` listener (about 4 s and
    55 MB for 30,500 entries in 8 languages, see ``bench/search.py``).
    The query side is :class:`bot.search.query.SearchIndex`.
    """

    def __init__(self, content: Content, places: PlaceMatcher | None = None):
        self.content = content
        self.places = places or PlaceMatcher(content)
        self._langs: list[str] = []
        self._lang_bit: dict[str, int] = {}
        self._stemmers = {}
        self._stem_cache: dict[str, dict[str, str]] = {}
        # Query word → what it may mean (filled by bot.search.query).
        self._analysis_cache: dict[str, tuple] = {}

        # Entries in visibility-group order (see module docstring).
        def group_key(entry_id: str) -> tuple[str, str, str]:
            entry = content.entries[entry_id]
            region = content.entry_region.get(entry_id)
            if region is None:
                return ("c", content.entry_country.get(entry_id) or "", "")
            if isinstance(entry.scope, list) and len(entry.scope) == 1:
                return ("m", region, entry.scope[0])
            return ("r", region, "")

        ordered = sorted(content.entries, key=lambda eid: (group_key(eid), eid))
        self._ids = ordered
        self._entries = [content.entries[eid] for eid in ordered]
        self._ranges: dict[tuple[str, str, str], tuple[int, int]] = {}
        for i, eid in enumerate(ordered):
            key = group_key(eid)
            lo, _ = self._ranges.get(key, (i, i))
            self._ranges[key] = (lo, i + 1)
        self._default_bit = [self._bit(content.default_language(eid)) for eid in ordered]
        categories = list(content.categories)
        self._cat_ids = categories
        cat_index = {c: i for i, c in enumerate(categories)}
        self._entry_cat = [cat_index.get(e.category, -1) for e in self._entries]
        self._entry_free = [e.cost == "free" for e in self._entries]

        # Postings: term → entries (packed ints); collected in lists, frozen to arrays.
        postings: dict[str, list[int]] = {}
        # Every word seen → {term: language mask}, for exact lookups.
        self._surface: dict[str, dict[str, int]] = {}
        # Words of titles, keywords, summaries and category texts: the
        # vocabulary typos, prefixes and transliterations are matched against.
        vocabulary: set[str] = set()
        # Raw whitespace-separated token → (terms, folded words), per language.
        # Folding costs microseconds per text while a corpus repeats the same
        # few thousand tokens millions of times, so each is folded once.
        token_cache: dict[str, dict[str, tuple[tuple[str, ...], tuple[str, ...]]]] = {}

        def terms_of(lang: str, text: str, bit: int, with_vocabulary: bool) -> list[str]:
            cache = token_cache.get(lang)
            if cache is None:
                cache = token_cache[lang] = {}
            found: list[str] = []
            for raw in text.split():
                known = cache.get(raw)
                if known is None:
                    words = tuple(fold(raw).split())
                    terms = []
                    for word in words:
                        if (len(word) < 2 and not word.isdigit()) or word in STOPWORDS:
                            continue
                        term = self._stem(lang, word)
                        terms.append(term)
                        slot = self._surface.get(word)
                        if slot is None:
                            self._surface[word] = {term: bit}
                        else:
                            slot[term] = slot.get(term, 0) | bit
                    known = cache[raw] = (tuple(terms), words)
                found.extend(known[0])
                if with_vocabulary:
                    vocabulary.update(known[1])
            return found

        for index, entry in enumerate(self._entries):
            best: dict[str, int] = {}  # term → mask << 4 | field
            for field, texts in (
                (TITLE, entry.title),
                (KEYWORDS, {k: " ".join(v) for k, v in entry.keywords.items()}),
                (SUMMARY, entry.summary),
                (BODY, entry.body),
            ):
                for lang, text in texts.items():
                    bit = self._bit(lang)
                    for term in terms_of(lang, text, bit, field != BODY):
                        old = best.get(term)
                        if old is None:
                            best[term] = bit << 4 | field
                        else:
                            best[term] = (
                                old | bit << 4
                                if (old & FIELD_BITS) <= field
                                else ((old & ~FIELD_BITS) | bit << 4 | field)
                            )
            base = index << ENTRY_SHIFT
            for term, packed in best.items():
                plist = postings.get(term)
                if plist is None:
                    postings[term] = [base | packed]
                else:
                    plist.append(base | packed)
        self._postings = {t: array("q", p) for t, p in postings.items()}
        self._n_entries = max(1, len(self._entries))
        del postings

        # Category names and keywords: term → [(category index, mask, weight,
        # phrase)], where phrase numbers the name or keyword the term is in
        # (``_cat_phrase_size``: its number of terms), so a query can be seen
        # to name a whole keyword ("дитячий садок"), not one word of it (the
        # "job" of "job centre").
        self._cat_terms: dict[str, list[tuple[int, int, float, int]]] = {}
        self._cat_phrase_size: list[int] = []
        for ci, cid in enumerate(categories):
            category = content.categories[cid]
            phrases = [(CATEGORY_NAME_WEIGHT, lang, name) for lang, name in category.name.items()]
            phrases += [
                (CATEGORY_KEYWORD_WEIGHT, lang, keyword)
                for lang, keywords in category.keywords.items()
                for keyword in keywords
            ]
            for weight, lang, text in phrases:
                bit = self._bit(lang)
                terms = set(terms_of(lang, text, bit, True))
                if not terms:
                    continue
                phrase = len(self._cat_phrase_size)
                self._cat_phrase_size.append(len(terms))
                for term in terms:
                    self._cat_terms.setdefault(term, []).append((ci, bit, weight, phrase))

        token_cache.clear()
        # Vocabulary per script for fuzzy, prefix and suffix matching;
        # Cyrillic words also under their Latin transliteration.
        self._romanized: dict[str, dict[str, int]] = {}
        by_script: dict[str, set[str]] = {}
        for word in vocabulary:
            if word not in self._surface:  # a stopword
                continue
            script = script_of(word)
            by_script.setdefault(script, set()).add(word)
            if script == "cyrillic":
                spellings = {
                    word.translate(ROMANIZE),
                    word.translate(ROMANIZE_UK).translate(ROMANIZE),
                }
                for latin in spellings:
                    slot = self._romanized.setdefault(latin, {})
                    for term, mask in self._surface[word].items():
                        slot[term] = slot.get(term, 0) | mask
        for latin in self._romanized:
            by_script.setdefault("latin", set()).add(latin)
        self._vocab = {s: sorted(words) for s, words in by_script.items()}
        self._vocab_reversed = {
            s: sorted(w[::-1] for w in words) for s, words in self._vocab.items()
        }
        # Group the fuzzy vocabulary by length: a typo changes the length by
        # at most two letters at the similarities accepted.
        self._vocab_by_len: dict[str, dict[int, list[str]]] = {}
        for s, words in self._vocab.items():
            buckets: dict[int, list[str]] = {}
            for w in words:
                buckets.setdefault(len(w), []).append(w)
            self._vocab_by_len[s] = buckets

        # Entries per visibility group and category, for category matches.
        self._group_by_cat: dict[tuple[str, str, str], dict[int, list[int]]] = {}
        for key, (lo, hi) in self._ranges.items():
            per_cat: dict[int, list[int]] = {}
            for i in range(lo, hi):
                per_cat.setdefault(self._entry_cat[i], []).append(i)
            self._group_by_cat[key] = per_cat

    # --- building blocks ---------------------------------------------------------

    def _bit(self, lang: str) -> int:
        bit = self._lang_bit.get(lang)
        if bit is None:
            position = min(len(self._langs), MASK_BITS - 1)
            bit = 1 << position
            self._lang_bit[lang] = bit
            self._langs.append(lang)
        return bit

    def _stem(self, lang: str, word: str) -> str:
        cache = self._stem_cache.get(lang)
        if cache is None:
            cache = self._stem_cache[lang] = {}
            self._stemmers[lang] = make_stemmer(lang)
        term = cache.get(word)
        if term is None:
            stemmer = self._stemmers[lang]
            term = (stemmer(word) or word) if stemmer and not word.isdigit() else word
            if len(cache) < 500_000:
                cache[word] = term
        return term

    def _lang_of_bit(self, mask: int, order: Iterable[str]) -> str:
        for lang in order:
            bit = self._lang_bit.get(lang)
            if bit and mask & bit:
                return lang
        for lang, bit in self._lang_bit.items():
            if mask & bit:
                return lang
        return next(iter(order), "en")

    def _words_of(self, vocab_word: str) -> dict[str, int] | None:
        return self._surface.get(vocab_word) or self._romanized.get(vocab_word)

"""Multilingual free-text search over the entries a municipality can see: the query side.

Newcomers type short questions on a phone, in their language or in the
language of the office they need ("Ausländerbehörde"), with typos and
transliterations. :class:`SearchIndex` is built once per content version and
answers :meth:`SearchIndex.search` in a few milliseconds for a country's
worth of content.

How a query is answered
-----------------------
1. The text is folded (:mod:`bot.search.textnorm`) and split into words; stopwords
   ("where", "can", "wo", "أين", "де") are dropped. A municipality named in the
   question ("football in Remich") is searched instead of the user's and its
   name dropped from the words.
2. Each word becomes a set of index terms with a quality 0..1: the word
   itself and its stems (Snowball where it has the language; light stemmers
   for Arabic script, Ukrainian and Turkish), known words it is the start of
   ("deutsch" → "deutschkurs"), the end of ("kurs" → "integrationskurs",
   German compounds) or that start it ("kurslari" → "kurs"), known words
   within a small edit distance (rapidfuzz against the vocabulary, not the
   entries), and Cyrillic words whose Latin transliteration it is
   ("nimetskoi" → "німецької"). Two neighbouring words are also tried as one
   ("auslander behorde").
3. Entries score per word the best match over their fields (title > keywords
   > summary > body) times the term's quality and rarity; words matched in a
   language the user reads (the user's, its fallbacks, English, the region's
   language, the entry's own default language) count fully, others a little
   less. A word matching a category's name or keywords gives every entry of
   that category a share. The sum over words, divided by their number, is the
   relevance; the scope (municipality > region > national) adds a small boost
   and breaks ties.

Only entries visible to the municipality today (the rules of
:meth:`bot.content.store.Content.ranked_entries`) are results.

The index itself is built by :mod:`bot.search.index`; words become terms in
:mod:`bot.search.analysis`.
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
import enum
import math

from rapidfuzz import fuzz, process

from bot.content.store import SCOPE_MUNICIPALITY, SCOPE_NATIONAL, SCOPE_REGION
from bot.i18n import content_chain
from bot.search.analysis import SCRIPT_LANGUAGES, STOPWORDS, is_free_word
from bot.search.index import (
    ENTRY_SHIFT,
    FIELD_BITS,
    FIELD_WEIGHT,
    KEYWORDS,
    MASK_ALL,
    IndexData,
)
from bot.search.smalltalk import SmallTalk, recognise
from bot.search.textnorm import script_of

__all__ = ["Hit", "ResultKind", "SearchIndex", "SearchResult"]

#: Words matched only in a language the user did not pick count this much.
OTHER_LANGUAGE_WEIGHT = 0.8
#: Multiplier per scope rank: the user's own municipality first.
SCOPE_BOOST = {SCOPE_MUNICIPALITY: 1.06, SCOPE_REGION: 1.03, SCOPE_NATIONAL: 1.0}
#: An entry is a relevant hit (counted in ``total``) if its relevance is at
#: least this fraction of the best one, and at least MIN_RELEVANCE.
RELATIVE_CUTOFF = 0.4
MIN_RELEVANCE = 0.15
#: An entry gets this share of its category's match for a word it does not
#: contain itself: a course matching "course" outranks a dictionary that is
#: only filed under "Language courses".
CATEGORY_SHARE = 0.8
#: A question asking for something free ("free language course", "kostenlos",
#: "مجاني") multiplies the relevance of entries with ``cost: free`` by this.
FREE_BOOST = 1.15

# --- when to answer at all ------------------------------------------------------
#: A query word is evidence for an entry only when it means a term of the
#: entry this surely (the word itself, its stem, a transliteration, a small
#: typo; not a loose prefix, compound part or distant spelling) ...
EVIDENCE_QUALITY = 0.7
#: ... in a field that says what the entry is about (title, keywords; not a
#: mention in passing in the summary or body).
EVIDENCE_FIELD = KEYWORDS
#: The question is answered when its best hit's evidence (the relevance
#: counting evidence matches only) reaches this; else it is "not found".
#: Tuned on tests/search_eval.yaml (questions and negatives).
MIN_EVIDENCE = 0.3


class ResultKind(enum.StrEnum):
    """What a search found: entries, small talk (no question), or nothing good."""

    ANSWERS = "answers"
    GREETING = "greeting"
    THANKS = "thanks"
    NOT_FOUND = "not_found"


@dataclasses.dataclass(frozen=True)
class Hit:
    """One result: ``score`` is the relevance (about 0..1.1, higher is better),
    ``scope_rank`` 0 = the municipality's own, 1 = region, 2 = national,
    ``matched_language`` the language whose text matched best."""

    entry_id: str
    score: float
    scope_rank: int
    matched_language: str


@dataclasses.dataclass(frozen=True)
class SearchResult:
    """Answer to one query.

    ``hits``: the requested page, best first. ``total``: how many relevant hits
    exist in all (for a "show more" button). ``category``: the category id the
    query is about when it names a category rather than one or two specific
    entries, else None. ``municipality_id``: the municipality searched;
    ``other_place`` is True when the question named a municipality other than
    the user's, which was searched instead. ``kind``: :attr:`ResultKind.ANSWERS`
    when there are hits (``total`` > 0, though a page past the end is empty),
    :attr:`ResultKind.GREETING` / :attr:`ResultKind.THANKS` for small talk,
    :attr:`ResultKind.NOT_FOUND` when nothing matches well enough (no hits then).
    ``evidence``: how surely the best hits are about the question's words (the
    relevance counting only sure matches in titles, keywords and category
    names); a question is answered from :data:`MIN_EVIDENCE` up.
    """

    hits: list[Hit]
    total: int
    category: str | None
    municipality_id: str
    other_place: bool = False
    kind: ResultKind = ResultKind.NOT_FOUND
    evidence: float = 0.0

    @property
    def is_smalltalk(self) -> bool:
        return self.kind in (ResultKind.GREETING, ResultKind.THANKS)


@dataclasses.dataclass(frozen=True)
class _Candidate:
    term: str
    mask: int
    quality: float


class SearchIndex(IndexData):
    """The search index of one :class:`~bot.content.store.Content`, with the query.

    Build it once per content version (see :class:`bot.search.index.IndexData`);
    :meth:`search` only reads the index; its small caches tolerate concurrent
    use from several threads.
    """

    def _analyse(self, word: str) -> tuple[_Candidate, ...]:
        """Index terms a query word may mean, with qualities 0..1 (cached per word)."""
        cached = self._analysis_cache.get(word)
        if cached is not None:
            return cached
        found: dict[tuple[str, int], float] = {}

        def add(term_masks: dict[str, int] | None, quality: float, only: int = MASK_ALL) -> None:
            if not term_masks:
                return
            for term, mask in term_masks.items():
                mask &= only
                if mask and (term in self._postings or term in self._cat_terms):
                    key = (term, mask)
                    if quality > found.get(key, 0.0):
                        found[key] = quality

        exact = self._surface.get(word)
        add(exact, 1.0)
        script = script_of(word)
        langs = SCRIPT_LANGUAGES.get(script, ())
        for lang in langs:
            stem = self._stem(lang, word)
            # A stem counts in the language of its stemmer only ("kurs" is not
            # the English stem of anything); the Arabic-script one serves all.
            only = MASK_ALL if lang == "ar" else self._lang_bit.get(lang, 0)
            if only:
                add({stem: only}, 0.95)
        if script == "latin" and word in self._romanized:
            add(self._romanized[word], 0.95)
        if len(word) >= 3 and not word.isdigit():
            self._affixes(word, script, add)
            if not exact and len(word) >= 4:
                self._fuzzy(word, script, add)
        result = tuple(_Candidate(t, m, q) for (t, m), q in found.items())
        if len(self._analysis_cache) > 100_000:
            self._analysis_cache.clear()
        self._analysis_cache[word] = result
        return result

    def _affixes(self, word: str, script: str, add) -> None:
        vocab = self._vocab.get(script, [])
        n = len(word)
        # Known words the query word starts ("deutsch" → "deutschkurs").
        i = bisect.bisect_left(vocab, word)
        for other in vocab[i : i + 40]:
            if not other.startswith(word):
                break
            if other != word:
                # Three letters start too many words to say much.
                add(self._words_of(other), (0.55 if n > 3 else 0.4) + 0.35 * n / len(other))
        # Known words that end with it: German compounds ("kurs" → "sprachkurs").
        if n >= 4:
            rev = word[::-1]
            rvocab = self._vocab_reversed.get(script, [])
            i = bisect.bisect_left(rvocab, rev)
            for other in rvocab[i : i + 40]:
                if not other.startswith(rev):
                    break
                if other != rev:
                    # Weak on purpose: "sport" also ends "transport".
                    add(self._words_of(other[::-1]), 0.35 + 0.3 * n / len(other))
        # Known words that start it: endings we do not stem ("kurslari" → "kurs").
        for k in range(n - 1, max(3, math.ceil(n * 0.6)) - 1, -1):
            hit = self._words_of(word[:k])
            if hit:
                add(hit, 0.35 + 0.45 * k / n)
                break

    def _fuzzy(self, word: str, script: str, add) -> None:
        buckets = self._vocab_by_len.get(script)
        if not buckets:
            return
        n = len(word)
        cutoff = 86.0 if n <= 4 else 80.0 if n <= 5 else 77.0 if n <= 7 else 74.0
        choices = [w for size in range(n - 2, n + 3) for w in buckets.get(size, ())]
        for other, score, _ in process.extract(
            word, choices, scorer=fuzz.ratio, score_cutoff=cutoff, limit=8
        ):
            add(self._words_of(other), 0.95 * (score / 100) ** 2)

    # --- the query ----------------------------------------------------------------

    def search(
        self,
        query: str,
        lang: str,
        municipality_id: str,
        today: dt.date,
        limit: int = 5,
        offset: int = 0,
    ) -> SearchResult:
        """Entries matching ``query`` for a user of ``municipality_id``, best first.

        ``query``: what the user typed, any language or script. ``lang``: the
        user's language code. ``today``: the local date (expired entries are
        left out). ``limit``/``offset``: the page of hits to return; ``total``
        counts all relevant hits. A greeting or thanks alone gives a small-talk
        result; an unknown municipality, a query without words or one that
        nothing matches well enough gives a "not found" one (both without hits).
        """
        talk, words = recognise(query, STOPWORDS)
        if talk is not None:
            kind = ResultKind.GREETING if talk is SmallTalk.GREETING else ResultKind.THANKS
            return SearchResult([], 0, None, municipality_id, False, kind)
        target = municipality_id
        found = self.places.locate(words)
        if found:
            target, start, end = found
            rest = words[:start] + words[end:]
            # A question that is only a place name searches for that name.
            if any(w not in STOPWORDS for w in rest):
                words = rest
        other_place = target != municipality_id
        place = self.content.place(target)
        if place is None:
            return SearchResult([], 0, None, target, other_place, ResultKind.NOT_FOUND)
        # Only stopwords ("where can I") or single letters: nothing to look for.
        words = [w for w in words if w not in STOPWORDS and (len(w) > 1 or w.isdigit())]
        words = words[:8]  # a pasted paragraph is not a question
        if not words:
            return SearchResult([], 0, None, target, other_place, ResultKind.NOT_FOUND)
        # "free" asks for cost: free: it names a topic ("free activities"), but
        # in entries it is looked for only when it is the whole question.
        free_idx = {i for i, w in enumerate(words) if is_free_word(w)}
        wants_free = bool(free_idx)
        if len(free_idx) == len(words):
            free_idx = set()

        region = place.region
        chain = content_chain(lang, region.default_language)
        user_mask = 0
        for code in chain:
            user_mask |= self._lang_bit.get(code, 0)

        # Units: each word, and each pair of neighbours written as one word.
        units: list[tuple[tuple[int, ...], tuple[_Candidate, ...]]] = [
            ((i,), self._analyse(w)) for i, w in enumerate(words)
        ]
        for i in range(len(words) - 1):
            joined = words[i] + words[i + 1]
            exact = self._surface.get(joined)
            if exact:
                units.append(((i, i + 1), tuple(_Candidate(t, m, 1.0) for t, m in exact.items())))

        ranges = [
            (key, self._ranges[key], rank)
            for key, rank in (
                (("m", region.id, target), SCOPE_MUNICIPALITY),
                (("r", region.id, ""), SCOPE_REGION),
                (("c", region.country, ""), SCOPE_NATIONAL),
            )
            if key in self._ranges
        ]

        n = len(words)
        n_content = n - len(free_idx)
        entries = self._entries
        default_bit = self._default_bit
        region_bit = self._lang_bit.get(region.default_language, 0)
        # Per entry: best value per word, and the language mask and value of its
        # best single match (for matched_language).
        scores: dict[int, list[float]] = {}
        direct: dict[int, float] = {}
        best_match: dict[int, tuple[float, int]] = {}
        ranks: dict[int, int] = {}

        def visible_rank(e: int, rank: int) -> int | None:
            if rank == SCOPE_REGION:
                scope = entries[e].scope
                if isinstance(scope, list):
                    return SCOPE_MUNICIPALITY if target in scope else None
            return rank

        n_all = self._n_entries + 1
        log_n = math.log(n_all)
        for covers, candidates in units:
            if free_idx and not free_idx.isdisjoint(covers):
                continue
            for cand in candidates:
                plist = self._postings.get(cand.term)
                if not plist:
                    continue
                rarity = 0.6 + 0.4 * math.log(n_all / len(plist)) / log_n
                base = cand.quality * rarity
                cmask = cand.mask
                for _key, (lo, hi), rank in ranges:
                    a = bisect.bisect_left(plist, lo << ENTRY_SHIFT)
                    b = bisect.bisect_left(plist, hi << ENTRY_SHIFT, a)
                    for p in plist[a:b]:
                        mask = (p >> 4) & cmask
                        if not mask:
                            continue
                        e = p >> ENTRY_SHIFT
                        value = base * FIELD_WEIGHT[p & FIELD_BITS]
                        if not mask & (user_mask | default_bit[e]):
                            value *= OTHER_LANGUAGE_WEIGHT
                        row = scores.get(e)
                        if row is None:
                            r = visible_rank(e, rank)
                            if r is None:
                                continue
                            ranks[e] = r
                            row = scores[e] = [0.0] * n
                        for i in covers:
                            if value > row[i]:
                                row[i] = value
                        if value > best_match.get(e, (0.0, 0))[0]:
                            best_match[e] = (value, mask)
        for e, row in scores.items():
            direct[e] = sum(row)

        # Categories named by the query: each word's best match per category.
        # Evidence for a category: its name or a keyword named by the query as
        # a whole (or two words of a longer one), words matched surely.
        cat_rows: dict[int, list[float]] = {}
        cat_masks: dict[int, int] = {}
        phrase_hits: dict[int, dict[str, tuple[float, tuple[int, ...], int]]] = {}
        for covers, candidates in units:
            for cand in candidates:
                plist = self._postings.get(cand.term)
                # A common word ("course") says as little about a category as
                # about an entry.
                rarity = 0.6 + 0.4 * math.log(n_all / len(plist)) / log_n if plist else 1.0
                for ci, bit, weight, phrase in self._cat_terms.get(cand.term, ()):
                    if not bit & cand.mask:
                        continue
                    value = cand.quality * weight * rarity
                    if not bit & (user_mask | region_bit):
                        value *= OTHER_LANGUAGE_WEIGHT
                    row = cat_rows.setdefault(ci, [0.0] * n)
                    for i in covers:
                        if value > row[i]:
                            row[i] = value
                            cat_masks[ci] = bit
                    if cand.quality >= EVIDENCE_QUALITY:
                        terms = phrase_hits.setdefault(phrase, {})
                        if value > terms.get(cand.term, (0.0,))[0]:
                            terms[cand.term] = (value, covers, ci)
        cat_evidence: dict[int, list[float]] = {}
        for phrase, terms in phrase_hits.items():
            size = self._cat_phrase_size[phrase]
            if len(terms) < min(size, 2):
                continue
            for value, covers, ci in terms.values():
                erow = cat_evidence.setdefault(ci, [0.0] * n)
                for i in covers:
                    erow[i] = max(erow[i], value)
        shares = {
            ci: [0.0 if i in free_idx else v * CATEGORY_SHARE for i, v in enumerate(crow)]
            for ci, crow in cat_rows.items()
        }
        for key, _range, rank in ranges:
            per_cat = self._group_by_cat.get(key, {})
            for ci, crow in shares.items():
                for e in per_cat.get(ci, ()):
                    row = scores.get(e)
                    if row is None:
                        r = visible_rank(e, rank)
                        if r is None:
                            continue
                        ranks[e] = r
                        scores[e] = crow.copy()
                        best_match[e] = (0.0, cat_masks[ci])
                    else:
                        scores[e] = [max(x, y) for x, y in zip(row, crow, strict=True)]

        ranked: list[tuple[float, int, str, int]] = []
        ids = self._ids
        free = self._entry_free
        for e, row in scores.items():
            rank = ranks[e]
            relevance = sum(row) / n_content * SCOPE_BOOST[rank]
            if wants_free and free[e]:
                relevance *= FREE_BOOST
            ranked.append((relevance, rank, ids[e], e))
        ranked.sort(key=lambda r: (-r[0], r[1], r[2]))
        if ranked:
            floor = max(MIN_RELEVANCE, RELATIVE_CUTOFF * ranked[0][0])
            ranked = [r for r in ranked if r[0] >= floor and entries[r[3]].is_visible(today)]

        def content_sum(row: list[float]) -> float:
            return sum(v for i, v in enumerate(row) if i not in free_idx)

        category = topic = None
        if cat_rows:
            # "free" fits any topic: it counts as covered, but does not choose.
            best_ci, best_row = max(cat_rows.items(), key=lambda kv: (content_sum(kv[1]), -kv[0]))
            named = sum(1 for i, v in enumerate(best_row) if v > 0 and i not in free_idx)
            covered = (named + len(free_idx)) / n
            # "rather than specific entries": when one or two entries match
            # every word in their own title or keywords, the user means those.
            strong_floor = 0.8 * FIELD_WEIGHT[KEYWORDS] * n_content
            strong = sum(1 for r in ranked if direct.get(r[3], 0.0) >= strong_floor)
            if covered >= 0.6:
                topic = self._cat_ids[best_ci]
                if not 1 <= strong <= 2:
                    category = topic

        # Answer only with evidence: the best hit's words must mean what it is
        # about, or the question must name the category it asks about.
        postings = self._postings

        def proof(e: int) -> float:
            # Computed for the best hits only, not in the loop over postings:
            # an entry has one posting per term, found by bisection.
            row = [0.0] * n
            first, after = e << ENTRY_SHIFT, (e + 1) << ENTRY_SHIFT
            for covers, candidates in units:
                if free_idx and not free_idx.isdisjoint(covers):
                    continue
                for cand in candidates:
                    plist = postings.get(cand.term) if cand.quality >= EVIDENCE_QUALITY else None
                    if not plist:
                        continue
                    a = bisect.bisect_left(plist, first)
                    if a == len(plist) or plist[a] >= after:
                        continue
                    p = plist[a]
                    mask = (p >> 4) & cand.mask
                    field = p & FIELD_BITS
                    if not mask or field > EVIDENCE_FIELD:
                        continue
                    mine = mask & (user_mask | default_bit[e])
                    # A stem counts only in a language the user reads: the
                    # Portuguese stem of Turkish "cami" is not "câmara".
                    if not mine and cand.quality < 1.0:
                        continue
                    rarity = 0.6 + 0.4 * math.log(n_all / len(plist)) / log_n
                    value = cand.quality * rarity * FIELD_WEIGHT[field]
                    if not mine:
                        value *= OTHER_LANGUAGE_WEIGHT
                    for i in covers:
                        row[i] = max(row[i], value)
            own = sum(row) / n_content
            ci = self._entry_cat[e]
            crow = cat_evidence.get(ci) if category is not None and ci >= 0 else None
            return max(own, content_sum(crow) / n_content if crow else 0.0)

        sureness = max((proof(r[3]) for r in ranked[:3]), default=0.0)
        if topic is not None and ranked:
            # The question names a topic as a whole ("کور", house): answer with
            # it, and the view offers the whole topic. Also when one or two
            # entries match its words only through another language (Polish
            # "apteka" in a Russian keyword «аптека»): they rank first.
            crow = cat_evidence.get(self._cat_ids.index(topic))
            sureness = max(sureness, content_sum(crow) / n_content if crow else 0.0)
        if sureness < MIN_EVIDENCE:
            return SearchResult(
                [], 0, None, target, other_place, ResultKind.NOT_FOUND, round(sureness, 4)
            )
        page = ranked[max(0, offset) : max(0, offset) + max(0, limit)]
        hits = [
            Hit(eid, round(score, 4), rank, self._lang_of_bit(best_match[e][1], chain))
            for score, rank, eid, e in page
        ]
        return SearchResult(
            hits, len(ranked), category, target, other_place, ResultKind.ANSWERS, round(sureness, 4)
        )

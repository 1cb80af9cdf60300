"""Multilingual free-text search over the entries a municipality can see.

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

Index layout (why it is fast)
-----------------------------
Entries are numbered so that each visibility group — one municipality's own
entries, a region's, a country's — is a contiguous range. A term's postings are
one sorted ``array`` of 64-bit integers ``entry << 20 | language mask << 4 |
field``, so the part a municipality can see is found by bisection and only
that part is read. (A 16th and further content language share the last mask
bit: they still match, only ``matched_language`` may name the wrong one.)
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
import math
from array import array
from collections.abc import Iterable

import snowballstemmer
from rapidfuzz import fuzz, process

from bot.content.store import SCOPE_MUNICIPALITY, SCOPE_NATIONAL, SCOPE_REGION, Content
from bot.i18n import content_chain
from bot.search.places import PlaceMatcher
from bot.search.textnorm import fold, script_of

__all__ = ["Hit", "SearchIndex", "SearchResult"]

# --- fields and weights ------------------------------------------------------
TITLE, KEYWORDS, SUMMARY, BODY = 0, 1, 2, 3
#: How much a word found in each field counts: the title says what the entry
#: is, keywords were chosen by editors for search, the summary and body
#: mention many things in passing.
FIELD_WEIGHT = (1.0, 0.9, 0.6, 0.35)
#: A word found in a category's name / keywords gives each entry of it this.
CATEGORY_NAME_WEIGHT = 0.6
CATEGORY_KEYWORD_WEIGHT = 0.55
#: Words matched only in a language the user did not pick count this much.
OTHER_LANGUAGE_WEIGHT = 0.8
#: Multiplier per scope rank: the user's own municipality first.
SCOPE_BOOST = {SCOPE_MUNICIPALITY: 1.06, SCOPE_REGION: 1.03, SCOPE_NATIONAL: 1.0}
#: An entry is a relevant hit (counted in ``total``) if its relevance is at
#: least this fraction of the best one, and at least MIN_RELEVANCE.
RELATIVE_CUTOFF = 0.4
MIN_RELEVANCE = 0.2

_MASK_BITS = 16
_ENTRY_SHIFT = 20
_FIELD_BITS = 0xF
_MASK_ALL = (1 << _MASK_BITS) - 1

# --- stopwords -----------------------------------------------------------------
# Question words, pronouns, articles, prepositions and "can/want/need" — what a
# question says besides its subject. Small hand-made lists; a word that is a
# stopword in one language is dropped from every query, so none of these is a
# content word elsewhere.
_STOPWORDS_RAW = {
    "en": "where can i how what the a an in on at for to of and or is are my me do does "
    "find get need want there any some with near please you your we it this that which who "
    "when from about who's i'm im",
    "de": "wo wie kann ich man der die das den dem des ein eine einen einem einer in im an am "
    "auf fur mit und oder gibt es bitte suche brauche meine mein mir mich zu zum zur von vom "
    "bei ist sind hier was wer wann welche welcher gibts mochte will konnen uns wir du",
    "fr": "ou comment je peux puis le la les l d de des du un une pour au aux en et est mon ma "
    "mes il y qu que quoi avec dans sur cherche besoin veux voudrais trouver ce cette nous vous",
    "lb": "wou ech kann den dat eng fir mat an der wéi",
    "pt": "onde como posso eu o os as do da dos das em no na nos nas para um uma e quero preciso "
    "meu minha com por",
    "tr": "nerede nerde nasil ne bir ve icin ile mi mu var yok istiyorum ben bana beni nereden "
    "hangi",
    "ar": "اين وين فين كيف هل ما ماذا من في على الى عن انا اريد ابحث عن يمكن يمكنني لي مع او و "
    "هناك هذا هذه",
    "fa": "كجا كجاست چطور چگونه از به در كه را با براي من ميخواهم ميتوانم آيا يا و اين آن هست است",
    "ps": "چيرته چيرې څنګه په د كي كې زه غواړم ته او دا",
    "uk": "де як можна мені я в у на для з із і й та чи що хочу треба потрібно мене моя мій",
    "ru": "где как можно мне я в во на для с со и или что хочу нужно надо мой моя меня",
    "ti": "ኣበይ ከመይ ኣብ ን እዩ ኣለ ክንደይ እንታይ ናይ",
}
STOPWORDS: frozenset[str] = frozenset(
    word for text in _STOPWORDS_RAW.values() for word in fold(text).split()
)

# --- stemming ------------------------------------------------------------------
_SNOWBALL = {"en": "english", "de": "german", "fr": "french", "pt": "portuguese", "ru": "russian"}

# Larkey et al.'s "light10" stemmer for Arabic (SIGIR 2002), applied to the
# folded text of Arabic, Persian and Pashto alike: the prefixes and suffixes
# are shared enough that one rule set keeps ar/fa/ps words comparable.
_AR_PREFIXES = ("وال", "بال", "كال", "فال", "لل", "ال")
_AR_SUFFIXES = ("هاي", "ها", "ات", "ان", "ون", "ين", "يه", "ه", "ي")
# Ukrainian has no Snowball stemmer: strip the common case/number endings.
_UK_ENDINGS = "ами ями ові еві ого ому ими іми ій ий ої ою ею ів їв ам ям ах ях ом ем ей их іх ня"
_UK_SUFFIXES = tuple(sorted([*_UK_ENDINGS.split(), *"аяоеіиуюьїй"], key=len, reverse=True))
# Turkish: the Snowball stemmer needs the dotted/dotless letters folding removes
# (and turns "almanca" into "alma"); strip plural and possessive/case endings only.
_TR_SUFFIXES = ("lari", "leri", "lar", "ler", "si", "su", "nin", "nun", "dan", "den", "da", "de")


def _strip(word: str, suffixes: Iterable[str], keep: int, times: int = 1) -> str:
    for _ in range(times):
        for suffix in suffixes:
            if word.endswith(suffix) and len(word) - len(suffix) >= keep:
                word = word[: -len(suffix)]
                break
        else:
            break
    return word


def _stem_arabic(word: str) -> str:
    for _ in range(2):
        for prefix in _AR_PREFIXES:
            if word.startswith(prefix) and len(word) - len(prefix) >= 3:
                word = word[len(prefix) :]
                break
        else:
            break
    return _strip(word, _AR_SUFFIXES, keep=3, times=2)


def _make_stemmer(lang: str):
    """The stemmer for ``lang`` (folded word → folded stem), or None for none."""
    if lang in _SNOWBALL:
        stem = snowballstemmer.stemmer(_SNOWBALL[lang]).stemWord
        # Snowball output can hold letters folding removes (it writes some of
        # its own normalisations); fold again so index and query agree.
        return lambda w: fold(stem(w)) or w
    if lang in ("ar", "fa", "ps"):
        return _stem_arabic
    if lang == "uk":
        # Newer Snowball releases may add Ukrainian; until then, strip endings.
        if "ukrainian" in snowballstemmer.algorithms():
            stem_uk = snowballstemmer.stemmer("ukrainian").stemWord
            return lambda w: fold(stem_uk(w)) or w
        return lambda w: _strip(w, _UK_SUFFIXES, keep=3)
    if lang == "tr":
        return lambda w: _strip(w, _TR_SUFFIXES, keep=3, times=2)
    return None


#: Languages whose stemmers apply to a query word, by the word's script.
_SCRIPT_LANGUAGES = {
    "latin": ("en", "de", "fr", "pt", "tr"),
    "cyrillic": ("ru", "uk"),
    "arabic": ("ar",),  # one light stemmer serves ar, fa and ps
}

# Cyrillic → Latin as people type it on a Latin keyboard ("kurs nimetskoi").
_ROMANIZE = str.maketrans(
    {
        "а": "a", "б": "b", "в": "v", "г": "g", "ґ": "g", "д": "d", "е": "e", "є": "ie",
        "ж": "zh", "з": "z", "и": "i", "і": "i", "ї": "i", "й": "i", "к": "k", "л": "l",
        "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u",
        "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y",
        "ь": "", "э": "e", "ю": "iu", "я": "ia",
    }
)  # fmt: skip
_ROMANIZE_UK = str.maketrans({"г": "h", "и": "y"})


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
    the user's, which was searched instead.
    """

    hits: list[Hit]
    total: int
    category: str | None
    municipality_id: str
    other_place: bool = False


@dataclasses.dataclass(frozen=True)
class _Candidate:
    term: str
    mask: int
    quality: float


class SearchIndex:
    """The search index of one :class:`~bot.content.store.Content` (immutable).

    Build it once per content version, e.g. from a
    :meth:`~bot.content.store.ContentStore.on_swap` listener (about 4 s and
    55 MB for 30,500 entries in 8 languages, see ``bench/search.py``).
    :meth:`search` only reads the index; its small caches tolerate concurrent
    use from several threads.
    """

    def __init__(self, content: Content, places: PlaceMatcher | None = None):
        self.content = content
        self.places = places or PlaceMatcher(content)
        self._langs: list[str] = []
        self._lang_bit: dict[str, int] = {}
        self._stemmers = {}
        self._stem_cache: dict[str, dict[str, str]] = {}
        self._analysis_cache: dict[str, tuple[_Candidate, ...]] = {}

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
                                if (old & _FIELD_BITS) <= field
                                else ((old & ~_FIELD_BITS) | bit << 4 | field)
                            )
            base = index << _ENTRY_SHIFT
            for term, packed in best.items():
                plist = postings.get(term)
                if plist is None:
                    postings[term] = [base | packed]
                else:
                    plist.append(base | packed)
        self._postings = {t: array("q", p) for t, p in postings.items()}
        self._n_entries = max(1, len(self._entries))
        del postings

        # Category names and keywords: term → [(category index, mask, weight)].
        self._cat_terms: dict[str, list[tuple[int, int, float]]] = {}
        for ci, cid in enumerate(categories):
            category = content.categories[cid]
            for weight, texts in (
                (CATEGORY_NAME_WEIGHT, category.name),
                (CATEGORY_KEYWORD_WEIGHT, {k: " ".join(v) for k, v in category.keywords.items()}),
            ):
                for lang, text in texts.items():
                    bit = self._bit(lang)
                    for term in set(terms_of(lang, text, bit, True)):
                        self._cat_terms.setdefault(term, []).append((ci, bit, weight))

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
                    word.translate(_ROMANIZE),
                    word.translate(_ROMANIZE_UK).translate(_ROMANIZE),
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
            position = min(len(self._langs), _MASK_BITS - 1)
            bit = 1 << position
            self._lang_bit[lang] = bit
            self._langs.append(lang)
        return bit

    def _stem(self, lang: str, word: str) -> str:
        cache = self._stem_cache.get(lang)
        if cache is None:
            cache = self._stem_cache[lang] = {}
            self._stemmers[lang] = _make_stemmer(lang)
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

    def _analyse(self, word: str) -> tuple[_Candidate, ...]:
        """Index terms a query word may mean, with qualities 0..1 (cached per word)."""
        cached = self._analysis_cache.get(word)
        if cached is not None:
            return cached
        found: dict[tuple[str, int], float] = {}

        def add(term_masks: dict[str, int] | None, quality: float, only: int = _MASK_ALL) -> None:
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
        langs = _SCRIPT_LANGUAGES.get(script, ())
        for lang in langs:
            stem = self._stem(lang, word)
            # A stem counts in the language of its stemmer only ("kurs" is not
            # the English stem of anything); the Arabic-script one serves all.
            only = _MASK_ALL if lang == "ar" else self._lang_bit.get(lang, 0)
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

    def _words_of(self, vocab_word: str) -> dict[str, int] | None:
        return self._surface.get(vocab_word) or self._romanized.get(vocab_word)

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
        counts all relevant hits. An unknown municipality or a query without
        words gives an empty result.
        """
        words = fold(query).split()
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
            return SearchResult([], 0, None, target, other_place)
        # Only stopwords ("where can I") or single letters: nothing to look for.
        words = [w for w in words if w not in STOPWORDS and (len(w) > 1 or w.isdigit())]
        words = words[:8]  # a pasted paragraph is not a question
        if not words:
            return SearchResult([], 0, None, target, other_place)

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
            for cand in candidates:
                plist = self._postings.get(cand.term)
                if not plist:
                    continue
                rarity = 0.6 + 0.4 * math.log(n_all / len(plist)) / log_n
                base = cand.quality * rarity
                cmask = cand.mask
                for _key, (lo, hi), rank in ranges:
                    a = bisect.bisect_left(plist, lo << _ENTRY_SHIFT)
                    b = bisect.bisect_left(plist, hi << _ENTRY_SHIFT, a)
                    for p in plist[a:b]:
                        mask = (p >> 4) & cmask
                        if not mask:
                            continue
                        e = p >> _ENTRY_SHIFT
                        value = base * FIELD_WEIGHT[p & _FIELD_BITS]
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
        cat_rows: dict[int, list[float]] = {}
        cat_masks: dict[int, int] = {}
        for covers, candidates in units:
            for cand in candidates:
                for ci, bit, weight in self._cat_terms.get(cand.term, ()):
                    if not bit & cand.mask:
                        continue
                    value = cand.quality * weight
                    if not bit & (user_mask | region_bit):
                        value *= OTHER_LANGUAGE_WEIGHT
                    row = cat_rows.setdefault(ci, [0.0] * n)
                    for i in covers:
                        if value > row[i]:
                            row[i] = value
                            cat_masks[ci] = bit
        for key, _range, rank in ranges:
            per_cat = self._group_by_cat.get(key, {})
            for ci, crow in cat_rows.items():
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
        for e, row in scores.items():
            rank = ranks[e]
            relevance = sum(row) / n * SCOPE_BOOST[rank]
            ranked.append((relevance, rank, ids[e], e))
        ranked.sort(key=lambda r: (-r[0], r[1], r[2]))
        if ranked:
            floor = max(MIN_RELEVANCE, RELATIVE_CUTOFF * ranked[0][0])
            ranked = [r for r in ranked if r[0] >= floor and entries[r[3]].is_visible(today)]

        category = None
        if cat_rows:
            best_ci, best_row = max(cat_rows.items(), key=lambda kv: (sum(kv[1]), -kv[0]))
            covered = sum(1 for v in best_row if v > 0) / n
            # "rather than specific entries": when one or two entries match
            # every word in their own title or keywords, the user means those.
            strong_floor = 0.8 * FIELD_WEIGHT[KEYWORDS] * n
            strong = sum(1 for r in ranked if direct.get(r[3], 0.0) >= strong_floor)
            if covered >= 0.6 and not 1 <= strong <= 2:
                category = self._cat_ids[best_ci]

        page = ranked[max(0, offset) : max(0, offset) + max(0, limit)]
        hits = [
            Hit(eid, round(score, 4), rank, self._lang_of_bit(best_match[e][1], chain))
            for score, rank, eid, e in page
        ]
        return SearchResult(hits, len(ranked), category, target, other_place)

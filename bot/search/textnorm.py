"""Text folding shared by municipality matching and search.

Newcomers type on whatever keyboard they have: without accents or umlauts, with
Persian letters in Arabic words (or the other way round), with a Latin ``o``
inside a Cyrillic word. :func:`fold` maps all of these to one form so that
what the user typed and what the content says compare equal.

Only the standard library is used, and the heavy lifting happens in C
(``unicodedata``, ``str.translate``, ``re``) because the search index folds
millions of words when it is built.
"""

from __future__ import annotations

import functools
import re
import sys
import unicodedata

__all__ = ["fold", "fold_word", "script_of", "tokens"]

# --- Arabic script -----------------------------------------------------------
# Variants unified as usual in Arabic/Persian information retrieval (Larkey et
# al., "Light stemming for Arabic", SIGIR 2002; Persian: Hamshahri corpus
# normalisation): users type whichever form their keyboard offers.
_ARABIC_MAP = {
    "\u0623": "\u0627",  # أ alef with hamza above → ا
    "\u0625": "\u0627",  # إ alef with hamza below → ا
    "\u0622": "\u0627",  # آ alef with madda → ا
    "\u0671": "\u0627",  # ٱ alef wasla → ا
    "\u0672": "\u0627",
    "\u0673": "\u0627",
    "\u0629": "\u0647",  # ة ta marbuta → ه
    "\u0649": "\u064a",  # ى alef maksura → ي
    "\u06cc": "\u064a",  # ی Persian yeh → ي
    "\u06d2": "\u064a",  # ے yeh barree (Urdu/Pashto keyboards) → ي
    "\u06a9": "\u0643",  # ک Persian keheh → ك
    "\u06aa": "\u0643",  # ڪ swash kaf → ك
    "\u06c1": "\u0647",  # ہ heh goal → ه
    "\u06d5": "\u0647",  # ە ae → ه
    # Sorani letters typed with the plain Arabic/Persian letter on keyboards that
    # lack them (the usual spelling on Persian and Arabic phone keyboards).
    "\u0695": "\u0631",  # ڕ reh with small v below → ر
    "\u06b5": "\u0644",  # ڵ lam with small v → ل
    "\u06ce": "\u064a",  # ێ yeh with small v → ي
    "\u06c6": "\u0648",  # ۆ oe → و
    # Urdu: the same letters in their Urdu shapes.
    "\u06ba": "\u0646",  # ں noon ghunna → ن
    "\u06be": "\u0647",  # ھ heh doachashmee (aspiration: بھ) → ه
    "\u06c3": "\u0647",  # ۃ teh marbuta goal → ه
}

# --- Ethiopic script -----------------------------------------------------------
# Amharic writes one sound with several letter series (ሀ ሐ ኀ = h, ሰ ሠ = s, አ ዐ = ʔ,
# ጸ ፀ = ts); spelling varies between writers and dictionaries, and readers treat
# the series as interchangeable, so each folds to its first series, order by
# order (ሓ → ሃ, ሡ → ሱ, ዕ → እ). Tigrinya still keeps ሐ (ḥ) and ዐ (ʕ) apart from
# ሀ and አ; folding them costs a few Tigrinya minimal pairs in search, where
# both sides fold the same way and typos are tolerated anyway.
_ETHIOPIC_SERIES = {0x1210: 0x1200, 0x1280: 0x1200, 0x1220: 0x1230, 0x12D0: 0x12A0, 0x1340: 0x1338}
_ETHIOPIC_MAP = {
    chr(variant + order): chr(base + order)
    for variant, base in _ETHIOPIC_SERIES.items()
    for order in range(7)
}
_ETHIOPIC_MAP["\u1227"] = "\u1237"  # ሧ → ሷ (swa)
# Arabic-Indic and Persian digits → ASCII, so "۱۱۲" finds "112".
_ARABIC_MAP.update({chr(0x0660 + i): str(i) for i in range(10)})
_ARABIC_MAP.update({chr(0x06F0 + i): str(i) for i in range(10)})

# Dropped without a trace: tatweel (a stretching stroke), joiners and direction
# marks (Persian writes ZWNJ inside words: می‌خواهم = میخواهم), soft hyphen.
_DROP = (
    "\u0640\u00ad\u200b\u200c\u200d\u200e\u200f\u2060"
    "\u2066\u2067\u2068\u2069\u202a\u202b\u202c\u202d\u202e\ufeff"
)

# Latin letters that have no decomposition but are typed without their stroke.
_LATIN_MAP = {
    "ı": "i",  # Turkish dotless i: typed as i on foreign keyboards
    "ł": "l",
    "ø": "o",
    "đ": "d",
    "ð": "d",
    "þ": "th",
    "æ": "ae",
    "œ": "oe",
    "ŀ": "l",
    "ħ": "h",
}

_CYRILLIC_MAP = {"ё": "е"}  # Russians mostly type е for ё

_LETTER_MAP = {
    **_ARABIC_MAP,
    **_ETHIOPIC_MAP,
    **_LATIN_MAP,
    **_CYRILLIC_MAP,
    **dict.fromkeys(_DROP, ""),
}
_LETTER_TABLE_KEYS = tuple(_LETTER_MAP)


def _ranges_class(code_points: list[int]) -> str:
    """A regex character class body (no brackets) for sorted ``code_points``."""
    ranges: list[list[int]] = []
    for cp in code_points:
        if ranges and ranges[-1][1] == cp - 1:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp])
    return "".join(
        re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
        for a, b in ranges
    )


# Letters that are letters of their own, not accented ones: Cyrillic й and ї,
# and hamza on waw/yeh (ؤ ئ ۓ), which Arabic and Persian spell differently
# from و ي. They are never decomposed.
_OWN_LETTERS = "йїؤئۓ"


def _scan_unicode() -> tuple[dict[str, str], list[int], list[int], list[int], list[int]]:
    """One pass over all code points, at import (about 0.5 s).

    Returns: the accent-stripped form of every BMP character with a canonical
    decomposition; combining marks (Mn, Me) in and beyond the BMP; uppercase
    letters in and beyond the BMP. Classes are split at the end of the BMP
    because ``re`` tests a BMP-only class with a bitmap but a wider one range
    by range, about ten times slower on long texts.
    """
    decomposed: dict[str, str] = {}
    marks: list[int] = []
    upper: list[int] = []
    for cp in range(sys.maxunicode + 1):
        c = chr(cp)
        category = unicodedata.category(c)
        if category in ("Mn", "Me"):
            marks.append(cp)
        elif category in ("Lu", "Lt") or (category[0] in "LSN" and c.isupper()):
            upper.append(cp)
        if cp <= 0xFFFF and c not in _OWN_LETTERS and not 0xAC00 <= cp <= 0xD7A3:
            decomposition = unicodedata.decomposition(c)
            if decomposition and not decomposition.startswith("<"):
                base = "".join(
                    ch for ch in unicodedata.normalize("NFD", c) if unicodedata.category(ch) != "Mn"
                )
                decomposed[c] = base
    bmp = [cp for cp in marks if cp <= 0xFFFF]
    astral = [cp for cp in marks if cp > 0xFFFF]
    upper_bmp = [cp for cp in upper if cp <= 0xFFFF]
    upper_astral = [cp for cp in upper if cp > 0xFFFF]
    return decomposed, bmp, astral, upper_bmp, upper_astral


_DECOMPOSED, _marks_bmp, _marks_astral, _upper_bmp, _upper_astral = _scan_unicode()
_ACCENTED = re.compile(f"[{_ranges_class(sorted(map(ord, _DECOMPOSED)))}]")
_MARKS = re.compile(f"[{_ranges_class(_marks_bmp)}]+")
_MARKS_ASTRAL = re.compile(f"[{_ranges_class(_marks_astral)}]+")
_UPPER = re.compile(f"[{_ranges_class(_upper_bmp)}]")
_UPPER_ASTRAL = re.compile(f"[{_ranges_class(_upper_astral)}]")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_LETTER_VARIANTS = re.compile(f"[{re.escape(''.join(_LETTER_TABLE_KEYS))}]")
del _marks_bmp, _marks_astral, _upper_bmp, _upper_astral

# French elision (l'école, d'accord, qu'il) splits at the apostrophe; any other
# apostrophe is inside a word (Ukrainian м'ясо, transliterated "nimets'kyi") and
# is dropped so the word stays whole.
_APOSTROPHES = "'’ʼ‘`´ʹʻ"
_ELISION = re.compile(rf"\b(?:[a-z]|qu|jusqu|lorsqu|puisqu)[{_APOSTROPHES}](?=\w)")
_APOSTROPHE = re.compile(f"[{_APOSTROPHES}]")
# Anything that is not a letter or digit separates words (underscore included).
_SEPARATORS = re.compile(r"[\W_]+")

_LATIN_LETTERS = re.compile(r"[a-zà-ɏ]")
_CYRILLIC_LETTERS = re.compile(r"[\u0400-\u04ff]")
_WORD = re.compile(r"\S+")
_LETTER = re.compile(r"[a-zà-ɏ\u0400-\u04ff]")
_SPACES = re.compile(r"\s+")

# Letters that look the same in Latin and Cyrillic (lower case, and the lower
# case of capitals that look alike: В Н М Т К). A mixed-script word is written
# in its majority script: "мoлoкo" with Latin o's becomes all Cyrillic.
_LAT_TO_CYR = dict(zip("aceopxyikmhtbj", "асеорхуікмнтвј", strict=True))
_CYR_TO_LAT = {
    **{c: lat for lat, c in _LAT_TO_CYR.items()},
    "ѕ": "s",
    "ԁ": "d",
    "ԛ": "q",
    "ԝ": "w",
}
_TO_CYR = str.maketrans(_LAT_TO_CYR)
_TO_LAT = str.maketrans(_CYR_TO_LAT)


def _unmix(word: str) -> str:
    latin = len(_LATIN_LETTERS.findall(word))
    cyrillic = len(_CYRILLIC_LETTERS.findall(word))
    if latin > cyrillic:
        return word.translate(_TO_LAT)
    if cyrillic > latin:
        return word.translate(_TO_CYR)
    # A tie goes to the script the word starts with.
    first = _LETTER.search(word)
    if first and _CYRILLIC_LETTERS.match(first.group(0)):
        return word.translate(_TO_CYR)
    return word.translate(_TO_LAT)


def _base_letter(match: re.Match[str]) -> str:
    return _DECOMPOSED[match.group(0)]


def _letter_variant(match: re.Match[str]) -> str:
    return _LETTER_MAP[match.group(0)]


def _fold_once(text: str) -> str:
    if text.isascii():
        s = text.lower()
    else:
        # Each step is skipped when a quick test shows it would change nothing:
        # the search index folds millions of words.
        # NFKC composes what was typed decomposed (и + ◌̆ → й); accented
        # letters are then replaced by their base letter one by one, which is
        # much faster than decomposing the whole text.
        s = unicodedata.normalize("NFKC", text).casefold()
        if not unicodedata.is_normalized("NFKC", s):
            s = unicodedata.normalize("NFKC", s)
        s = _ACCENTED.sub(_base_letter, s)
        s = _MARKS.sub("", s)
        if _ASTRAL.search(s):
            s = _MARKS_ASTRAL.sub("", s)
        # A regex with a callback, not str.translate: translate looks every
        # character up in a dict, five times slower on Arabic text.
        s = _LETTER_VARIANTS.sub(_letter_variant, s)
        if not unicodedata.is_normalized("NFC", s):
            s = unicodedata.normalize("NFC", s)
    if _APOSTROPHE.search(s):
        s = _ELISION.sub(lambda m: m.group(0)[:-1] + " ", s)
        s = _APOSTROPHE.sub("", s)
    s = _SEPARATORS.sub(" ", s).strip()
    if not s.isascii() and _CYRILLIC_LETTERS.search(s) and _LATIN_LETTERS.search(s):
        s = _WORD.sub(lambda m: _unmix(m.group(0)), s)
    return s


def _has_upper(s: str) -> bool:
    return bool(_UPPER.search(s) or (_ASTRAL.search(s) and _UPPER_ASTRAL.search(s)))


def fold(text: str) -> str:
    """Fold ``text`` (any str) for comparison; returns lowercase words joined by one space.

    Steps: Unicode compatibility normalisation (NFKC: ligatures, full-width and
    Arabic presentation forms), casefolding (ß → ss), removal of accents and
    harakat, unification of Arabic/Persian letter variants (أ إ آ ٱ → ا,
    ة ە ہ ھ → ه, ى ی ے ێ → ي, ک → ك, Sorani ڕ ڵ ۆ → ر ل و, Urdu ں → ن,
    Arabic-Indic digits → 0-9), of Ethiopic letter series that spell one sound
    (ሐ ኀ → ሀ, ሠ → ሰ, ዐ → አ, ፀ → ጸ), removal of tatweel and
    zero-width joiners, Latin/Cyrillic lookalikes in a mixed word written in
    the word's majority script, punctuation and symbols turned into spaces,
    whitespace collapsed and stripped. Other letters (Cyrillic й ї, Urdu ٹ ڈ ڑ)
    are kept as they are. ``fold(fold(x)) == fold(x)``.
    """
    s = _fold_once(text)
    if not s.isascii() and not s.islower() and _has_upper(s):
        # A handful of characters (e.g. some Greek and Cherokee letters) only
        # lower-case after the steps above; those that never do are dropped.
        s = _fold_once(s.lower())
        if _has_upper(s):
            s = _SPACES.sub(" ", _UPPER_ASTRAL.sub("", _UPPER.sub("", s))).strip()
    return s


def tokens(text: str) -> list[str]:
    """The folded words of ``text`` (any str), in order; empty list for no words."""
    return fold(text).split()


@functools.lru_cache(maxsize=65536)
def fold_word(word: str) -> str:
    """:func:`fold` with a cache, for single words seen again and again."""
    return fold(word)


def script_of(word: str) -> str:
    """The script of a folded word, by its first letter.

    Returns ``"latin"``, ``"cyrillic"``, ``"arabic"``, ``"ethiopic"``, or
    ``"other"`` (digits, other scripts). Used to compare words only with words
    a user could have meant.
    """
    for ch in word:
        cp = ord(ch)
        if ch.isdigit():
            continue
        if cp < 0x0250 or 0x1E00 <= cp <= 0x1EFF:
            return "latin"
        if 0x0400 <= cp <= 0x052F:
            return "cyrillic"
        if 0x0600 <= cp <= 0x06FF or 0x0750 <= cp <= 0x077F or 0x08A0 <= cp <= 0x08FF:
            return "arabic"
        if 0x1200 <= cp <= 0x139F or 0x2D80 <= cp <= 0x2DDF or 0xAB00 <= cp <= 0xAB2F:
            return "ethiopic"
        return "other"
    return "other"

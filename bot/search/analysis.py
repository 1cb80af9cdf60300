"""Text analysis for the search: stop words, stemmers, transliteration.

Everything here maps folded words (:func:`bot.search.textnorm.fold`) to index
terms; the same functions serve the index (:mod:`bot.search.index`) and the
query (:mod:`bot.search.query`), so both agree on what a word means.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import snowballstemmer

from bot.search.textnorm import fold

__all__ = [
    "ROMANIZE",
    "ROMANIZE_UK",
    "SCRIPT_LANGUAGES",
    "STOPWORDS",
    "is_free_word",
    "make_stemmer",
]

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
    "prs": "کجا در كجا چطور از به در كه را با براي برايم من مره ميخواهم ميتوانم كدام است هست دارم",
    "ckb": "له كوي چون چي من دەمەوێ دەتوانم بو و يان به كه ئەم ئەو هەیە",
    "ku": "ku li ez dikarim cawa ci u an ji bi min dixwazim dive heye kengi",
    "so": "xaggee halkee sidee maxaa waa ma iyo ama ka la aan waxaan rabaa doonayaa meeqa",
    "am": "የት እንዴት ምን ነው አለ ውስጥ እና ወይም እኔ እፈልጋለሁ ላይ",
    "ur": "کہاں کیسے کیا میں میرے مجھے ہے ہیں کا کی کے کو سے پر اور یا چاہیے چاہتا کوئی",
    "it": "dove posso come cosa il lo la gli le un una di del della in per con mi io voglio "
    "cerco trovare",
    "es": "donde dónde puedo como cómo que qué el los las un una de del en para con mi yo quiero "
    "necesito busco hay",
    "sq": "ku mund si cfare nje ne per me dhe ose une dua kam nevoje kerkoj eshte",
    "ro": "unde pot cum ce un de la in pe pentru cu si sau eu vreau caut este sunt",
    "pl": "gdzie jak moge co na do dla lub czy jest sa ja chce potrzebuje szukam mi mnie moj moja",
}
STOPWORDS: frozenset[str] = frozenset(
    word for text in _STOPWORDS_RAW.values() for word in fold(text).split()
)

# --- "free" ------------------------------------------------------------------------
# Words that ask for something free of charge. The search reads them as "prefer
# entries with ``cost: free``", not as a word to find in titles ("LOD – free
# online dictionary" is no free course). Whole words, and word starts that
# cover the inflected forms.
_FREE_WORDS = frozenset(
    fold(
        "free gratis umsonst kostenlos kostenlose kostenlosen kostenloser kostenloses "
        "gebuhrenfrei gratuit gratuite gratuits gratuites gratuitement gratuito gratuita "
        "gratuitos gratuitas ucretsiz bedava مجاني مجانا مجانية مجاناً بالمجان ببلاش "
        "رایگان مجانی وړیا مفت ብነጻ ነጻ ናጻ frai darmowy darmowe darmowa darmo bezpłatny "
        "bezpłatne bezpłatna falas bilaash belaş bêpere بەخۆڕایی بەخۆرایی በነጻ gratuită"
    ).split()
)
_FREE_STARTS = tuple(fold("безкоштовн безоплатн бесплатн kostenlos gratuit ucretsiz مجاني").split())


def is_free_word(word: str) -> bool:
    """True when the folded ``word`` means "free of charge" in one of the languages."""
    return word in _FREE_WORDS or word.startswith(_FREE_STARTS)


# --- stemming ------------------------------------------------------------------
# Snowball has no stemmer for Albanian, Somali, Kurdish, Amharic or Urdu: their
# words are matched whole (plus prefixes and typos, see bot.search.query).
_SNOWBALL = {
    "en": "english", "de": "german", "fr": "french", "pt": "portuguese", "ru": "russian",
    "it": "italian", "es": "spanish", "ro": "romanian", "pl": "polish",
}  # fmt: skip

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


# Kurmanji has no Snowball stemmer: strip the izafe and oblique endings (folded:
# -ê → e), which carry most of the variation in short questions: "kursa zimên",
# "zarokên min", "ji bo penaberan" (kurs, zarok, penaber).
_KU_SUFFIXES = ("eke", "eki", "yen", "ye", "ya", "en", "an", "ek", "e", "a")


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


#: The stemmer for Arabic-script words: "light10" (above) or "snowball" (Snowball's
#: Arabic stemmer on the folded word). Compared on tests/search_eval.yaml with
#: ``python -m bench.search_eval_report --arabic-stemmer snowball``.
ARABIC_STEMMER = "light10"


def _snowball_arabic() -> Callable[[str], str]:
    stem = snowballstemmer.stemmer("arabic").stemWord
    return lambda w: fold(stem(w)) or w


def make_stemmer(lang: str) -> Callable[[str], str] | None:
    """The stemmer for ``lang`` (folded word → folded stem), or None for none."""
    if lang in ("ar", "fa", "prs", "ps") and ARABIC_STEMMER == "snowball":
        return _snowball_arabic()
    if lang in _SNOWBALL:
        stem = snowballstemmer.stemmer(_SNOWBALL[lang]).stemWord
        # Snowball output can hold letters folding removes (it writes some of
        # its own normalisations); fold again so index and query agree.
        return lambda w: fold(stem(w)) or w
    if lang in ("ar", "fa", "prs", "ps"):
        return _stem_arabic
    if lang == "uk":
        # Newer Snowball releases may add Ukrainian; until then, strip endings.
        if "ukrainian" in snowballstemmer.algorithms():
            stem_uk = snowballstemmer.stemmer("ukrainian").stemWord
            return lambda w: fold(stem_uk(w)) or w
        return lambda w: _strip(w, _UK_SUFFIXES, keep=3)
    if lang == "tr":
        return lambda w: _strip(w, _TR_SUFFIXES, keep=3, times=2)
    if lang == "ku":
        return lambda w: _strip(w, _KU_SUFFIXES, keep=3)
    return None


#: Languages whose stemmers apply to a query word, by the word's script.
SCRIPT_LANGUAGES = {
    "latin": ("en", "de", "fr", "pt", "tr", "it", "es", "ro", "pl", "ku"),
    "cyrillic": ("ru", "uk"),
    "arabic": ("ar",),  # one light stemmer serves ar, fa, prs and ps (not ckb, ur)
}

# Cyrillic → Latin as people type it on a Latin keyboard ("kurs nimetskoi").
ROMANIZE = str.maketrans(
    {
        "а": "a", "б": "b", "в": "v", "г": "g", "ґ": "g", "д": "d", "е": "e", "є": "ie",
        "ж": "zh", "з": "z", "и": "i", "і": "i", "ї": "i", "й": "i", "к": "k", "л": "l",
        "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u",
        "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y",
        "ь": "", "э": "e", "ю": "iu", "я": "ia",
    }
)  # fmt: skip
ROMANIZE_UK = str.maketrans({"г": "h", "и": "y"})

"""Languages, gettext catalogs, fallback chains and right-to-left safety.

UI strings live in gettext catalogs under ``locales/<lang>/LC_MESSAGES/messages.po``
(domain ``messages``), extracted and compiled with Babel. Each update gets its own
:class:`Translator` for the user's locale; nothing is installed process-wide, because
one process serves many users in many languages at once.
"""

from __future__ import annotations

import datetime as dt
import functools
import gettext
import io
import logging
import os
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

log = logging.getLogger(__name__)

DOMAIN = "messages"

#: The UI languages, in the order the language picker shows them.
#:
#: Codes are 2-3 small ASCII letters (they travel in callback data, are stored in the
#: database, name the catalog folders and are keys in content files). Dari is
#: ``prs`` (ISO 639-3), not ``fa_AF``: CLDR knows Dari as the locale ``fa_AF`` (its
#: own alias table maps prs → fa_AF), but a territory suffix would make Dari look
#: like a variant of ``fa`` to every ``split("-")[0]``, and would not fit the
#: ``[a-z]{2,3}`` language patterns of the content tools. Babel gets ``fa_AF`` through
#: :data:`BABEL_LOCALES`. ``ku`` is Kurmanji (Latin script), ``ckb`` Sorani (Arabic
#: script).
LANGUAGES: tuple[str, ...] = (
    "ar", "de", "en", "fa", "fr", "lb", "ps", "pt", "ru", "ti", "tr", "uk",
    "prs", "ku", "ckb", "so", "am", "ur", "it", "es", "sq", "ro", "pl",
)  # fmt: skip

#: Language used when nothing else is known, and the last resort for UI strings.
DEFAULT_LANGUAGE = "en"

#: Extra languages tried, in order, before English (and then the region's own
#: language) when content is missing in the user's language. A chain lists only
#: languages that most speakers of the first language actually read; when in doubt
#: there is no chain and English follows. Per-region preferences (French in
#: Luxembourg) are not made here.
#:
#: - prs → fa: written Dari and Iranian Persian are one language with some
#:   different words; every Dari reader reads Persian text.
#: - fa → prs: the same in the other direction.
#: - ps → prs, fa: Pashto speakers from Afghanistan are schooled in and read Dari
#:   (both are official languages there); Iranian Persian when Dari is missing.
#: - ckb → ar, fa: most Sorani speakers here come from Iraq, where Arabic is an
#:   official language and a school subject; those from Iran read Persian (their
#:   school language). Not Kurmanji: another script (Latin) and written Sorani and
#:   Kurmanji are only partly intelligible to each other.
#: - ku → tr, ar: most Kurmanji speakers here come from Turkey and went to Turkish
#:   schools; Kurmanji's Latin alphabet is built on the Turkish one, so Turkish is the
#:   closest readable text. Kurds from Syria and Iraq (Yazidis) read Arabic, which
#:   follows. Not Sorani (Arabic script).
#: - lb → de, fr: Luxembourgers are schooled in German and French.
#: - No chain (straight to English): ur (English is an official language of Pakistan;
#:   Arabic script alone does not make Arabic or Persian readable), am (Tigrinya shares
#:   the Ethiopic script but not the language; secondary school in Ethiopia is in
#:   English), ti (likewise), so (Arabic in Somalia is mostly the language of religious
#:   reading, not of everyday texts), sq, ro, pl, it, es, pt (Romance languages are
#:   partly intelligible to each other, but a text in a language the reader never
#:   chose is no better than English for most; Luxembourg's French is a regional
#:   matter), ru, de, fr, tr, ar, ti.
#: - uk: never Russian. Many Ukrainians read Russian, but showing it to people who fled
#:   the Russian invasion is not acceptable; English follows (a test guards this).
FALLBACKS: dict[str, tuple[str, ...]] = {
    "prs": ("fa",),
    "fa": ("prs",),
    "ps": ("prs", "fa"),
    "ckb": ("ar", "fa"),
    "ku": ("tr", "ar"),
    "lb": ("de", "fr"),
}

#: Fallbacks nobody may configure (reader language → refused language → why). A region's
#: ``fallbacks`` in region.yaml are refused with this reason, and :func:`content_chain`
#: drops them anyway.
NEVER_FALLBACK: dict[str, dict[str, str]] = {
    "uk": {
        "ru": "Ukrainian readers are never shown Russian: many fled the Russian war and "
        "a Russian text in its place is hurtful; English is the fallback",
    },
}

#: Telegram sends IETF tags (``pt-br``, ``fa-AF``); some clients send ISO 639-3 or
#: ISO 639-2 codes. Keys are the tag's first part, lower case.
_ALIASES = {
    "pbt": "ps", "pus": "ps",
    "pes": "fa", "per": "fa", "fas": "fa",
    "ltz": "lb",
    "kmr": "ku", "kur": "ku",
    "som": "so", "amh": "am", "urd": "ur", "ita": "it", "spa": "es",
    "sqi": "sq", "alb": "sq", "ron": "ro", "rum": "ro", "mo": "ro", "pol": "pl",
}  # fmt: skip

#: Babel (CLDR) locale for dates, numbers, names and plural rules where the UI code
#: is not the right CLDR locale: CLDR's "pt" is Brazilian, newcomers in Luxembourg
#: write European Portuguese; Dari is CLDR's fa_AF (Afghan month names such as
#: «جنوری», «نومبر»; Extended Arabic-Indic digits).
BABEL_LOCALES = {"pt": "pt_PT", "prs": "fa_AF"}

#: UI codes that are no CLDR language code (Babel cannot parse them directly).
_NOT_IN_CLDR = frozenset({"prs"})

#: Own names where Babel's differs from what speakers call the language: CLDR names
#: fa_AF «فارسی (افغانستان)» although its own data calls the language «دری»; Sorani
#: speakers say «کوردی (سۆرانی)», which also pairs with Kurmanji's «Kurdî (kurmancî)»
#: in the picker (CLDR: «کوردیی ناوەندی», "Central Kurdish").
_ENDONYMS = {"prs": "دری", "ckb": "کوردی (سۆرانی)"}

#: English names for editors where CLDR's ("Kurdish", "Central Kurdish") hide which
#: Kurdish is meant.
_ENGLISH_NAMES = {"ku": "Kurdish (Kurmanji)", "ckb": "Kurdish (Sorani)"}

#: Digits of the CLDR numbering systems a UI locale uses by default (Babel formats
#: only the separators of a numbering system, never its digits).
_DIGITS = {"arab": "٠١٢٣٤٥٦٧٨٩", "arabext": "۰۱۲۳۴۵۶۷۸۹"}

LRI, FSI, PDI = "\u2066", "\u2068", "\u2069"
RLM = "\u200f"


def locales_dir() -> Path:
    """Folder holding the gettext catalogs (``BOT_LOCALES_DIR`` or ``<repo>/locales``)."""
    return Path(
        os.environ.get("BOT_LOCALES_DIR") or Path(__file__).resolve().parent.parent / "locales"
    )


def normalize_language(code: str | None) -> str | None:
    """Map a Telegram ``language_code`` (IETF tag) to a supported UI language, or None."""
    if not code:
        return None
    parts = code.replace("_", "-").lower().split("-")
    base = _ALIASES.get(parts[0], parts[0])
    if base == "fa" and "af" in parts[1:]:
        return "prs"  # fa-AF, fa-Arab-AF: Dari
    if base == "ku" and "arab" in parts[1:]:
        return "ckb"  # Kurdish in Arabic script is Sorani (ku-Arab, ku-Arab-IQ)
    return base if base in LANGUAGES else None


@functools.cache
def babel_locale(lang: str) -> Locale:
    """The Babel locale of a UI language (``prs`` → ``fa_AF``); ValueError if unknown."""
    try:
        return Locale.parse(BABEL_LOCALES.get(lang, lang))
    except UnknownLocaleError as exc:
        raise ValueError(f"unknown language {lang!r}") from exc


@functools.cache
def is_rtl(lang: str) -> bool:
    """True for right-to-left scripts (Babel's CLDR data: ar, fa, prs, ps, ckb, ur)."""
    try:
        return babel_locale(lang).text_direction == "rtl"
    except (ValueError, TypeError):
        return False


@functools.cache
def language_name(lang: str) -> str:
    """The language's own name (endonym) from Babel, capitalised: ``uk`` → ``Українська``."""
    if lang in _ENDONYMS:
        return _ENDONYMS[lang]
    try:
        locale = babel_locale(lang)
    except (ValueError, TypeError):
        return lang
    name = locale.get_display_name(locale) or lang
    return name[:1].upper() + name[1:]


def display_name(lang: str, locale: Locale | str) -> str:
    """The name of UI language ``lang`` in ``locale``: ``prs`` → "Dari" in English,
    «دری» in Persian (CLDR names the locale fa_AF so); unknown codes come back as they are."""
    try:
        where = locale if isinstance(locale, Locale) else Locale.parse(locale)
        if where.language == "en" and lang in _ENGLISH_NAMES:
            return _ENGLISH_NAMES[lang]
        if lang in _NOT_IN_CLDR:
            name = where.languages.get(BABEL_LOCALES[lang])
            if name:
                return name
            return babel_locale(lang).get_display_name(where) or lang
        return Locale.parse(lang).get_display_name(where) or lang
    except (UnknownLocaleError, ValueError, TypeError):
        return lang


def content_chain(
    lang: str, region_default: str, region_fallbacks: tuple[str, ...] = ()
) -> tuple[str, ...]:
    """The fallback chain for content: user language, the region's fallbacks for it
    (region.yaml ``fallbacks``), its general fallbacks, English, region default."""
    chain = [lang, *region_fallbacks, *FALLBACKS.get(lang, ()), DEFAULT_LANGUAGE, region_default]
    never = NEVER_FALLBACK.get(lang, {})
    return tuple(code for code in dict.fromkeys(chain) if code not in never)


def pick_language(available: set[str] | dict, chain: tuple[str, ...]) -> str | None:
    """First language of ``chain`` in ``available``; else any available one (sorted), or None."""
    for lang in chain:
        if lang in available:
            return lang
    return min(available) if available else None


def isolate(text: str) -> str:
    """Wrap a left-to-right fragment (phone, URL, Latin name) in LRI…PDI.

    Telegram picks a paragraph's direction from its first strong character, so
    numbers and Latin words inside Arabic text flip unless isolated (Unicode
    Bidirectional Algorithm, UAX #9, isolates).
    """
    return f"{LRI}{text}{PDI}"


def isolate_auto(text: str) -> str:
    """Wrap text of unknown direction (a title in any script) in FSI…PDI."""
    return f"{FSI}{text}{PDI}"


class Translator:
    """gettext for one locale, plus the locale's direction helpers.

    ``gettext``/``ngettext`` follow the stdlib signatures; ``_`` is an alias.
    """

    def __init__(self, lang: str, translations: gettext.NullTranslations):
        self.lang = lang
        self.locale = babel_locale(lang)
        self.rtl = is_rtl(lang)
        self._t = translations
        self._digits = str.maketrans(
            "0123456789", _DIGITS.get(self.locale.default_numbering_system, "0123456789")
        )

    def gettext(self, message: str) -> str:
        return self._t.gettext(message)

    _ = gettext

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self._t.ngettext(singular, plural, n)

    def digits(self, text: str) -> str:
        """ASCII digits in ``text`` as the locale writes them (Dari, Persian, Pashto:
        ۰۱۲…; Sorani: ٠١٢…; the rest keep 0-9). Never for phone numbers or times
        that people type or dial."""
        return text.translate(self._digits)

    def number(self, value: float | int) -> str:
        """A number with the locale's separators and digits (``1234`` → ``۱٬۲۳۴``)."""
        return self.digits(format_decimal(value, locale=self.locale, numbering_system="default"))

    def date(self, value: dt.date, format: str = "long") -> str:
        """A date with the locale's month names and digits, e.g. Dari ``۳۰ نومبر ۲۰۲۶``.

        Gregorian calendar: the dates people deal with here (letters, appointments) are
        Gregorian; Dari gets CLDR's Afghan month names (جنوری … دسمبر), not Iranian
        ones (ژانویه …). ``long`` by default: CLDR's medium formats abbreviate months
        into forms many readers do not know (Dari «جنو», Kurmanji «rbn», Somali "Jan").
        """
        return self.digits(format_date(value, format=format, locale=self.locale))

    def ltr(self, text: str) -> str:
        """Isolate a left-to-right fragment when this locale is right-to-left."""
        return isolate(text) if self.rtl else text

    def auto(self, text: str) -> str:
        """Isolate a fragment of unknown direction when this locale is right-to-left."""
        return isolate_auto(text) if self.rtl else text

    def paragraph(self, text: str) -> str:
        """Start a right-to-left message with RLM so a leading number cannot flip it."""
        return RLM + text if self.rtl else text


def _load_catalog(lang: str, directory: Path) -> gettext.NullTranslations:
    folder = directory / lang / "LC_MESSAGES"
    po, mo = folder / f"{DOMAIN}.po", folder / f"{DOMAIN}.mo"
    if mo.is_file() and (not po.is_file() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as fp:
            return gettext.GNUTranslations(fp)
    if po.is_file():
        # A catalog edited after the last `pybabel compile` is compiled in memory,
        # so a stale .mo never hides a fix.
        with po.open("rb") as fp:
            catalog = read_po(fp, locale=lang, domain=DOMAIN)
        buf = io.BytesIO()
        write_mo(buf, catalog, use_fuzzy=False)
        buf.seek(0)
        return gettext.GNUTranslations(buf)
    if lang != DEFAULT_LANGUAGE:
        log.warning("no catalog for %s in %s", lang, directory)
    return gettext.NullTranslations()


@functools.cache
def translator(lang: str | None) -> Translator:
    """The :class:`Translator` for ``lang`` (unsupported or None: English)."""
    code = normalize_language(lang) or DEFAULT_LANGUAGE
    return Translator(code, _load_catalog(code, locales_dir()))


def N_(message: str) -> str:
    """Mark a string for extraction without translating it (translated at use)."""
    return message

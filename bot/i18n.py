"""Languages, gettext catalogs, fallback chains and right-to-left safety.

UI strings live in gettext catalogs under ``locales/<lang>/LC_MESSAGES/messages.po``
(domain ``messages``), extracted and compiled with Babel. Each update gets its own
:class:`Translator` for the user's locale; nothing is installed process-wide, because
one process serves many users in many languages at once.
"""

from __future__ import annotations

import functools
import gettext
import io
import logging
import os
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

log = logging.getLogger(__name__)

DOMAIN = "messages"

#: The UI languages, in the order the language picker shows them.
LANGUAGES: tuple[str, ...] = (
    "ar", "de", "en", "fa", "fr", "lb", "ps", "pt", "ru", "ti", "tr", "uk",
)  # fmt: skip

#: Language used when nothing else is known, and the last resort for UI strings.
DEFAULT_LANGUAGE = "en"

#: Extra languages tried before English when content is missing in the user's
#: language. Pashto speakers in Afghanistan widely read Dari (fa); Luxembourgish
#: readers read German and French. Ukrainian deliberately does not fall back to
#: Russian.
FALLBACKS: dict[str, tuple[str, ...]] = {
    "ps": ("fa",),
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

#: Telegram sends IETF tags (``pt-br``); some clients send ISO 639-3 codes.
_ALIASES = {"prs": "fa", "pbt": "ps", "pus": "ps", "per": "fa", "fas": "fa", "ltz": "lb"}

#: Babel locale for dates and numbers where the bare language code picks the wrong
#: variant: CLDR's "pt" is Brazilian; newcomers in Luxembourg write European Portuguese.
BABEL_LOCALES = {"pt": "pt_PT"}

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
    base = code.replace("_", "-").split("-")[0].lower()
    base = _ALIASES.get(base, base)
    return base if base in LANGUAGES else None


@functools.cache
def is_rtl(lang: str) -> bool:
    """True for right-to-left scripts (Babel's CLDR data: ar, fa, ps, ...)."""
    try:
        return Locale.parse(lang).text_direction == "rtl"
    except (UnknownLocaleError, ValueError):
        return False


@functools.cache
def language_name(lang: str) -> str:
    """The language's own name (endonym) from Babel, capitalised: ``uk`` → ``Українська``."""
    try:
        name = Locale.parse(lang).get_display_name(lang) or lang
    except (UnknownLocaleError, ValueError):
        return lang
    return name[:1].upper() + name[1:]


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
        self.locale = Locale.parse(BABEL_LOCALES.get(lang, lang))
        self.rtl = is_rtl(lang)
        self._t = translations

    def gettext(self, message: str) -> str:
        return self._t.gettext(message)

    _ = gettext

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self._t.ngettext(singular, plural, n)

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

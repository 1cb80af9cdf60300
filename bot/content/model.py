"""The content model: what content editors write in YAML, validated by pydantic.

Layout on disk (see ``content/README.md`` for the editors' version)::

    content/
      categories.yaml                 # list of Category
      countries/<country-id>/country.yaml
      countries/<country-id>/entries/<entry-id>.yaml   # national entries
      regions/<region-id>/region.yaml
      regions/<region-id>/entries/<entry-id>.yaml      # regional / municipal entries

Every model forbids unknown keys, so a misspelt key is reported instead of being
silently ignored. Checks that pydantic can run itself (lengths, patterns, allowed
values) are declared as types, because they run in pydantic's compiled core: the
loader validates tens of thousands of files. The validators below only explain
values in words an editor understands; :mod:`bot.content.load` turns pydantic's
errors into ``file:line: message`` lines.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

from bot.i18n import LANGUAGES, NEVER_FALLBACK

#: Telegram limits a message to 4096 characters after entity parsing (Bot API,
#: sendMessage). A card shows title + summary + structured fields, so each of
#: those must stay well below it; these limits leave room for the rest.
TITLE_MAX_CHARS = 120
SUMMARY_MAX_CHARS = 600
BODY_MAX_CHARS = 2500

Slug = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,39}$"),
]
"""Ids are short lowercase ASCII slugs: they travel in callback data, which
Telegram limits to 64 bytes (Bot API, InlineKeyboardButton.callback_data)."""

# Only the bot's own languages: a text under any other code (say 'ua' for
# Ukrainian) would never be shown to anybody, so it is an editor's mistake.
LangCode = Literal[LANGUAGES]  # type: ignore[valid-type]

# International form, or a short emergency / help number: 110, 112, 113 and the
# harmonised European 116 xxx numbers. Any other short number is a mistake.
_PHONE_RE = re.compile(r"^(\+[1-9][0-9 ]{5,20}[0-9]|11[0-9]( ?[0-9]{3})?)$")
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.IGNORECASE)
_URL_RE = re.compile(r"^https?://[a-z0-9.-]+\.[a-z]{2,}(:[0-9]+)?(/[^\s]*)?$", re.IGNORECASE)
_SCHEME_RE = re.compile(r"^([a-z]+)(:/*|//)", re.IGNORECASE)

_PHONE_EXAMPLE = "e.g. '+352 45 45 45' or '+49 6421 405 0'"
_URL_EXAMPLE = "e.g. 'https://www.remich.lu/'"


def _quoted(value: str, limit: int = 60) -> str:
    """``value`` in single quotes, cut to ``limit`` characters so a message stays one line."""
    value = " ".join(value.split())
    if len(value) > limit:
        value = value[: limit - 1] + "…"
    return f"'{value}'"


def _check_phone(value: str) -> str:
    if _PHONE_RE.match(value):
        return value
    shown = _quoted(value)
    if not value:
        raise ValueError("the phone number is empty — write the number or delete the line")
    if re.search(r"[^\W\d_]", value):
        raise ValueError(
            f"{shown} contains letters — write only '+', digits and spaces, {_PHONE_EXAMPLE}"
        )
    digits = re.sub(r"[^0-9+]+", " ", re.sub(r"\(0\)", " ", value)).split()
    cleaned = " ".join(digits)
    if cleaned.startswith("00") and len(cleaned) > 2:
        suggestion = _quoted("+" + cleaned[2:].lstrip())
        raise ValueError(f"{shown} — write the country code with '+' instead of '00': {suggestion}")
    if cleaned != value and _PHONE_RE.match(cleaned):
        raise ValueError(f"{shown} — write only '+', digits and spaces: {_quoted(cleaned)}")
    if cleaned.startswith("0"):
        raise ValueError(
            f"{shown} is a national number — write it with '+' and the country code instead "
            f"of the first 0, {_PHONE_EXAMPLE}"
        )
    if "+" not in value and len(cleaned.replace(" ", "")) <= 4:
        raise ValueError(
            f"{shown} is too short — write the full number with the country code, "
            f"{_PHONE_EXAMPLE}; only emergency and help numbers such as '112', '113' or "
            "'116 111' may be short"
        )
    raise ValueError(
        f"{shown} is not in international form — write '+', the country code and the "
        f"number with spaces, {_PHONE_EXAMPLE}"
    )


def _check_email(value: str) -> str:
    lowered = value.lower()
    if _EMAIL_RE.match(value) and not lowered.startswith("mailto:"):
        return value
    shown = _quoted(value)
    if lowered.startswith("mailto:"):
        hint = f"leave out 'mailto:': {_quoted(value[7:].strip())}"
    elif re.search(r"[,;]|\s\S+@", value):
        hint = "write only one e-mail address; put others in the body"
    elif "@" not in value and re.search(r"\(at\)|\[at\]| at ", lowered):
        hint = "write '@' instead of 'at', e.g. 'info@example.lu'"
    elif re.search(r"\s", value):
        hint = "an e-mail address has no spaces, e.g. 'info@example.lu'"
    else:
        hint = "write it like 'info@example.lu'"
    raise ValueError(f"{shown} is not an e-mail address — {hint}")


def _check_url(value: str) -> str:
    if _URL_RE.match(value):
        return value
    shown = _quoted(value)
    scheme = _SCHEME_RE.match(value)
    rest = value[scheme.end() :] if scheme else value
    if scheme and not rest.strip("/ "):
        raise ValueError(
            f"{shown} — the address after '{scheme.group(0)}' is missing; copy the full "
            f"address from your browser, {_URL_EXAMPLE}"
        )
    if re.search(r"\s", value):
        raise ValueError(
            f"{shown} contains a space — a web address has none; copy it from your "
            f"browser's address bar, {_URL_EXAMPLE}"
        )
    suggestion = "https://" + rest.lstrip("/")
    suggestion = _quoted(suggestion) if _URL_RE.match(suggestion) else ""
    if scheme and scheme.group(1).lower() not in ("http", "https"):
        fix = f": {suggestion}" if suggestion else f", {_URL_EXAMPLE}"
        raise ValueError(
            f"{shown} starts with '{scheme.group(0)}' — a web address starts with https://{fix}"
        )
    if suggestion and not scheme:
        raise ValueError(f"{shown} — write the full address starting with https://: {suggestion}")
    if suggestion:  # 'https//…' or 'https:/…'
        raise ValueError(f"{shown} — write the start as https://: {suggestion}")
    raise ValueError(
        f"{shown} is not a complete web address — copy it from your browser's address bar, "
        f"{_URL_EXAMPLE}"
    )


def _check_opening_hours(value: str) -> str:
    from bot.content.hours import explain_syntax_error

    problem = explain_syntax_error(value)
    if problem:
        raise ValueError(problem)
    return value


Phone = Annotated[str, AfterValidator(_check_phone)]
Email = Annotated[str, AfterValidator(_check_email)]
Url = Annotated[str, AfterValidator(_check_url)]
OpeningHoursText = Annotated[str, AfterValidator(_check_opening_hours)]


def _texts(max_chars: int | None = None) -> type[dict[str, str]]:
    """Texts per language: not empty, at most ``max_chars`` characters each.

    The limits sit on each text (not on the dict) so a problem is reported on
    the line of the language that has it.
    """
    text = Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=max_chars)
    ]
    return dict[LangCode, text]  # type: ignore[return-value, valid-type]


Translated = _texts()
TitleTexts = _texts(TITLE_MAX_CHARS)
SummaryTexts = _texts(SUMMARY_MAX_CHARS)
BodyTexts = _texts(BODY_MAX_CHARS)


class Strict(BaseModel):
    # A field's docstring is its description: shown to editors on hover in the JSON
    # Schema (bot/editing/schema.py), written once, here.
    model_config = ConfigDict(
        extra="forbid", frozen=True, str_strip_whitespace=True, use_attribute_docstrings=True
    )


class GeoPoint(Strict):
    """WGS84 coordinates in decimal degrees."""

    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class Category(Strict):
    """One of the fixed top-level categories (``categories.yaml``)."""

    id: Slug
    """Never change it once used: every entry points to a category."""
    icon: str = ""
    """One emoji; please never a flag."""
    name: Translated
    """Name of the topic in all the bot's languages."""
    keywords: dict[LangCode, list[str]] = Field(default_factory=dict)
    """Words people type, per language (4 to 10 each)."""


class CategoryFile(Strict):
    categories: list[Category]


class Country(Strict):
    """A country whose national entries apply to every region in it."""

    id: Slug
    """Same as the folder name under countries/."""
    name: Translated
    """Name of the country per language."""
    default_language: LangCode
    """Language every national entry must have (fr for lu, de for de)."""


class Municipality(Strict):
    """A municipality (commune, Gemeinde) of a region.

    ``name`` holds the official name per language; ``aliases`` any other
    spelling people type (Luxembourgish, French, German, transliterations).
    """

    id: Slug
    """a-z, 0-9 and '-'. Never change it once in use: users have chosen it."""
    name: Translated
    """Official name per language."""
    aliases: list[str] = Field(default_factory=list)
    """Other spellings people type: [Réimech, Reimech, Remisch]."""
    geo: GeoPoint
    """The town centre: {lat: 49.545, lon: 6.367}."""
    radius_km: float | None = Field(default=None, gt=0, le=30)
    """A shared location this close to geo (in km) counts as in the municipality
    (default 5). Larger for a big commune, smaller where the next town is close."""
    boundary: list[GeoPoint] | None = Field(default=None, min_length=3)
    """The commune's outline as a list of points [{lat: …, lon: …}, …] (at least 3, from
    an official map). When given, it replaces radius_km."""


WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class DigestSchedule(Strict):
    """When the region's editors get the weekly digest, in the region's time zone."""

    day: Literal[WEEKDAYS] = "monday"  # type: ignore[valid-type]
    """Day of the week in English: monday … sunday."""
    hour: int = Field(default=9, ge=0, le=23)
    """Hour of the day, 0-23."""


class Region(Strict):
    """A region (``regions/<id>/region.yaml``) and its municipalities."""

    id: Slug
    """Same as the folder name under regions/."""
    country: Slug
    """A folder name under countries/, e.g. lu or de."""
    name: Translated
    """Name of the region per language; required in the default language."""
    default_language: LangCode
    """Language every entry must have (fr in Luxembourg, de in Germany)."""
    timezone: str = "Europe/Luxembourg"
    """For 'open now': Europe/Luxembourg or Europe/Berlin."""
    counselling: Slug | None = None
    """Id of the general counselling entry offered when a search finds nothing."""
    municipalities: list[Municipality] = Field(min_length=1)
    """The communes of the region; at least one."""
    fallbacks: dict[LangCode, list[LangCode]] = Field(default_factory=dict)
    """Per reader language, languages shown before English when a text is missing:
    {pt: [fr]} (most Portuguese readers in Luxembourg read French). Ukrainian never
    falls back to Russian."""

    @field_validator("fallbacks")
    @classmethod
    def _no_forbidden_fallbacks(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for lang, chain in value.items():
            for other in chain:
                if other == lang:
                    raise ValueError(
                        f"fallbacks: '{lang}' falls back to itself — list other languages, "
                        f"e.g. {{{lang}: [fr]}}"
                    )
                if other in NEVER_FALLBACK.get(lang, ()):
                    raise ValueError(
                        f"fallbacks: '{lang}' must never fall back to '{other}' — "
                        f"{NEVER_FALLBACK[lang][other]}; delete '{other}' from the list"
                    )
        return value

    digest: DigestSchedule = Field(default_factory=DigestSchedule)
    """Weekly digest for editors, e.g. {day: monday, hour: 9} (the default)."""

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        import difflib
        import zoneinfo

        try:
            zoneinfo.ZoneInfo(value)
            return value
        except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
            pass
        close = difflib.get_close_matches(value, sorted(zoneinfo.available_timezones()), n=1)
        hint = f"did you mean '{close[0]}'?" if close else "use a name like 'Europe/Luxembourg'"
        raise ValueError(
            f"{_quoted(value)} is not a time zone — {hint} (Europe/Luxembourg in "
            "Luxembourg, Europe/Berlin in Germany)"
        )


Scope = Literal["national", "region"] | list[Slug]

#: Fields that would send a newcomer to a real place, number or inbox. An entry
#: with ``example: true`` only illustrates the bot, so it must have none of them
#: (README, section 7): a made-up pin, number or time is a lie about a real street.
EXAMPLE_FORBIDDEN_FIELDS: dict[str, str] = {
    "address": "an address",
    "geo": "a map position (geo)",
    "phone": "a phone",
    "email": "an e-mail address",
    "website": "a website",
    "opening_hours": "opening hours",
}

#: How the message for a real entry without ``source`` starts (``stale`` looks for it).
SOURCE_MISSING = "source is missing"

_SOURCE_EXAMPLE = "e.g. 'source: \"https://guichet.public.lu/fr/citoyens.html\"'"


class Entry(Strict):
    """One service, course, activity or contact.

    ``scope`` is ``national`` (entries under ``countries/``), ``region`` (the
    whole region) or a list of municipality ids.
    """

    id: Slug
    """Short name of the entry: a-z, 0-9 and '-', at most 40 characters. Same as the file name. Never reuse an old id."""
    category: Slug
    """One of the category ids in categories.yaml, e.g. services, language-courses, activities, counselling, health, education, housing, emergency."""
    scope: Scope = "region"
    """Who sees the entry: 'national' (files under countries/), 'region' (default), or a list of municipality ids from region.yaml, e.g. [remich, grevenmacher]."""
    example: bool = False
    """true = only illustrates the bot, not a real offer. Then no address, geo, phone, e-mail, website or opening hours, and no source is needed."""
    title: TitleTexts
    """The name people see in lists, per language. At most 120 characters. Required in the default language (fr in Luxembourg, de in Germany)."""
    summary: SummaryTexts
    """1 to 3 short sentences per language: what it is, for whom, what it costs. At most 600 characters."""
    body: BodyTexts = Field(default_factory=dict)
    """Practical details per language: how to get there, what to bring. Several lines start with '|'. At most 2500 characters."""
    keywords: dict[LangCode, list[str]] = Field(default_factory=dict)
    """Words newcomers would type to find this entry, per language: [word, word]."""
    address: str | None = None
    """Street, number, postcode and town on one line."""
    geo: GeoPoint | None = None
    """Exact coordinates of the door: {lat: 49.681, lon: 6.441}. Leave out if unsure."""
    phone: Phone | None = None
    """International form in quotes: "+352 45 45 45", or a short number: "112"."""
    email: Email | None = None
    """An e-mail address: info@example.lu"""
    website: Url | None = None
    """The full address in quotes, starting with https://"""
    opening_hours: OpeningHoursText | None = None
    """OpenStreetMap format in quotes, e.g. "Mo-Fr 08:00-12:00,13:00-17:00". See content/README.md, section 8."""
    cost: Literal["free", "paid", "reduced"] | None = None
    """free, paid, or reduced (a lower price is possible)."""
    languages: list[LangCode] = Field(default_factory=list)
    """Languages the staff speak, as codes: [fr, de, en]."""
    priority: int | None = Field(default=None, ge=1, le=99)
    """Order in lists: 1 comes first, then 2, …; entries without it follow. Give the
    emergency number (112) priority 1, the police 2."""
    reviewed: dt.date | None = None
    """The day a person compared the entry with its source, YYYY-MM-DD. Only write a day on which you did. The card shows it as 'Last checked'."""
    valid_until: dt.date | None = None
    """For offers that end: after this day (YYYY-MM-DD) the bot hides the entry."""
    source: Url | None = Field(
        default=None,
        # Validated even when missing: a real entry must name its source.
        validate_default=True,
    )
    """Required unless example: true. The official web page the facts come from (https://…): the office's own site, guichet.lu, the commune's site."""
    translated_from: dict[LangCode, str] = Field(
        default_factory=dict,
    )
    """Written by the translation tools (newcomer-bot stamp, minor-edit, import-po). Do not edit by hand."""
    source_hash: str | None = Field(
        default=None,
    )
    """Written by the translation tools. Do not edit by hand."""

    @field_validator("scope")
    @classmethod
    def _scope_not_empty(cls, value: Scope) -> Scope:
        if isinstance(value, list) and not value:
            raise ValueError(
                "the list names no municipality — name at least one, e.g. [remich], "
                "or write 'region'"
            )
        return value

    @field_validator(*EXAMPLE_FORBIDDEN_FIELDS)
    @classmethod
    def _nothing_real_in_examples(cls, value: object, info: ValidationInfo) -> object:
        # ``example`` is declared above these fields, so it is in ``info.data``
        # (unless it was itself wrong, which is reported on its own line).
        if value is not None and info.data.get("example") is True:
            field = info.field_name or ""
            raise ValueError(
                f"{field}: an example entry (example: true) must not have "
                f"{EXAMPLE_FORBIDDEN_FIELDS.get(field, field)} — delete the line; or, if the "
                "offer is real, delete 'example: true' and add the 'source' where you "
                "checked it"
            )
        return value

    @field_validator("source")
    @classmethod
    def _real_entries_name_their_source(cls, value: str | None, info: ValidationInfo) -> str | None:
        if "example" not in info.data:  # 'example' itself is wrong: reported there
            return value
        if value is None and not info.data["example"]:
            raise ValueError(
                f"{SOURCE_MISSING} — every real entry needs the web page where its facts "
                "can be checked (the office's own site, guichet.lu or the commune's site): "
                f"add a line {_SOURCE_EXAMPLE} at the end of the file. If the entry only "
                "illustrates the bot, write 'example: true' instead"
            )
        if value is not None and not value.lower().startswith("https://"):
            secure = "https://" + value.split("://", 1)[-1]
            raise ValueError(
                f"source: {_quoted(value)} — write the secure address starting with "
                f"https://: {_quoted(secure)} (check in your browser that it opens)"
            )
        return value

    def languages_available(self) -> set[str]:
        """Languages that have at least a title and a summary."""
        return set(self.title) & set(self.summary)

    def text_hash(self, lang: str) -> str:
        """Short hash (8 hex digits) of the title, summary and body in ``lang``.

        Translations record it in ``translated_from`` to know which version of
        the source text they were made from.
        """
        parts = (self.title.get(lang, ""), self.summary.get(lang, ""), self.body.get(lang, ""))
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:8]

    def last_checked(self) -> dt.date | None:
        """The "last checked" day a card shows: ``reviewed``, but only when the entry
        names the ``source`` it was compared with (a date alone proves nothing)."""
        return self.reviewed if self.source else None

    def is_visible(self, today: dt.date) -> bool:
        """False once ``valid_until`` has passed."""
        return self.valid_until is None or today <= self.valid_until

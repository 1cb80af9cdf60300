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
values in words an editor understands; :mod:`bot.content.loader` turns pydantic's
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
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class GeoPoint(Strict):
    """WGS84 coordinates in decimal degrees."""

    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class Category(Strict):
    """One of the fixed top-level categories (``categories.yaml``)."""

    id: Slug
    icon: str = ""
    name: Translated
    keywords: dict[LangCode, list[str]] = Field(default_factory=dict)


class CategoryFile(Strict):
    categories: list[Category]


class Country(Strict):
    """A country whose national entries apply to every region in it."""

    id: Slug
    name: Translated
    default_language: LangCode


class Municipality(Strict):
    """A municipality (commune, Gemeinde) of a region.

    ``name`` holds the official name per language; ``aliases`` any other
    spelling people type (Luxembourgish, French, German, transliterations).
    """

    id: Slug
    name: Translated
    aliases: list[str] = Field(default_factory=list)
    geo: GeoPoint
    radius_km: float | None = Field(
        default=None,
        gt=0,
        le=30,
        description="a shared location within this distance of geo counts as inside "
        "(default: DEFAULT_RADIUS_KM in bot.content.store)",
    )
    boundary: list[GeoPoint] | None = Field(
        default=None,
        min_length=3,
        description="the municipality's outline as a polygon (points in order); when "
        "given, a shared location counts as inside only within it, and radius_km is unused",
    )


class Region(Strict):
    """A region (``regions/<id>/region.yaml``) and its municipalities."""

    id: Slug
    country: Slug
    name: Translated
    default_language: LangCode
    timezone: str = "Europe/Luxembourg"
    counselling: Slug | None = Field(
        default=None,
        description="id of the entry newcomers are sent to when the bot cannot help",
    )
    municipalities: list[Municipality] = Field(min_length=1)
    fallbacks: dict[LangCode, list[LangCode]] = Field(
        default_factory=dict,
        description="per reader language: languages tried before English when a text is "
        "missing in theirs, e.g. {pt: [fr]} (most Portuguese readers in Luxembourg read French)",
    )

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
    category: Slug
    scope: Scope = "region"
    example: bool = False
    title: TitleTexts
    summary: SummaryTexts
    body: BodyTexts = Field(default_factory=dict)
    keywords: dict[LangCode, list[str]] = Field(default_factory=dict)
    address: str | None = None
    geo: GeoPoint | None = None
    phone: Phone | None = None
    email: Email | None = None
    website: Url | None = None
    opening_hours: OpeningHoursText | None = None
    cost: Literal["free", "paid", "reduced"] | None = None
    languages: list[LangCode] = Field(default_factory=list)
    priority: int | None = Field(
        default=None,
        ge=1,
        le=99,
        description="order in lists: 1 comes first, then 2, …; entries without priority "
        "follow (the municipality's own first, then by title). Emergency numbers get 1",
    )
    reviewed: dt.date | None = None
    valid_until: dt.date | None = None
    source: Url | None = Field(
        default=None,
        # Validated even when missing: a real entry must name its source.
        validate_default=True,
    )
    translated_from: dict[LangCode, str] = Field(
        default_factory=dict,
        description="per language: source_hash of the text the translation was made from",
    )
    source_hash: str | None = Field(
        default=None,
        description="written by the tooling: hash of the default-language text last stamped",
    )

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

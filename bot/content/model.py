"""The content model: what content editors write in YAML, validated by pydantic.

Layout on disk (see ``content/README.md`` for the editors' version)::

    content/
      categories.yaml                 # list of Category
      countries/<country-id>/country.yaml
      countries/<country-id>/entries/<entry-id>.yaml   # national entries
      regions/<region-id>/region.yaml
      regions/<region-id>/entries/<entry-id>.yaml      # regional / municipal entries

Every model forbids unknown keys, so a misspelt key is reported instead of being
silently ignored.
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
    field_validator,
)

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

LangCode = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}$")]

# International form, or a short national service number such as 112 or 116 111.
_PHONE_RE = re.compile(r"^(\+[1-9][0-9 ]{5,20}[0-9]|[0-9]{3}( ?[0-9]{3})?)$")
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.IGNORECASE)
_URL_RE = re.compile(r"^https?://[a-z0-9.-]+\.[a-z]{2,}(:[0-9]+)?(/[^\s]*)?$", re.IGNORECASE)


def _check_phone(value: str) -> str:
    if not _PHONE_RE.match(value):
        raise ValueError(
            f"phone {value!r} is not in international form — write it with the country "
            "code and digits only, e.g. '+352 247 85700', or a short number such as '112'"
        )
    return value


def _check_email(value: str) -> str:
    if not _EMAIL_RE.match(value):
        raise ValueError(f"email {value!r} is not an e-mail address, e.g. 'info@example.lu'")
    return value


def _check_url(value: str) -> str:
    if not _URL_RE.match(value):
        raise ValueError(
            f"{value!r} is not a web address — it must start with https:// "
            "(e.g. 'https://www.remich.lu/')"
        )
    return value


def _check_opening_hours(value: str) -> str:
    from bot.hours import explain_syntax_error

    problem = explain_syntax_error(value)
    if problem:
        raise ValueError(problem)
    return value


Phone = Annotated[str, AfterValidator(_check_phone)]
Email = Annotated[str, AfterValidator(_check_email)]
Url = Annotated[str, AfterValidator(_check_url)]
OpeningHoursText = Annotated[str, AfterValidator(_check_opening_hours)]


def _nonempty_texts(value: dict[str, str]) -> dict[str, str]:
    for lang, text in value.items():
        if not text or not text.strip():
            raise ValueError(f"the {lang} text is empty — write the text or delete the line")
    return {lang: text.strip() for lang, text in value.items()}


def _limited(max_chars: int):
    def check(value: dict[str, str]) -> dict[str, str]:
        for lang, text in value.items():
            if len(text) > max_chars:
                raise ValueError(
                    f"the {lang} text has {len(text)} characters; at most {max_chars} "
                    "fit on a phone screen — shorten it"
                )
        return value

    return AfterValidator(check)


Translated = Annotated[dict[LangCode, str], AfterValidator(_nonempty_texts)]


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

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {value!r} — use a name like 'Europe/Luxembourg'"
            ) from None
        return value


Scope = Literal["national", "region"] | list[Slug]


class Entry(Strict):
    """One service, course, activity or contact.

    ``scope`` is ``national`` (entries under ``countries/``), ``region`` (the
    whole region) or a list of municipality ids.
    """

    id: Slug
    category: Slug
    scope: Scope = "region"
    example: bool = False
    title: Annotated[Translated, _limited(TITLE_MAX_CHARS)]
    summary: Annotated[Translated, _limited(SUMMARY_MAX_CHARS)]
    body: Annotated[Translated, _limited(BODY_MAX_CHARS)] = Field(default_factory=dict)
    keywords: dict[LangCode, list[str]] = Field(default_factory=dict)
    address: str | None = None
    geo: GeoPoint | None = None
    phone: Phone | None = None
    email: Email | None = None
    website: Url | None = None
    opening_hours: OpeningHoursText | None = None
    cost: Literal["free", "paid", "reduced"] | None = None
    languages: list[LangCode] = Field(default_factory=list)
    reviewed: dt.date | None = None
    valid_until: dt.date | None = None
    source: Url | None = None
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
            raise ValueError("scope lists no municipality — name at least one, or write 'region'")
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

    def is_visible(self, today: dt.date) -> bool:
        """False once ``valid_until`` has passed."""
        return self.valid_until is None or today <= self.valid_until

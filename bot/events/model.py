"""An event or dated offer, as content editors write it (``events/<event-id>.yaml``
beside ``entries/`` in a region or country folder).

Times are wall-clock times in the event's ``timezone`` (the region's by default):
``start: "2026-12-05 14:00"``. A day without a time (``start: 2026-12-05``) is an
all-day event; its ``end`` is the last day (inclusive). Repetition follows
RFC 5545: ``rrule`` (e.g. ``FREQ=WEEKLY;BYDAY=SA``), ``exdates`` (dates or times
that are left out) and ``rdates`` (extra dates or times).
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, ValidationInfo, field_validator, model_validator

from bot.content.model import (
    GeoPoint,
    LangCode,
    Scope,
    Slug,
    Strict,
    SummaryTexts,
    TitleTexts,
    Url,
    _quoted,
)
from bot.events.rules import explain_rrule

#: How many extra dates and left-out dates one event may list.
MAX_DATES = 400

#: A day (``2026-12-05``, also ``2026-12-5``) or a time on a day (``2026-12-05 14:00``,
#: ``2026-12-05T14:00:30``, ``2026-12-05 9:30+01:00``), the forms YAML 1.1 reads as
#: timestamps included. Nothing else: ``datetime.fromisoformat`` would also take
#: ``2026-12-05 14.30`` (as 14:00 and 0.3 seconds), ``20261205`` (midnight, not the
#: whole day) or week dates. The editors' JSON Schema (:data:`WHEN_PATTERN`) accepts
#: the same shape.
_WHEN_RE = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:(?:[Tt]|[ \t]+)(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d*))?)?"
    r"[ \t]*(?:(Z)|([+-])(\d{1,2})(?::?(\d{2}))?)?)?",
    re.ASCII,
)
#: :data:`_WHEN_RE` for JSON Schema (JavaScript): the same shape, and the ranges of
#: months, days, hours and minutes, so an editor sees 2026-13-01 underlined too. Only
#: a day the month does not have (2026-02-30) passes here and is refused on loading.
WHEN_PATTERN = (
    r"^[ \t]*[0-9]{4}-(0?[1-9]|1[0-2])-(0?[1-9]|[12][0-9]|3[01])"
    r"((T|t|[ \t]+)([01]?[0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]*)?)?"
    r"[ \t]*(Z|[+-]([01]?[0-9]|2[0-3])(:?[0-5][0-9])?)?)?[ \t]*$"
)
_TIME_EXAMPLE = "e.g. '2026-12-05 14:00' (a time) or 2026-12-05 (the whole day)"


def _parse_when(text: str) -> dt.date | dt.datetime | None:
    """``text`` as a day or a time, or None if it is neither (see :data:`_WHEN_RE`)."""
    match = _WHEN_RE.fullmatch(text)
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction, utc, sign, tz_h, tz_m = match.groups()
    try:
        if hour is None:
            return dt.date(int(year), int(month), int(day))
        tzinfo = dt.UTC if utc else None
        if sign:
            if int(tz_m or 0) > 59:
                return None
            offset = dt.timedelta(hours=int(tz_h), minutes=int(tz_m or 0))
            tzinfo = dt.timezone(-offset if sign == "-" else offset)
        return dt.datetime(
            int(year),
            int(month),
            int(day),
            int(hour),
            int(minute),
            int(second or 0),
            int((fraction or "")[:6].ljust(6, "0")),
            tzinfo=tzinfo,
        )
    except ValueError:  # a month, day, hour or offset out of range
        return None


def _when(value: object) -> object:
    """A YAML value as a ``date`` (whole day) or a ``datetime`` (with time)."""
    if isinstance(value, dt.datetime | dt.date):
        return value
    if not isinstance(value, str):
        raise ValueError(f"{_quoted(str(value))} is not a date or time — write {_TIME_EXAMPLE}")
    text = value.strip(" \t")
    when = _parse_when(text)
    if when is not None:
        return when
    if _WHEN_RE.fullmatch(text):
        hint = "that day or time does not exist (check the month, the day and the hour), "
        hint += _TIME_EXAMPLE
    elif re.match(r"^\d{1,2}[./]\d{1,2}[./]\d{2,4}", text):
        hint = "write the year first: YYYY-MM-DD, " + _TIME_EXAMPLE
    elif re.search(r"\d{1,2}\.\d{2}$", text):
        hint = "write the time with ':' (14:00), " + _TIME_EXAMPLE
    else:
        hint = "write " + _TIME_EXAMPLE
    raise ValueError(f"{_quoted(text)} is not a date or time — {hint}")


When = Annotated[dt.datetime | dt.date, BeforeValidator(_when)]

Audience = Literal["everyone", "children", "women", "families"]


class EventPlace(Strict):
    """Where it happens: a venue entry's id, or an address (with its map position)."""

    entry: Slug | None = None
    """The id of an entry (a venue) that has the address, e.g. misel-kulturhuef."""
    address: str | None = None
    """Street, number, postcode and town on one line."""
    geo: GeoPoint | None = None
    """Exact coordinates of the door: {lat: 49.681, lon: 6.441}. Leave out if unsure."""

    @model_validator(mode="after")
    def _one_way(self) -> EventPlace:
        if self.entry and (self.address or self.geo):
            raise ValueError(
                "write either 'entry' (a venue entry's id) or 'address' (and 'geo'), not both"
            )
        if not self.entry and not self.address:
            raise ValueError("place names neither an 'entry' nor an 'address' — add one of them")
        return self


class Registration(Strict):
    """How to sign up, and until when."""

    deadline: When | None = None
    """Last day (2026-12-01) or moment ('2026-12-01 12:00') to sign up."""
    link: Url | None = None
    """The sign-up page, starting with https://"""


class Event(Strict):
    """One event, or a repeating one (every Saturday, the first Monday of the month)."""

    id: Slug
    """Short name: a-z, 0-9 and '-', at most 40 characters. Same as the file name."""
    uid: str | None = Field(default=None, max_length=255)
    """Written by `newcomer-bot import-ical`: the calendar's UID. Do not edit by hand."""
    calendar: str | None = Field(default=None, max_length=300)
    """Written by `newcomer-bot import-ical`: the calendar this event came from."""
    category: Slug
    """One of the category ids in categories.yaml, e.g. activities or language-courses."""
    scope: Scope = "region"
    """Who sees it: 'national' (under countries/), 'region' (default) or a list of municipality ids."""
    example: bool = False
    """true = only illustrates the bot. Then no place address/geo, no link and no source."""
    title: TitleTexts = Field(min_length=1)
    """The name per language (at least one). At most 120 characters."""
    summary: SummaryTexts = Field(default_factory=dict)
    """1 to 3 short sentences per language: what, for whom. At most 600 characters."""
    start: When
    """First (or only) start, local time: '2026-12-05 14:00', or a day for a whole-day event."""
    end: When | None = None
    """End, local time ('2026-12-05 17:00'); for whole-day events the last day."""
    timezone: str | None = None
    """Only if not the region's time zone, e.g. Europe/Berlin."""
    rrule: str | None = Field(default=None, max_length=500)
    """Repetition (RFC 5545 RRULE): "FREQ=WEEKLY;BYDAY=SA", "FREQ=MONTHLY;BYDAY=1SA"."""
    exdates: list[When] = Field(default_factory=list, max_length=MAX_DATES)
    """Days or times left out of the repetition: [2026-12-26]."""
    rdates: list[When] = Field(default_factory=list, max_length=MAX_DATES)
    """Extra days or times: ['2026-12-30 18:00']."""
    place: EventPlace | None = None
    """{entry: <venue entry id>} or {address: "…", geo: {lat: …, lon: …}}."""
    registration: Registration | None = None
    """{deadline: 2026-12-01, link: "https://…"} if people must sign up."""
    cost: Literal["free", "paid", "reduced"] | None = None
    """free, paid, or reduced (a lower price is possible)."""
    languages: list[LangCode] = Field(default_factory=list)
    """Languages spoken at the event, as codes: [fr, de, en]."""
    audience: list[Audience] = Field(default_factory=list)
    """For whom: [children], [women], [families] or [everyone] (the default)."""
    keywords: dict[LangCode, list[str]] = Field(default_factory=dict)
    """Words people would type to find it, per language."""
    source: Url | None = Field(default=None, validate_default=True)
    """Required unless example: true. The web page (https://…) where the event is announced."""

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str | None) -> str | None:
        if value is None:
            return value
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
            raise ValueError(
                f"{_quoted(value)} is not a time zone — use a name like 'Europe/Luxembourg', "
                "or delete the line to use the region's"
            ) from None
        return value

    @field_validator("rrule")
    @classmethod
    def _valid_rrule(cls, value: str | None) -> str | None:
        if value is None:
            return value

        problem = explain_rrule(value)
        if problem:
            raise ValueError(problem)
        return value.strip().removeprefix("RRULE:")

    @field_validator("source")
    @classmethod
    def _source(cls, value: str | None, info: ValidationInfo) -> str | None:
        if "example" not in info.data:
            return value
        if value is None and not info.data["example"]:
            raise ValueError(
                "source is missing — every real event needs the web page where it is "
                "announced: add a line 'source: \"https://…\"'. If the event only "
                "illustrates the bot, write 'example: true' instead"
            )
        if value is not None and info.data["example"]:
            raise ValueError(
                "source: an example event (example: true) must not point at a real page — "
                "delete the line"
            )
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Event:
        all_day = self.all_day
        if self.end is not None:
            if isinstance(self.end, dt.datetime) == all_day:
                raise ValueError(
                    "start and end must both be days (a whole-day event) or both times — "
                    "write end like start"
                )
            if self.end < self.start:  # type: ignore[operator]
                raise ValueError("end is before start — check the day and the time")
            if (
                not all_day
                and self.start.tzinfo is None  # type: ignore[union-attr]
                and (self.end.tzinfo is None) != (self.start.tzinfo is None)  # type: ignore[union-attr]
            ):
                raise ValueError("write start and end the same way (both with or without +01:00)")
        if self.example:
            problems = []
            if self.place and (self.place.address or self.place.geo):
                problems.append("a place address or geo")
            if self.registration and self.registration.link:
                problems.append("a registration link")
            if problems:
                raise ValueError(
                    f"an example event (example: true) must not have {' or '.join(problems)} — "
                    "delete it; examples never point at a real place"
                )
        return self

    @property
    def all_day(self) -> bool:
        return not isinstance(self.start, dt.datetime)

    def languages_available(self) -> set[str]:
        return set(self.title)

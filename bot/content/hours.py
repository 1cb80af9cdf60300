"""Opening hours in OpenStreetMap ``opening_hours`` syntax, parsed by opening-hours-py.

This module turns the syntax into plain data (a weekly schedule, whether a place
is open now and when that changes); :mod:`bot.render` puts it into words with
Babel. Times are naive local times of the place's region.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass

from opening_hours import OpeningHours, State

_BARE_HOURS = re.compile(r"(?<![\d:])\d{1,2}(?:[.h]\d{2})?\s*-\s*\d{1,2}(?:[.h]\d{2})?(?![\d:])")
_GERMAN_DAYS = re.compile(r"\b(Di|Mi|Do|So|Mon|Tue|Wed|Thu|Fri|Sat|Sun|Lu|Ma|Me|Je|Ve)\b")
_SYNTAX_HELP = "see content/README.md, section 8"

# Day names editors write instead of OpenStreetMap's Mo Tu We Th Fr Sa Su. 'Di'
# is Tuesday in German but Sunday (dimanche) in French, so French is assumed
# only when the text also has a day name that exists in French alone.
_DAYS_DE = {
    "mo": "Mo", "di": "Tu", "mi": "We", "do": "Th", "fr": "Fr", "sa": "Sa", "so": "Su",
    "montag": "Mo", "dienstag": "Tu", "mittwoch": "We", "donnerstag": "Th",
    "freitag": "Fr", "samstag": "Sa", "sonntag": "Su",
}  # fmt: skip
_DAYS_FR = {
    "lu": "Mo", "ma": "Tu", "me": "We", "je": "Th", "ve": "Fr", "sa": "Sa", "di": "Su",
    "lun": "Mo", "mar": "Tu", "mer": "We", "jeu": "Th", "ven": "Fr", "sam": "Sa", "dim": "Su",
    "lundi": "Mo", "mardi": "Tu", "mercredi": "We", "jeudi": "Th", "vendredi": "Fr",
    "samedi": "Sa", "dimanche": "Su",
}  # fmt: skip
_DAYS_EN = {
    "mon": "Mo", "tue": "Tu", "tues": "Tu", "wed": "We", "thu": "Th", "thur": "Th",
    "thurs": "Th", "fri": "Fr", "sat": "Sa", "sun": "Su", "monday": "Mo", "tuesday": "Tu",
    "wednesday": "We", "thursday": "Th", "friday": "Fr", "saturday": "Sa", "sunday": "Su",
}  # fmt: skip
_FRENCH_ONLY = {"lu", "ma", "me", "je", "ve", "lun", "mer", "jeu", "ven", "dim"} | {
    name for name in _DAYS_FR if len(name) > 4
}
_OSM_WORDS = {"mo", "tu", "we", "th", "fr", "sa", "su", "ph", "sh", "off", "open", "closed"}
_WORD = re.compile(r"[^\W\d_]+\.?")
_QUOTED = re.compile(r'("[^"]*")')
# A time as editors write it: 8, 08, 8h, 8.30, 8h30, 8:30, 8 Uhr.
_LOOSE_TIME = r"(\d{1,2})(?:\s*[.:h]\s*(\d{2}))?(?:\s*(?:h|uhr))?"
_LOOSE_RANGE = re.compile(
    rf"(?<![\d:.]){_LOOSE_TIME}\s*[-–—]\s*{_LOOSE_TIME}(?![\d:])", re.IGNORECASE
)
_DAY = r"(Mo|Tu|We|Th|Fr|Sa|Su)"
_DAY_RANGE = re.compile(rf"\b{_DAY}\s*(?:-|\bbis\b|\bto\b|\bau\b|\bà\b)\s*{_DAY}\b")
_DAY_LIST = re.compile(rf"\b{_DAY}\s*(?:,|\bund\b|\band\b|\bet\b)\s*(?={_DAY}\b)")
_CLOCK_TIME = re.compile(r"(?<![\d:])(\d{1,2}):(\d{2})(?![\d:])")
_MAX_SHOWN = 60


@functools.lru_cache(maxsize=4096)
def _parse(text: str, country: str | None) -> OpeningHours:
    return OpeningHours(text, country=country.upper() if country else None)


def _shown(text: str) -> str:
    """``text`` quoted for a message, cut so a message stays one line."""
    text = " ".join(text.split())
    return f"'{text}'" if len(text) <= _MAX_SHOWN else f"'{text[: _MAX_SHOWN - 1]}…'"


def _parses(text: str) -> bool:
    try:
        _parse(text, None)
    except Exception:  # opening_hours raises its own ParserError, and others on odd input
        return False
    return True


def _impossible_time(text: str) -> str | None:
    """The first time in ``text`` (outside comments) no clock shows, e.g. '25:00' or '12:60'."""
    for part in _QUOTED.split(text)[::2]:
        for match in _CLOCK_TIME.finditer(part):
            hours, minutes = int(match.group(1)), int(match.group(2))
            if minutes > 59 or hours > 24 or (hours == 24 and minutes):
                return match.group(0)
    return None


def _repair(text: str) -> tuple[str, bool, bool]:
    """Best guess at what ``text`` means in OpenStreetMap syntax.

    Returns the guess and whether day names and times were rewritten. Comments in
    double quotes are left alone.
    """
    words = {w.rstrip(".").lower() for w in _WORD.findall(text)}
    days = _DAYS_FR if words & _FRENCH_ONLY else _DAYS_DE
    days_changed = times_changed = False

    def day(match: re.Match[str]) -> str:
        nonlocal days_changed
        word = match.group(0).rstrip(".").lower()
        if word in _OSM_WORDS and word not in days:
            return match.group(0)
        new = days.get(word) or _DAYS_EN.get(word)
        if new is None:
            return match.group(0)
        days_changed |= new != match.group(0)
        return new

    def clock(hours: str, minutes: str | None) -> str:
        return f"{int(hours):02d}:{minutes or '00'}"

    def times(match: re.Match[str]) -> str:
        nonlocal times_changed
        new = f"{clock(match.group(1), match.group(2))}-{clock(match.group(3), match.group(4))}"
        times_changed |= new != match.group(0)
        return new

    parts = _QUOTED.split(text)
    for i in range(0, len(parts), 2):
        part = parts[i].replace("–", "-").replace("—", "-")
        part = _WORD.sub(day, part)
        part = _DAY_RANGE.sub(r"\1-\2", part)
        part = _DAY_LIST.sub(r"\1,", part)
        parts[i] = _LOOSE_RANGE.sub(times, part)
    return " ".join("".join(parts).split()), days_changed, times_changed


def explain_syntax_error(text: str) -> str | None:
    """Return an editor-friendly explanation of why ``text`` is not valid, or None.

    The explanation quotes the text, says what is wrong and, where it can guess
    what was meant, what to write instead, e.g. for ``'Mo-Fr 8-12'``:
    ``'Mo-Fr 8-12' — write times as HH:MM, like this: 'Mo-Fr 08:00-12:00'``.
    Beyond the OpenStreetMap syntax, times must exist on a clock: ``25:00`` is
    refused although OpenStreetMap allows it.
    """
    if not text.strip():
        return (
            "the opening hours are empty — write them, e.g. 'Mo-Fr 08:00-12:00', or delete the line"
        )
    shown = _shown(text)
    bad_time = _impossible_time(text)
    if bad_time:
        hours, minutes = (int(n) for n in bad_time.split(":"))
        if minutes > 59:
            return f"{shown} — {bad_time} is not a time: minutes go from 00 to 59"
        fixed = text.replace(bad_time, f"{hours - 24:02d}:{minutes:02d}")
        after_midnight = f", like this: {_shown(fixed)}" if hours < 48 and _parses(fixed) else ""
        return (
            f"{shown} — {bad_time} is not a time: the clock goes from 00:00 to 24:00; for "
            f"opening hours that end after midnight write the time of the next day{after_midnight}"
        )
    if _parses(text):
        return None
    repaired, days_changed, times_changed = _repair(text)
    if repaired != text and _parses(repaired) and not _impossible_time(repaired):
        if days_changed and times_changed:
            what = "write days as Mo Tu We Th Fr Sa Su and times as HH:MM"
        elif days_changed:
            what = "write days as Mo Tu We Th Fr Sa Su"
        elif times_changed:
            what = "write times as HH:MM"
        else:
            return f"{shown} — write it like this: {_shown(repaired)}"
        return f"{shown} — {what}, like this: {_shown(repaired)}"
    if _BARE_HOURS.search(text):
        return f"{shown} — write times as HH:MM, e.g. 'Mo-Fr 08:00-12:00'"
    if _GERMAN_DAYS.search(text):
        return f"{shown} — write days as Mo Tu We Th Fr Sa Su, e.g. 'Tu,Th 14:00-18:00'"
    return (
        f"{shown} is not in the opening-hours format — write e.g. "
        f"'Mo-Fr 08:00-12:00,13:00-17:00; Sa 09:00-12:00' ({_SYNTAX_HELP})"
    )


@dataclass(frozen=True)
class DaySpan:
    """Consecutive weekdays (0 = Monday) sharing the same open intervals."""

    first_day: int
    last_day: int
    intervals: tuple[tuple[dt.time, dt.time], ...]


@dataclass(frozen=True)
class Status:
    """Whether a place is open at ``now`` and when that changes (None: not within a week)."""

    is_open: bool | None
    next_change: dt.datetime | None


#: How far ahead :func:`status` looks for the next opening or closing.
CHANGE_HORIZON = dt.timedelta(days=7)


def status(text: str, now: dt.datetime, country: str | None = None) -> Status:
    """Open/closed state at naive local time ``now`` and the next change within 7 days.

    ``is_open`` is None when the expression leaves the state unknown (e.g. only a
    comment such as "by appointment").
    """
    oh = _parse(text, country)
    state = oh.state(now)
    state = state[0] if isinstance(state, tuple) else state
    is_open = {State.OPEN: True, State.CLOSED: False}.get(state)
    return Status(is_open, _next_change(oh, now, state))


def _next_change(oh: OpeningHours, now: dt.datetime, state: State) -> dt.datetime | None:
    # Not OpeningHours.next_change: with no change in sight ("Mo-Su 00:00-24:00") it
    # searches for years (0.8-2 s of CPU, blocking every other update); the
    # intervals of the next 7 days answer the same question in microseconds.
    for begin, _finish, other, _comment in oh.intervals(now, now + CHANGE_HORIZON):
        other = other[0] if isinstance(other, tuple) else other
        if other != state:
            return begin
    return None


def weekly_schedule(text: str, week_start: dt.date, country: str | None = None) -> list[DaySpan]:
    """The open intervals of the 7 days from ``week_start``, grouped by equal days.

    Returns spans in weekday order starting Monday; days that are closed all day
    are left out. Intervals crossing midnight are cut at midnight.
    """
    oh = _parse(text, country)
    start = dt.datetime.combine(week_start, dt.time())
    end = start + dt.timedelta(days=7)
    per_day: dict[int, list[tuple[dt.time, dt.time]]] = {d: [] for d in range(7)}
    for begin, finish, state, _comment in oh.intervals(start, end):
        state = state[0] if isinstance(state, tuple) else state
        if state != State.OPEN:
            continue
        cursor = begin
        while cursor < finish:
            midnight = dt.datetime.combine(cursor.date() + dt.timedelta(days=1), dt.time())
            stop = min(finish, midnight)
            closing = stop.time() if stop < midnight else dt.time(23, 59)
            per_day[cursor.weekday()].append((cursor.time(), closing))
            cursor = stop
    spans: list[DaySpan] = []
    for day in range(7):
        intervals = tuple(per_day[day])
        if not intervals:
            continue
        if spans and spans[-1].last_day == day - 1 and spans[-1].intervals == intervals:
            spans[-1] = DaySpan(spans[-1].first_day, day, intervals)
        else:
            spans.append(DaySpan(day, day, intervals))
    return spans

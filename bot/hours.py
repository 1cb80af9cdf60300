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
_SYNTAX_HELP = "see https://wiki.openstreetmap.org/wiki/Key:opening_hours"


@functools.lru_cache(maxsize=4096)
def _parse(text: str, country: str | None) -> OpeningHours:
    return OpeningHours(text, country=country.upper() if country else None)


def explain_syntax_error(text: str) -> str | None:
    """Return an editor-friendly explanation of why ``text`` is not valid, or None.

    The explanation says what to write instead, e.g. for ``'Mo-Fr 8-12'``:
    ``write times as HH:MM, e.g. 'Mo-Fr 08:00-12:00'``.
    """
    try:
        _parse(text, None)
        return None
    except (SyntaxError, ValueError):
        pass
    except Exception:
        pass
    prefix = f"opening_hours '{text}' is not valid"
    if _BARE_HOURS.search(text):
        return f"{prefix} — write times as HH:MM, e.g. 'Mo-Fr 08:00-12:00'"
    if _GERMAN_DAYS.search(text):
        return f"{prefix} — write days as Mo Tu We Th Fr Sa Su, e.g. 'Tu,Th 14:00-18:00'"
    return f"{prefix} — e.g. 'Mo-Fr 08:00-12:00,13:00-17:00; Sa 09:00-12:00'; {_SYNTAX_HELP}"


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


def status(text: str, now: dt.datetime, country: str | None = None) -> Status:
    """Open/closed state at naive local time ``now`` and the next change within 7 days.

    ``is_open`` is None when the expression leaves the state unknown (e.g. only a
    comment such as "by appointment").
    """
    oh = _parse(text, country)
    state = oh.state(now)
    state = state[0] if isinstance(state, tuple) else state
    is_open = {State.OPEN: True, State.CLOSED: False}.get(state)
    change = oh.next_change(now)
    if change is not None and change - now > dt.timedelta(days=7):
        change = None
    return Status(is_open, change)


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

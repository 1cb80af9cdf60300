"""Occurrences of an event in a window of time, in the region's time zone.

Repetition is computed on wall-clock (naive local) times with dateutil's
``rrule`` and only then given the time zone, so "every Saturday at 10:00" stays
at 10:00 across daylight-saving changes (RFC 5545, 3.3.10: DTSTART's local time).
A local time that does not exist on the day clocks go forward (02:30) is moved
forward by the gap, as RFC 5545 (3.3.5) says.

Rules are checked before use (:mod:`bot.events.rules`): dateutil searches up to
the year 9999 for a rule that can never happen (30 February), which would take
seconds, so such rules are refused with a message instead.
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from dateutil.rrule import DAILY, WEEKLY, rrule, rrulestr

from bot.events.rules import _local_until

if TYPE_CHECKING:
    from bot.events.model import Event

_UTC = dt.UTC


@dataclasses.dataclass(frozen=True, slots=True)
class Occurrence:
    """One time an event happens: aware ``start`` and ``end`` in the event's zone."""

    event: Event
    start: dt.datetime
    end: dt.datetime
    all_day: bool
    #: False when the event gives no end (the card then shows only the start).
    has_end: bool = True

    @property
    def day(self) -> dt.date:
        return self.start.date()


def zone(event: Event, region_timezone: str) -> ZoneInfo:
    return _zone(event.timezone or region_timezone)


_ZONES: dict[str, ZoneInfo] = {}


def _zone(name: str) -> ZoneInfo:
    tz = _ZONES.get(name)
    if tz is None:
        tz = _ZONES[name] = ZoneInfo(name)
    return tz


def _naive_local(value: dt.datetime | dt.date, tz: ZoneInfo, at: dt.time) -> dt.datetime:
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            return value.astimezone(tz).replace(tzinfo=None)
        return value
    return dt.datetime.combine(value, at)


def _aware(local: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    """``local`` wall-clock time in ``tz``; a time in the spring-forward gap moves forward."""
    moment = local.replace(tzinfo=tz)
    back = moment.astimezone(_UTC).astimezone(tz)
    return back


#: Compiled rules, by (rule, first start, zone): rules are parsed once per process.
_RULES: dict[tuple[str, dt.datetime, str], rrule] = {}


def _rule(event: Event, first: dt.datetime, tz: ZoneInfo) -> rrule:
    key = (event.rrule or "", first, tz.key)
    compiled = _RULES.get(key)
    if compiled is None:
        if len(_RULES) > 100_000:
            _RULES.clear()
        compiled = _RULES[key] = rrulestr(_local_until(event.rrule or "", tz), dtstart=first)
    return compiled


def _starts_between(
    event: Event, first: dt.datetime, tz: ZoneInfo, lo: dt.datetime, hi: dt.datetime
) -> list[dt.datetime]:
    if not event.rrule:
        return [first] if lo <= first <= hi else []
    rule = _rule(event, first, tz)
    if lo > first and "COUNT" not in event.rrule.upper():
        # Start the search near the window: dateutil walks every period from the
        # first start, and a daily rule from years ago would cost milliseconds.
        freq = rule._freq
        period = {DAILY: 1, WEEKLY: 7}.get(freq)
        if period:
            step = period * rule._interval
            skip = (lo - first).days // step - 1
            if skip > 0:
                moved = first + dt.timedelta(days=skip * step)
                key = (event.rrule + "@", moved, tz.key)
                rule = _RULES.get(key) or _RULES.setdefault(key, rule.replace(dtstart=moved))
    return rule.between(lo, hi, inc=True)


def occurrences(
    event: Event,
    tz: ZoneInfo,
    after: dt.datetime,
    before: dt.datetime,
    limit: int | None = None,
) -> list[Occurrence]:
    """The occurrences of ``event`` that have not ended at ``after`` and start
    before ``before`` (both aware), in order; at most ``limit``."""
    all_day = event.all_day
    first = _naive_local(event.start, tz, dt.time())
    if event.end is None:
        length = dt.timedelta(days=1) if all_day else None
    elif all_day:
        length = dt.timedelta(days=(event.end - event.start).days + 1)  # type: ignore[operator]
    else:
        length = _naive_local(event.end, tz, dt.time()) - first
    # Without an end, a timed event stays on the list until the end of its day.
    reach = length if length is not None else dt.timedelta(days=1)
    lo = after.astimezone(tz).replace(tzinfo=None) - reach
    hi = before.astimezone(tz).replace(tzinfo=None)
    starts = set(_starts_between(event, first, tz, lo, hi))
    for extra in event.rdates:
        start = _naive_local(extra, tz, first.time())
        if lo <= start <= hi:
            starts.add(start)
    if event.exdates:
        left_out_days = {d for d in event.exdates if not isinstance(d, dt.datetime)}
        left_out = {
            _naive_local(d, tz, first.time()) for d in event.exdates if isinstance(d, dt.datetime)
        }
        starts = {s for s in starts if s not in left_out and s.date() not in left_out_days}
    found = []
    for start in sorted(starts):
        begin = _aware(start, tz)
        if length is not None:
            end = _aware(start + length, tz)
        else:
            end = _aware(dt.datetime.combine(start.date() + dt.timedelta(days=1), dt.time()), tz)
        if end <= after or begin >= before:
            continue
        found.append(Occurrence(event, begin, end, all_day, length is not None))
        if limit is not None and len(found) >= limit:
            break
    return found


def next_occurrences(
    event: Event, tz: ZoneInfo, now: dt.datetime, count: int = 5, horizon_days: int = 400
) -> list[Occurrence]:
    """The next ``count`` occurrences not yet over at ``now`` (within ``horizon_days``)."""
    return occurrences(event, tz, now, now + dt.timedelta(days=horizon_days), limit=count)


def month_days(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]

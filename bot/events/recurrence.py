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

from dateutil.relativedelta import relativedelta
from dateutil.rrule import DAILY, FR, MO, MONTHLY, SA, SU, TH, TU, WE, WEEKLY, YEARLY, rrule

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


_WEEKDAYS = {"MO": MO, "TU": TU, "WE": WE, "TH": TH, "FR": FR, "SA": SA, "SU": SU}
_FREQ = {"DAILY": DAILY, "WEEKLY": WEEKLY, "MONTHLY": MONTHLY, "YEARLY": YEARLY}
#: Parsed rules by their text: the keyword arguments of dateutil's ``rrule``.
_PARSED: dict[str, dict] = {}


def _parts(text: str) -> dict:
    """``FREQ=WEEKLY;BYDAY=SA`` as ``rrule`` keyword arguments (UNTIL as its text).

    Only for rules :func:`~bot.events.rules.explain_rrule` accepted. Faster than
    ``rrulestr`` (a week view builds the rules of all events a place sees)."""
    parsed = _PARSED.get(text)
    if parsed is not None:
        return parsed
    parsed = {}
    for part in text.strip().removeprefix("RRULE:").split(";"):
        name, _, value = part.partition("=")
        name, value = name.strip().upper(), value.strip().upper()
        if name == "FREQ":
            parsed["freq"] = _FREQ[value]
        elif name in ("INTERVAL", "COUNT"):
            parsed[name.lower()] = int(value)
        elif name == "UNTIL":
            parsed["until"] = value
        elif name in ("BYMONTHDAY", "BYMONTH", "BYSETPOS"):
            parsed[name.lower()] = [int(v) for v in value.split(",")]
        elif name == "WKST":
            parsed["wkst"] = _WEEKDAYS[value]
        elif name == "BYDAY":
            days = []
            for item in value.split(","):
                item = item.strip()
                n = int(item[:-2]) if item[:-2] else None
                days.append(_WEEKDAYS[item[-2:]](n) if n else _WEEKDAYS[item[-2:]])
            parsed["byweekday"] = days
    if len(_PARSED) > 50_000:
        _PARSED.clear()
    _PARSED[text] = parsed
    return parsed


def _until(value: str, tz: ZoneInfo) -> dt.datetime:
    """UNTIL as a naive local time (a day: its end; UTC: converted to ``tz``)."""
    if "T" not in value:
        return dt.datetime.strptime(value[:8], "%Y%m%d").replace(hour=23, minute=59, second=59)
    moment = dt.datetime.strptime(value.rstrip("Z")[:15], "%Y%m%dT%H%M%S")
    if value.endswith("Z"):
        return moment.replace(tzinfo=_UTC).astimezone(tz).replace(tzinfo=None)
    return moment


def _rule(text: str, first: dt.datetime, tz: ZoneInfo, near: dt.datetime) -> rrule:
    """The rule ``text`` with first start ``first``; searching from close to ``near``
    when the result is the same (dateutil walks every period from the start, and a
    daily rule from years ago would cost milliseconds)."""
    parts = dict(_parts(text))
    if "until" in parts:
        parts["until"] = _until(parts["until"], tz)
    start = first
    if near > first and "count" not in parts:
        freq, interval = parts["freq"], parts.get("interval", 1)
        if freq in (DAILY, WEEKLY):
            step = (1 if freq == DAILY else 7) * interval
            skip = (near - first).days // step - 1
            if skip > 0:
                start = first + dt.timedelta(days=skip * step)
        elif freq == MONTHLY and (first.day <= 28 or "bymonthday" in parts or "byweekday" in parts):
            # Without BYDAY/BYMONTHDAY the day of the month comes from the start: pinned.
            months = ((near.year - first.year) * 12 + near.month - first.month) // interval - 1
            if months > 0:
                if "bymonthday" not in parts and "byweekday" not in parts:
                    parts["bymonthday"] = [first.day]
                start = first + relativedelta(months=months * interval)
    return rrule(dtstart=start, cache=False, **parts)


def _starts_between(
    event: Event, first: dt.datetime, tz: ZoneInfo, lo: dt.datetime, hi: dt.datetime
) -> list[dt.datetime]:
    if not event.rrule:
        return [first] if lo <= first <= hi else []
    return _rule(event.rrule, first, tz, lo).between(lo, hi, inc=True)


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

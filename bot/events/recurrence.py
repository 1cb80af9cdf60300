"""Occurrences of an event in a window of time, in the region's time zone.

Repetition is computed on wall-clock (naive local) times with dateutil's
``rrule`` and only then given the time zone, so "every Saturday at 10:00" stays
at 10:00 across daylight-saving changes (RFC 5545, 3.3.10: DTSTART's local time).
A local time that does not exist on the day clocks go forward (02:30) is moved
forward by the gap, as RFC 5545 (3.3.5) says.

:func:`explain_rrule` checks a rule before it is used: dateutil searches up to
the year 9999 for a rule that can never happen (30 February), which would take
seconds, so such rules are refused with a message instead.
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import re
from zoneinfo import ZoneInfo

from dateutil.rrule import DAILY, MONTHLY, WEEKLY, YEARLY, rrule, rrulestr

from bot.events.model import Event

_UTC = dt.UTC
_FREQS = {"DAILY": DAILY, "WEEKLY": WEEKLY, "MONTHLY": MONTHLY, "YEARLY": YEARLY}
_PARTS = {
    "FREQ",
    "INTERVAL",
    "COUNT",
    "UNTIL",
    "BYDAY",
    "BYMONTHDAY",
    "BYMONTH",
    "BYSETPOS",
    "WKST",
}
_RULE_EXAMPLE = "e.g. FREQ=WEEKLY;BYDAY=SA (every Saturday) or FREQ=MONTHLY;BYDAY=1SA (first Saturday of the month)"
_UNTIL_RE = re.compile(r"UNTIL=(\d{8})(T(\d{6})(Z?))?", re.IGNORECASE)
_BYDAY_RE = re.compile(r"^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$")
#: Days a month can have at most (February: 29).
_MONTH_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


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


def explain_rrule(text: str) -> str | None:
    """None if ``text`` is a usable RRULE, else what is wrong, for an editor."""
    rule = text.strip().removeprefix("RRULE:")
    shown = f"'{rule[:80]}'"
    parts: dict[str, str] = {}
    for part in rule.split(";"):
        name, sep, value = part.partition("=")
        name = name.strip().upper()
        if not sep or not value.strip():
            return f"{shown}: '{part}' is not NAME=VALUE — write {_RULE_EXAMPLE}"
        if name not in _PARTS:
            return (
                f"{shown}: {name} is not supported here — use FREQ, INTERVAL, COUNT, UNTIL, "
                f"BYDAY, BYMONTHDAY, BYMONTH, BYSETPOS; {_RULE_EXAMPLE}"
            )
        if name in parts:
            return f"{shown}: {name} is written twice — keep one"
        parts[name] = value.strip().upper()
    freq = parts.get("FREQ")
    if freq is None:
        return f"{shown}: FREQ is missing — {_RULE_EXAMPLE}"
    if freq not in _FREQS:
        return f"{shown}: FREQ={freq} — an event repeats DAILY, WEEKLY, MONTHLY or YEARLY"
    if "COUNT" in parts and "UNTIL" in parts:
        return f"{shown}: write COUNT or UNTIL, not both"
    for name in ("INTERVAL", "COUNT"):
        if name in parts and not (parts[name].isdigit() and 1 <= int(parts[name]) <= 1000):
            return f"{shown}: {name} must be a whole number from 1 to 1000"
    try:
        days = [int(d) for d in parts["BYMONTHDAY"].split(",")] if "BYMONTHDAY" in parts else []
        months = [int(m) for m in parts["BYMONTH"].split(",")] if "BYMONTH" in parts else []
        positions = [int(p) for p in parts["BYSETPOS"].split(",")] if "BYSETPOS" in parts else []
    except ValueError:
        return f"{shown}: BYMONTHDAY, BYMONTH and BYSETPOS take numbers, e.g. BYMONTHDAY=15"
    if any(not 1 <= m <= 12 for m in months):
        return f"{shown}: BYMONTH takes months 1 to 12"
    if any(d == 0 or abs(d) > 31 for d in days):
        return f"{shown}: BYMONTHDAY takes days 1 to 31 (or -1 for the last day)"
    if any(p == 0 or abs(p) > 31 for p in positions):
        return f"{shown}: BYSETPOS takes 1 to 31 or -1 to -31 (the last)"
    plain_days = [d for d in parts.get("BYDAY", "").split(",") if d and d[0] not in "+-0123456789"]
    per_period = {
        "DAILY": 1,
        "WEEKLY": len(plain_days) or 1,
        "MONTHLY": 4 * len(plain_days) if plain_days else (len(days) or 1),
        "YEARLY": 52 * len(plain_days) if plain_days else (len(days) * (len(months) or 12) or 1),
    }[freq]
    if positions and min(abs(p) for p in positions) > per_period:
        return f"{shown}: BYSETPOS={parts['BYSETPOS']} may never happen — each period has only {per_period} candidate day(s)"
    longest = max(_MONTH_DAYS[m - 1] for m in months) if months else 31
    if days and all(abs(d) > longest for d in days):
        return f"{shown}: this day of the month never happens in those months — check BYMONTHDAY"
    for day in parts.get("BYDAY", "").split(",") if "BYDAY" in parts else []:
        match = _BYDAY_RE.match(day.strip())
        if not match:
            return f"{shown}: BYDAY takes MO, TU, WE, TH, FR, SA, SU (1SA = the first Saturday)"
        if match.group(1):
            n = int(match.group(1))
            if (
                freq not in ("MONTHLY", "YEARLY")
                or n == 0
                or abs(n) > (5 if freq == "MONTHLY" else 53)
            ):
                return f"{shown}: '{day}' — a number before the day (1SA, -1FR) needs FREQ=MONTHLY and 1 to 5 or -1 to -5"
    try:
        rrulestr(_local_until(rule, ZoneInfo("UTC")), dtstart=dt.datetime(2026, 1, 1, 10))
    except (ValueError, TypeError, KeyError, IndexError, OverflowError) as exc:
        return f"{shown} is not a repetition rule (RFC 5545 RRULE): {exc} — write {_RULE_EXAMPLE}"
    return None


def _local_until(rule: str, tz: ZoneInfo) -> str:
    """``rule`` with a UTC UNTIL (…Z) as local wall-clock time (dateutil wants the
    same kind of time as DTSTART, which is local here)."""

    def local(match: re.Match[str]) -> str:
        day, _, time, utc = match.groups()
        if not time:
            return f"UNTIL={day}T235959"
        if not utc:
            return match.group(0)
        moment = dt.datetime.strptime(day + time, "%Y%m%d%H%M%S").replace(tzinfo=_UTC)
        return "UNTIL=" + moment.astimezone(tz).strftime("%Y%m%dT%H%M%S")

    return _UNTIL_RE.sub(local, rule)


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

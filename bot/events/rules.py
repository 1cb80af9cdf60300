"""RFC 5545 repetition rules (RRULE) as editors and calendars write them:
:func:`explain_rrule` says what is wrong with one, in words an editor understands.

dateutil searches up to the year 9999 for a rule that can never happen (30
February, the sixth Monday), which takes seconds, so such rules are refused here.
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr

_UTC = dt.UTC
_FREQ_NAMES = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
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
    if freq not in _FREQ_NAMES:
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

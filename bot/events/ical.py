"""iCalendar (RFC 5545) import and export.

Import (``newcomer-bot import-ical``): one YAML file per calendar event, named by
a hash of the region and the event's UID, so a second import of the same
calendar updates the files instead of adding new ones, and removes the files of
events the calendar cancelled (``STATUS:CANCELLED``) or no longer has. Texts
arrive in one language; translations that editors added to an imported file are
kept when it is updated. Files that did not come from this calendar are never
touched.

Nothing is written unless the whole calendar is good: every problem is reported
(``calendar.ics:line: message``), and the new ``events/`` folder is built beside
the old one and swapped in at the end, so a failure never leaves half a folder.

Writing the files: :mod:`bot.events.folder`; export: :mod:`bot.events.export`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import re
import urllib.request
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from bot.content.model import SUMMARY_MAX_CHARS, TITLE_MAX_CHARS
from bot.events.model import Event
from bot.events.rules import explain_rrule

#: A calendar file larger than this is refused before it is parsed (5,000 events
#: with long descriptions take about 5 MB).
MAX_CALENDAR_BYTES = 10 * 1024 * 1024
#: Events one calendar may hold; a larger one is refused (it is not a town's
#: calendar, and a bot list would be unreadable).
MAX_EVENTS = 5000
#: Seconds to wait for a calendar served over HTTP.
FETCH_TIMEOUT = 20.0


class CalendarProblem(Exception):
    """The calendar cannot be imported; ``problems`` says why, one line each."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


def event_id(region_id: str, uid: str) -> str:
    """The file name (without .yaml) of the event with ``uid`` in ``region_id``."""
    return "ical-" + hashlib.sha256(f"{region_id}\x1f{uid}".encode()).hexdigest()[:16]


def read_source(source: str) -> tuple[bytes, str]:
    """The bytes of an .ics file or http(s) URL, and the name used in messages.

    Raises :class:`CalendarProblem` (missing file, too large, not reachable)."""
    if re.match(r"^https?://", source, re.IGNORECASE):
        name = source
        try:
            request = urllib.request.Request(source, headers={"User-Agent": "newcomer-bot"})
            with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT) as response:
                data = response.read(MAX_CALENDAR_BYTES + 1)
        except (OSError, ValueError) as exc:
            raise CalendarProblem([f"{name}: could not download the calendar: {exc}"]) from None
    else:
        path = Path(source)
        name = path.name
        try:
            if not path.is_file():
                raise CalendarProblem([f"{source}: no such file — check the path"])
            if path.stat().st_size > MAX_CALENDAR_BYTES:
                raise CalendarProblem([_too_large(name)])
            with path.open("rb") as fp:
                data = fp.read(MAX_CALENDAR_BYTES + 1)
        except OSError as exc:
            raise CalendarProblem([f"{source}: cannot be read: {exc.strerror or exc}"]) from None
    if len(data) > MAX_CALENDAR_BYTES:
        raise CalendarProblem([_too_large(name)])
    return data, name


def _too_large(name: str) -> str:
    return (
        f"{name}: the calendar is larger than {MAX_CALENDAR_BYTES // (1024 * 1024)} MB — "
        "import one municipality's or one organiser's calendar at a time"
    )


def _uid_lines(text: str) -> dict[str, int]:
    """UID → line number (1-based) of its ``UID:`` line, for messages."""
    lines: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if line[:4].upper() == "UID:" or line[:4].upper() == "UID;":
            lines.setdefault(line.split(":", 1)[-1].strip(), number)
    return lines


def _event_lines(text: str) -> list[int]:
    return [
        n for n, line in enumerate(text.splitlines(), 1) if line.strip().upper() == "BEGIN:VEVENT"
    ]


def _unreadable(name: str, text: str, message: str) -> str:
    """A parser error as ``name:line: …``, with the line of the text it names."""
    bad = re.search(r"parsed into parts: '(.*?)':", message, re.DOTALL)
    line = 1
    if bad:
        start = bad.group(1)[:40]
        for number, raw in enumerate(text.splitlines(), 1):
            if raw.startswith(start):
                line = number
                break
        message = f"this line is not 'NAME:value': '{_plain(bad.group(1), 60)}'"
    return f"{name}:{line}: the calendar cannot be read — {_plain(message, 160)}; export it again as .ics"


def _plain(value: Any, limit: int) -> str:
    text = " ".join(str(value).split()) if value is not None else ""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _paragraphs(value: Any, limit: int) -> str:
    text = str(value or "").replace("\r\n", "\n").strip()
    text = re.sub(r"[ \t]+", " ", re.sub(r"\n{3,}", "\n\n", text))
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _local(value: dt.datetime | dt.date, tz: ZoneInfo) -> dt.datetime | dt.date:
    """A calendar value as the event's wall-clock time in ``tz`` (dates stay dates)."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            return value
        return value.astimezone(tz).replace(tzinfo=None)
    return value


def _when_text(value: dt.datetime | dt.date) -> str | dt.date:
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M") if not value.second else value.isoformat(" ")
    return value


def _dates(component, name: str) -> list[dt.datetime | dt.date]:
    found = component.get(name)
    if found is None:
        return []
    values = found if isinstance(found, list) else [found]
    out = []
    for value in values:
        for item in getattr(value, "dts", []):
            moment = item.dt
            if isinstance(moment, dt.datetime | dt.date) and not isinstance(moment, tuple):
                out.append(moment)
    return out


@dataclasses.dataclass
class _Parsed:
    uid: str
    line: int
    data: dict[str, Any]


def parse_calendar(
    data: bytes,
    name: str,
    *,
    region_id: str,
    region_timezone: str,
    lang: str,
    category: str,
    scope: str | list[str],
    source: str | None,
    calendar_key: str,
) -> tuple[dict[str, dict[str, Any]], set[str], list[str]]:
    """The calendar's events as event data for YAML files, by event id; the ids of
    cancelled events; and notes (skipped details). Raises :class:`CalendarProblem`
    listing every problem."""
    import icalendar

    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CalendarProblem(
            [f"{name}: is not UTF-8 text (byte {exc.start}) — export the calendar again as .ics"]
        ) from None
    if "BEGIN:VCALENDAR" not in text[:2000].upper():
        raise CalendarProblem(
            [
                f"{name}:1: this is not an iCalendar file (no BEGIN:VCALENDAR) — export the calendar as .ics"
            ]
        )
    count = len(_event_lines(text))
    if count > MAX_EVENTS:
        raise CalendarProblem(
            [
                f"{name}: the calendar has {count} events, more than {MAX_EVENTS} — import one "
                "municipality's or one organiser's calendar at a time"
            ]
        )
    try:
        calendar = icalendar.Calendar.from_ical(text)
    except (ValueError, KeyError, IndexError, TypeError, AttributeError, RecursionError) as exc:
        raise CalendarProblem([_unreadable(name, text, str(exc))]) from None
    uid_lines = _uid_lines(text)
    begin_lines = _event_lines(text)
    region_tz = ZoneInfo(region_timezone)
    problems: list[str] = []
    notes: list[str] = []
    masters: dict[str, _Parsed] = {}
    cancelled: set[str] = set()
    overrides: list[tuple[str, Any, int]] = []

    for index, component in enumerate(calendar.walk("VEVENT")):
        line = begin_lines[index] if index < len(begin_lines) else 1
        uid = _plain(component.get("UID"), 255)
        where = f"{name}:{uid_lines.get(uid, line)}"
        if not uid:
            problems.append(
                f"{name}:{line}: an event has no UID — the calendar must give each event one"
            )
            continue
        label = f"event '{_plain(component.get('SUMMARY') or uid, 40)}'"
        broken = [_unreadable(name, text, str(message)) for _, message in component.errors]
        if broken:
            problems += broken
            continue
        if component.get("RECURRENCE-ID") is not None:
            overrides.append((uid, component, line))
            continue
        ident = event_id(region_id, uid)
        if str(component.get("STATUS") or "").upper() == "CANCELLED":
            cancelled.add(ident)
            continue
        if ident in masters:
            problems.append(f"{where}: {label}: the UID '{_plain(uid, 60)}' is used twice")
            continue
        if component.get("DTSTART") is None:
            problems.append(f"{where}: {label} has no start (DTSTART) — it cannot be shown")
            continue
        try:
            start_raw = component.decoded("DTSTART")
        except (ValueError, KeyError, TypeError) as exc:
            problems.append(f"{where}: {label}: DTSTART cannot be read: {exc}")
            continue
        tzid = component["DTSTART"].params.get("TZID")
        if isinstance(start_raw, dt.datetime) and tzid and start_raw.tzinfo is None:
            problems.append(
                f"{where}: {label}: unknown time zone '{_plain(tzid, 40)}' — the calendar must "
                "use a time zone name like Europe/Luxembourg or include its VTIMEZONE"
            )
            continue
        tz = region_tz
        timezone = None
        if isinstance(start_raw, dt.datetime) and isinstance(start_raw.tzinfo, ZoneInfo):
            key = start_raw.tzinfo.key
            if key not in ("UTC", "Etc/UTC", region_timezone):
                tz, timezone = start_raw.tzinfo, key
        start = _local(start_raw, tz)
        end = None
        try:
            if component.get("DTEND") is not None:
                end = _local(component.decoded("DTEND"), tz)
            elif component.get("DURATION") is not None:
                end = start + component.decoded("DURATION")
        except (ValueError, KeyError, TypeError) as exc:
            problems.append(f"{where}: {label}: DTEND or DURATION cannot be read: {exc}")
            continue
        if isinstance(start, dt.datetime) != isinstance(end, dt.datetime) and end is not None:
            end = None
            notes.append(f"{where}: {label}: DTEND is not of the same kind as DTSTART — left out")
        if end is not None and not isinstance(start, dt.datetime):
            end = end - dt.timedelta(days=1)  # iCalendar's end day is exclusive
            if end <= start:
                end = None
        elif end is not None and end <= start:
            end = None
        title = _plain(component.get("SUMMARY"), TITLE_MAX_CHARS)
        if not title:
            problems.append(f"{where}: event with UID '{_plain(uid, 60)}' has no title (SUMMARY)")
            continue
        event: dict[str, Any] = {
            "id": ident,
            "uid": uid,
            "calendar": calendar_key,
            "category": category,
            "scope": scope,
            "title": {lang: title},
        }
        description = _paragraphs(component.get("DESCRIPTION"), SUMMARY_MAX_CHARS)
        if description:
            event["summary"] = {lang: description}
        event["start"] = _when_text(start)
        if end is not None:
            event["end"] = _when_text(end)
        if timezone:
            event["timezone"] = timezone
        if component.get("RRULE") is not None:
            rules = component.get("RRULE")
            rule = rules[0] if isinstance(rules, list) else rules
            rule_text = rule.to_ical().decode("ascii", "replace")
            problem = explain_rrule(rule_text)
            if problem:
                problems.append(f"{where}: {label}: RRULE {problem}")
                continue
            event["rrule"] = rule_text
        exdates = [_when_text(_local(d, tz)) for d in _dates(component, "EXDATE")]
        rdates = [_when_text(_local(d, tz)) for d in _dates(component, "RDATE")]
        if exdates:
            event["exdates"] = exdates
        if rdates:
            event["rdates"] = rdates
        location = _plain(component.get("LOCATION"), 200)
        if location:
            event["place"] = {"address": location}
            geo = component.get("GEO")
            if geo is not None:
                try:
                    event["place"]["geo"] = {
                        "lat": float(geo.latitude),
                        "lon": float(geo.longitude),
                    }
                except (AttributeError, TypeError, ValueError):
                    notes.append(f"{where}: {label}: GEO cannot be read — left out")
        url = str(component.get("URL") or "").strip()
        if url.lower().startswith("https://"):
            event["source"] = url
        elif source:
            event["source"] = source
        else:
            problems.append(
                f"{where}: {label} has no web page (URL) — give the page where the calendar is "
                "published with --source https://…"
            )
            continue
        masters[ident] = _Parsed(uid, uid_lines.get(uid, line), event)

    for uid, component, line in overrides:
        ident = event_id(region_id, uid)
        master = masters.get(ident)
        if master is None:
            continue
        try:
            original = component.decoded("RECURRENCE-ID")
        except (ValueError, KeyError, TypeError):
            continue
        tz = ZoneInfo(master.data.get("timezone") or region_timezone)
        master.data.setdefault("exdates", []).append(_when_text(_local(original, tz)))
        if str(component.get("STATUS") or "").upper() != "CANCELLED":
            try:
                moved = _local(component.decoded("DTSTART"), tz)
            except (ValueError, KeyError, TypeError):
                continue
            master.data.setdefault("rdates", []).append(_when_text(moved))
            notes.append(
                f"{name}:{line}: a changed date of '{_plain(component.get('SUMMARY') or uid, 40)}' "
                "is shown at its new time with the usual title and place"
            )

    events: dict[str, dict[str, Any]] = {}
    for ident, parsed in masters.items():
        try:
            Event.model_validate(parsed.data)
        except ValidationError as exc:
            for error in exc.errors(include_url=False):
                loc = ".".join(str(p) for p in error["loc"]) or "event"
                message = error["msg"].removeprefix("Value error, ")
                problems.append(
                    f"{name}:{parsed.line}: event '{_plain(parsed.uid, 60)}': {loc}: {message}"
                )
            continue
        events[ident] = parsed.data
    if problems:
        raise CalendarProblem(problems)
    return events, cancelled - set(events), notes

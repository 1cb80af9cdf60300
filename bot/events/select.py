"""Which events a municipality sees, and what is on in the coming days.

A municipality sees its own events, its region's and its country's national
ones, like entries. Occurrences are computed in each event's time zone (the
region's unless the event names another); an occurrence disappears once it has
ended. The per-municipality lists are built on first use and kept with the
content version (``Content.memo``), so a reload drops them.
"""

from __future__ import annotations

import datetime as dt

from bot.content.store import Content, Place
from bot.events.model import Event
from bot.events.recurrence import Occurrence, next_occurrences, occurrences, zone

#: Days "this week" covers: today and the six days after it.
WEEK_DAYS = 7


def _index(
    content: Content,
) -> tuple[dict[str, list[Event]], dict[str, list[Event]], dict[str, list[Event]]]:
    key = ("events:index",)
    found = content.memo.get(key)
    if found is None:
        local: dict[str, list[Event]] = {}
        regional: dict[str, list[Event]] = {}
        national: dict[str, list[Event]] = {}
        for event_id, event in content.events.items():
            region_id = content.event_region.get(event_id)
            if region_id is None:
                national.setdefault(content.event_country.get(event_id) or "", []).append(event)
            elif event.scope == "region":
                regional.setdefault(region_id, []).append(event)
            elif isinstance(event.scope, list):
                for municipality_id in event.scope:
                    local.setdefault(municipality_id, []).append(event)
        found = content.memo[key] = (local, regional, national)
    return found


def events_for(content: Content, place: Place, examples: bool = True) -> list[Event]:
    """The events people in ``place``'s municipality see (all dates); without
    example events when ``examples`` is False (``BOT_SHOW_EXAMPLES=0``)."""
    key = ("events:for", place.municipality.id, examples)
    found = content.memo.get(key)
    if found is None:
        local, regional, national = _index(content)
        found = [
            *local.get(place.municipality.id, ()),
            *regional.get(place.region.id, ()),
            *national.get(place.region.country, ()),
        ]
        if not examples:
            found = [event for event in found if not event.example]
        content.memo[key] = found
    return found


def timezone_of(content: Content, event: Event, place: Place | None = None):
    """The zone an event's times are in: its own, its region's, or the user's region's."""
    region = content.regions.get(content.event_region.get(event.id) or "")
    fallback = region.timezone if region else (place.region.timezone if place else "UTC")
    return zone(event, fallback)


def week_end(place: Place, now: dt.datetime, days: int = WEEK_DAYS) -> dt.datetime:
    """Midnight (local) after the last day of the ``days`` days starting today."""
    tz = zone_of_place(place)
    today = now.astimezone(tz).date()
    return dt.datetime.combine(today + dt.timedelta(days=days), dt.time(), tz)


def zone_of_place(place: Place):
    from bot.events.recurrence import _zone

    return _zone(place.region.timezone)


def this_week(
    content: Content,
    place: Place,
    now: dt.datetime,
    days: int = WEEK_DAYS,
    examples: bool = True,
) -> list[Occurrence]:
    """Occurrences not yet over at ``now`` (aware) that start before the end of the
    ``days``-th day (local), ordered by start, then title."""
    end = week_end(place, now, days)
    found: list[Occurrence] = []
    for event in events_for(content, place, examples):
        found += occurrences(event, timezone_of(content, event, place), now, end)
    found.sort(key=lambda o: (o.start, not o.all_day, o.event.id))
    return found


def upcoming(content: Content, event: Event, now: dt.datetime, count: int = 5) -> list[Occurrence]:
    """The next ``count`` occurrences of ``event`` not yet over at ``now``."""
    return next_occurrences(event, timezone_of(content, event), now, count)


def registration_closed(content: Content, event: Event, now: dt.datetime) -> bool:
    """True once the registration deadline has passed (a day: at its end)."""
    deadline = event.registration.deadline if event.registration else None
    if deadline is None:
        return False
    tz = timezone_of(content, event)
    if isinstance(deadline, dt.datetime):
        moment = deadline if deadline.tzinfo else deadline.replace(tzinfo=tz)
    else:
        moment = dt.datetime.combine(deadline + dt.timedelta(days=1), dt.time(), tz)
    return now >= moment

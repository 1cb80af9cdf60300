"""Export: the real (not example) events a municipality sees, as an iCalendar feed
(``newcomer-bot export-ical``), with the time zones they use (VTIMEZONE)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo


def export_calendar(content, place, lang: str | None = None) -> bytes:
    """The real (not example) events ``place`` sees, as an iCalendar feed."""
    import icalendar

    from bot.events.select import events_for, timezone_of
    from bot.i18n import content_chain, pick_language

    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//newcomer-bot//events//EN")
    calendar.add("version", "2.0")
    names = place.municipality.name
    calendar.add(
        "x-wr-calname",
        names.get(lang or "") or names.get(place.region.default_language) or place.municipality.id,
    )
    stamp = dt.datetime.now(dt.UTC).replace(microsecond=0)
    for event in events_for(content, place):
        if event.example:
            continue
        tz = timezone_of(content, event, place)
        chain = content_chain(lang or place.region.default_language, place.region.default_language)
        component = icalendar.Event()
        component.add("uid", event.uid or f"{event.id}@newcomer-bot")
        component.add("dtstamp", stamp)
        title_lang = pick_language(event.title, chain)
        component.add("summary", event.title[title_lang] if title_lang else event.id)
        summary_lang = pick_language(event.summary, chain)
        if summary_lang:
            component.add("description", event.summary[summary_lang])

        def moment(value: dt.datetime | dt.date, tz: ZoneInfo = tz) -> dt.datetime | dt.date:
            if isinstance(value, dt.datetime):
                return value.astimezone(tz) if value.tzinfo else value.replace(tzinfo=tz)
            return value

        component.add("dtstart", moment(event.start))
        if event.end is not None:
            end = event.end if not event.all_day else event.end + dt.timedelta(days=1)
            component.add("dtend", moment(end))
        elif event.all_day:
            component.add("dtend", event.start + dt.timedelta(days=1))
        if event.rrule:
            component.add("rrule", icalendar.vRecur.from_ical(event.rrule))
        for name, values in (("exdate", event.exdates), ("rdate", event.rdates)):
            for value in values:
                component.add(
                    name,
                    moment(
                        value
                        if isinstance(value, dt.datetime)
                        or not isinstance(event.start, dt.datetime)
                        else dt.datetime.combine(value, event.start.time())
                    ),
                )
        if event.place and event.place.address:
            component.add("location", event.place.address)
            if event.place.geo:
                component.add("geo", (event.place.geo.lat, event.place.geo.lon))
        elif event.place and event.place.entry in content.entries:
            venue = content.entries[event.place.entry]
            if venue.address:
                component.add("location", venue.address)
        if event.source:
            component.add("url", event.source)
        calendar.add_component(component)
    calendar.add_missing_timezones()
    return calendar.to_ical()

"""Checks on event files that no single file can tell, reported like the entries'
(``file:line: message``): unique ids and file names, the category, the scope's
municipalities, the venue entry. Called by :mod:`bot.content.load.loader`;
raises nothing.
"""

from __future__ import annotations

import difflib
from pathlib import Path

from bot.content.load.checks import Found
from bot.content.load.doc import Doc
from bot.content.load.problems import Collector
from bot.events.model import Event


def add_event(
    found: Found,
    path: Path,
    event: Event | None,
    doc: Doc | None,
    region_id: str | None,
    country_id: str | None,
    out: Collector,
) -> None:
    """Keep ``event`` (read from ``path``) unless its id is taken; report a file
    name that is not the id."""
    if event is None or doc is None:
        return
    if event.id in found.events:
        first = found.event_where[event.id][0]
        out.add(
            doc.rel,
            doc.line("id"),
            f"id '{event.id}' is already used by {first.rel}:{first.line('id')} — every event "
            "needs its own id: change this one (and rename the file to match)",
        )
        return
    if path.stem != event.id:
        out.add(
            doc.rel,
            doc.line("id"),
            f"the file name should be the id — rename the file to {event.id}.yaml, "
            f"or change the id to '{path.stem}'",
        )
    found.events[event.id] = event
    found.event_where[event.id] = (doc, region_id, country_id)


def check_events(found: Found, out: Collector) -> None:
    """Report every problem between the events in ``found`` and the other files."""
    categories = found.categories
    for event_id, event in found.events.items():
        doc, region_id, _country_id = found.event_where[event_id]
        if categories is not None and event.category not in categories:
            close = difflib.get_close_matches(event.category, list(categories), n=1)
            hint = (
                f"did you mean '{close[0]}'?" if close else "use one of: " + ", ".join(categories)
            )
            out.add(doc.rel, doc.line("category"), f"unknown category '{event.category}' — {hint}")
        if region_id is None:
            if event.scope != "national":
                out.add(
                    doc.rel,
                    doc.line("scope"),
                    "events under countries/ are for the whole country — write 'scope: national'",
                )
        elif region_id in found.regions:
            region = found.regions[region_id]
            if event.scope == "national":
                out.add(
                    doc.rel,
                    doc.line("scope"),
                    f"national events belong in countries/{region.country}/events/ — move the "
                    "file there, or write 'scope: region'",
                )
            elif isinstance(event.scope, list):
                known = [m.id for m in region.municipalities]
                for i, municipality_id in enumerate(event.scope):
                    if municipality_id not in known:
                        close = difflib.get_close_matches(municipality_id, known, n=1)
                        hint = (
                            f"did you mean '{close[0]}'?"
                            if close
                            else f"region '{region.id}' has: {', '.join(sorted(known))}"
                        )
                        out.add(
                            doc.rel,
                            doc.line("scope", i),
                            f"unknown municipality '{municipality_id}' in scope — {hint}",
                        )
        venue_id = event.place.entry if event.place else None
        if venue_id:
            venue = found.entries.get(venue_id)
            if venue is None and venue_id not in found.broken_stems:
                close = difflib.get_close_matches(venue_id, list(found.entries), n=1)
                hint = f"did you mean '{close[0]}'?" if close else "write the id of an entry"
                out.add(
                    doc.rel,
                    doc.line("place", "entry"),
                    f"place names entry '{venue_id}', which does not exist — {hint}",
                )
            elif venue is not None and event.example and not venue.example:
                out.add(
                    doc.rel,
                    doc.line("place", "entry"),
                    f"an example event (example: true) must not take place at the real entry "
                    f"'{venue_id}' — delete the place, or name an example entry",
                )

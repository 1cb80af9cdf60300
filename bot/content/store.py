"""Validated content in memory.

:class:`Content` is immutable and answers the questions handlers ask (what a
municipality offers, in which order). A reload builds a new one and replaces the
old in one assignment (see :mod:`bot.context`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from typing import NamedTuple

from bot.content.model import Category, Country, Entry, Municipality, Region
from bot.events.model import Event

#: Order of entries in a list: the user's own municipality first, then the
#: whole region, then national services (issue 2, "Main menu").
SCOPE_MUNICIPALITY, SCOPE_REGION, SCOPE_NATIONAL = 0, 1, 2


class Place(NamedTuple):
    municipality: Municipality
    region: Region


@dataclasses.dataclass(frozen=True, eq=False)
class Content:
    """All content, validated. Built by :func:`bot.content.load.load_content`."""

    categories: dict[str, Category]
    countries: dict[str, Country]
    regions: dict[str, Region]
    entries: dict[str, Entry]
    entry_region: dict[str, str | None]
    entry_country: dict[str, str | None]
    entry_files: dict[str, str]
    #: Events (bot/events/): by id, and where each came from, like entries.
    events: dict[str, Event] = dataclasses.field(default_factory=dict)
    event_region: dict[str, str | None] = dataclasses.field(default_factory=dict)
    event_country: dict[str, str | None] = dataclasses.field(default_factory=dict)
    event_files: dict[str, str] = dataclasses.field(default_factory=dict)
    places: dict[str, Place] = dataclasses.field(init=False)
    _region_wide: dict[str, list[Entry]] = dataclasses.field(init=False)
    _local: dict[str, list[Entry]] = dataclasses.field(init=False)
    _national: dict[str, list[Entry]] = dataclasses.field(init=False)
    _ranked_cache: dict[str, list[tuple[int, Entry]]] = dataclasses.field(init=False)
    #: Values derived from this content version on demand (e.g. rendered menus);
    #: they are dropped with it when a reload publishes new content.
    memo: dict = dataclasses.field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        places = {
            m.id: Place(m, region)
            for region in self.regions.values()
            for m in region.municipalities
        }
        region_wide: dict[str, list[Entry]] = {r: [] for r in self.regions}
        local: dict[str, list[Entry]] = {}
        national: dict[str, list[Entry]] = {}
        for entry_id, entry in self.entries.items():
            region_id = self.entry_region[entry_id]
            if region_id is None:
                national.setdefault(self.entry_country[entry_id] or "", []).append(entry)
            elif entry.scope == "region":
                region_wide[region_id].append(entry)
            else:
                for municipality_id in entry.scope:
                    local.setdefault(municipality_id, []).append(entry)
        for name, value in (
            ("places", places),
            ("_region_wide", region_wide),
            ("_local", local),
            ("_national", national),
            # Per-municipality lists are sorted on first use: building all of them up
            # front would cost seconds on every reload of a national-scale corpus.
            ("_ranked_cache", {}),
        ):
            object.__setattr__(self, name, value)

    def _ranked(self, municipality_id: str) -> list[tuple[int, Entry]]:
        ranked = self._ranked_cache.get(municipality_id)
        if ranked is None:
            place = self.places.get(municipality_id)
            if place is None:
                return []
            ranked = [(SCOPE_MUNICIPALITY, e) for e in self._local.get(municipality_id, ())]
            ranked += [(SCOPE_REGION, e) for e in self._region_wide[place.region.id]]
            ranked += [(SCOPE_NATIONAL, e) for e in self._national.get(place.region.country, ())]
            lang = place.region.default_language
            ranked.sort(key=lambda pair: (pair[0], pair[1].title.get(lang, pair[1].id).casefold()))
            self._ranked_cache[municipality_id] = ranked
        return ranked

    def place(self, municipality_id: str | None) -> Place | None:
        """The municipality and its region, or None if the id is unknown (e.g. removed)."""
        return self.places.get(municipality_id) if municipality_id else None

    def default_language(self, entry_id: str) -> str:
        """The language every text of the entry must exist in (region's or country's)."""
        region_id = self.entry_region.get(entry_id)
        if region_id:
            return self.regions[region_id].default_language
        country = self.countries.get(self.entry_country.get(entry_id) or "")
        return country.default_language if country else "en"

    def ranked_entries(
        self, municipality_id: str, today: dt.date, category: str | None = None
    ) -> list[tuple[int, Entry]]:
        """Visible entries for a municipality as ``(scope rank, entry)``, best first.

        Scope rank is :data:`SCOPE_MUNICIPALITY`, :data:`SCOPE_REGION` or
        :data:`SCOPE_NATIONAL`. Unknown municipality: empty list.
        """
        return [
            (rank, entry)
            for rank, entry in self._ranked(municipality_id)
            if (category is None or entry.category == category) and entry.is_visible(today)
        ]

    def entries_for(
        self, municipality_id: str, today: dt.date, category: str | None = None
    ) -> list[Entry]:
        """Like :meth:`ranked_entries` without the ranks."""
        return [e for _, e in self.ranked_entries(municipality_id, today, category)]

    def category_counts(self, municipality_id: str, today: dt.date) -> dict[str, int]:
        """Number of visible entries per category id (all categories, zeros included)."""
        counts = dict.fromkeys(self.categories, 0)
        for _, entry in self.ranked_entries(municipality_id, today):
            counts[entry.category] = counts.get(entry.category, 0) + 1
        return counts

    def nearest_municipality(self, lat: float, lon: float) -> tuple[Place, float] | None:
        """The municipality whose centroid is nearest, and its great-circle distance in km."""

        def distance_km(place: Place) -> float:
            g = place.municipality.geo
            p1, p2 = math.radians(lat), math.radians(g.lat)
            dp, dl = p2 - p1, math.radians(g.lon - lon)
            a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
            return 6371.0 * 2 * math.asin(min(1.0, math.sqrt(a)))

        scored = ((distance_km(p), p) for p in self.places.values())
        best = min(scored, key=lambda pair: pair[0], default=None)
        return (best[1], best[0]) if best else None

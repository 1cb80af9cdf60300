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

#: A shared location counts as inside a municipality that has no ``boundary`` when it
#: is at most this far from the municipality's ``geo`` (unless region.yaml sets its own
#: ``radius_km``). 5 km: a Luxembourg commune averages 26 km² (radius of an equal disc
#: 2.9 km) and a Hessian Gemeinde in Marburg-Biedenkopf 57 km² (4.3 km), and town
#: centres are rarely in the middle, so 5 km reaches the outer villages of a typical
#: commune while the next town 10-20 km away stays outside. Large or oddly shaped
#: communes set ``radius_km`` or a ``boundary``.
DEFAULT_RADIUS_KM = 5.0

#: Order of entries in a list: the user's own municipality first, then the
#: whole region, then national services (issue 2, "Main menu").
SCOPE_MUNICIPALITY, SCOPE_REGION, SCOPE_NATIONAL = 0, 1, 2


class Place(NamedTuple):
    municipality: Municipality
    region: Region


def list_order(entry: Entry, rank: int, lang: str) -> tuple:
    """Sort key of an entry in a list: the editors' ``priority`` first (1, 2, …: the
    emergency number on top whatever its scope), then the scope rank (the municipality's
    own before the region's before national ones), then the title in ``lang``."""
    priority = entry.priority if entry.priority is not None else 100
    return (priority, rank, entry.title.get(lang, entry.id).casefold())


class Located(NamedTuple):
    """Where a shared location is: ``inside`` the municipality that covers it (or None),
    and the ``nearest`` covered municipality with its distance in km (None: no content)."""

    inside: Place | None
    nearest: Place | None
    distance_km: float


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine, mean Earth radius 6371 km)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0 * 2 * math.asin(min(1.0, math.sqrt(a)))


def inside_polygon(lat: float, lon: float, polygon: list) -> bool:
    """Even-odd ray casting on the (lat, lon) plane; fine for a commune-sized polygon."""
    inside = False
    j = len(polygon) - 1
    for i, point in enumerate(polygon):
        other = polygon[j]
        if (point.lat > lat) != (other.lat > lat):
            crossing = point.lon + (lat - point.lat) * (other.lon - point.lon) / (
                other.lat - point.lat
            )
            if lon < crossing:
                inside = not inside
        j = i
    return inside


def covers(municipality: Municipality, lat: float, lon: float) -> bool:
    """Whether a location lies in the municipality's own area: its ``boundary`` when it
    has one, else within its ``radius_km`` (default :data:`DEFAULT_RADIUS_KM`) of its geo.
    The country is checked separately (:meth:`Content.locate`)."""
    if municipality.boundary:
        return inside_polygon(lat, lon, municipality.boundary)
    g = municipality.geo
    radius = municipality.radius_km or DEFAULT_RADIUS_KM
    return distance_km(lat, lon, g.lat, g.lon) <= radius


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

    def same_as(self, other: Content) -> bool:
        """True when ``other`` holds exactly the same content (every loaded field equal;
        the derived indexes follow from them). Cheap next to building a search index."""
        return all(
            getattr(self, field.name) == getattr(other, field.name)
            for field in dataclasses.fields(self)
            if field.init
        )

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
            ranked.sort(key=lambda pair: list_order(pair[1], pair[0], lang))
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
        self,
        municipality_id: str,
        today: dt.date,
        category: str | None = None,
        *,
        examples: bool = True,
    ) -> list[tuple[int, Entry]]:
        """Visible entries for a municipality as ``(scope rank, entry)``, in list order
        (:func:`list_order`).

        Scope rank is :data:`SCOPE_MUNICIPALITY`, :data:`SCOPE_REGION` or
        :data:`SCOPE_NATIONAL`. Unknown municipality: empty list. Without ``examples``
        example entries are left out (``BOT_SHOW_EXAMPLES=0``).
        """
        return [
            (rank, entry)
            for rank, entry in self._ranked(municipality_id)
            if (category is None or entry.category == category)
            and entry.is_visible(today)
            and (examples or not entry.example)
        ]

    def entries_for(
        self, municipality_id: str, today: dt.date, category: str | None = None
    ) -> list[Entry]:
        """Like :meth:`ranked_entries` without the ranks."""
        return [e for _, e in self.ranked_entries(municipality_id, today, category)]

    def category_counts(
        self, municipality_id: str, today: dt.date, *, examples: bool = True
    ) -> dict[str, int]:
        """Number of visible entries per category id (all categories, zeros included)."""
        counts = dict.fromkeys(self.categories, 0)
        for _, entry in self.ranked_entries(municipality_id, today, examples=examples):
            counts[entry.category] = counts.get(entry.category, 0) + 1
        return counts

    def nearest_municipality(self, lat: float, lon: float) -> tuple[Place, float] | None:
        """The municipality whose centroid is nearest, and its great-circle distance in km."""
        scored = (
            (distance_km(lat, lon, p.municipality.geo.lat, p.municipality.geo.lon), p)
            for p in self.places.values()
        )
        best = min(scored, key=lambda pair: pair[0], default=None)
        return (best[1], best[0]) if best else None

    def locate(self, lat: float, lon: float, zone_at=None) -> Located:
        """Which municipality a shared location is in, if any, and the nearest one.

        A location is inside a municipality only within that municipality's own area
        (:func:`covers`) and, when ``zone_at(lat, lon)`` (the IANA time zone of a point,
        see :mod:`bot.content.geo`) is given, only in its region's time zone: in Europe
        a zone is a country (Europe/Luxembourg, Europe/Berlin), so a circle that reaches
        across a border never takes in the other side. Of several municipalities
        covering the location the nearest centre wins.
        """
        on_earth = math.isfinite(lat) and math.isfinite(lon) and abs(lat) <= 90 and abs(lon) <= 180
        nearest = self.nearest_municipality(lat, lon) if on_earth else None
        if nearest is None:
            return Located(None, None, 0.0)
        candidates = sorted(
            (
                (distance_km(lat, lon, p.municipality.geo.lat, p.municipality.geo.lon), p)
                for p in self.places.values()
                if covers(p.municipality, lat, lon)
            ),
            key=lambda pair: pair[0],
        )
        if candidates and zone_at is not None:
            zone = zone_at(lat, lon)
            candidates = [(d, p) for d, p in candidates if p.region.timezone == zone]
        inside = candidates[0][1] if candidates else None
        return Located(inside, nearest[0], nearest[1])

"""The country check for shared locations: the IANA time zone of a point.

timezonefinder answers offline from the timezone-boundary-builder polygons, which
follow OpenStreetMap's country borders; in Europe each country has its own zone
(Europe/Luxembourg, Europe/Berlin, Europe/Paris), so a point's zone tells on which
side of a border it is. :meth:`bot.content.store.Content.locate` compares it with
the region's ``timezone``.
"""

from __future__ import annotations

import functools
import logging

log = logging.getLogger(__name__)


@functools.cache
def _finder():
    from timezonefinder import TimezoneFinder

    return TimezoneFinder()


def zone_at(lat: float, lon: float) -> str | None:
    """The IANA time zone at a point (None at sea or for impossible coordinates)."""
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    try:
        return _finder().timezone_at(lng=lon, lat=lat)
    except ValueError:
        log.info("no time zone for a shared location")
        return None

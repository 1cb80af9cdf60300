"""The services every handler shares, kept in python-telegram-bot's ``bot_data``.

:class:`Snapshot` bundles one version of the content with the indexes derived
from it (municipality names, search). A reload builds a whole new snapshot and
publishes it with one assignment, so an update being handled sees either the old
or the new content, never a mix of both.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.config import Settings
from bot.content.loader import Problem, load_content
from bot.content.model import Region
from bot.content.store import Content
from bot.delivery import DeliveryWorker

if TYPE_CHECKING:
    from bot.reload import ContentReloader
from bot.places import PlaceMatcher
from bot.search import SearchIndex
from bot.staff import Staff, StaffFileInvalid
from bot.storage import Storage

log = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class Snapshot:
    """One content version and its derived indexes."""

    content: Content
    places: PlaceMatcher
    search: SearchIndex

    @classmethod
    def build(cls, content: Content) -> Snapshot:
        """Build the indexes for ``content`` (CPU-bound: call it off the event loop)."""
        places = PlaceMatcher(content)
        return cls(content, places, SearchIndex(content, places))

    @classmethod
    def load(cls, directory: str | Path) -> Snapshot:
        """Load, validate and index a content directory.

        Raises :class:`bot.content.loader.ContentInvalid` listing every problem.
        """
        return cls.build(load_content(directory))


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class BotData:
    """python-telegram-bot's ``bot_data`` for this bot (``ContextTypes(bot_data=BotData)``).

    Attributes are set by :func:`bot.app.build_application` before the first update.
    """

    snapshot: Snapshot
    storage: Storage
    settings: Settings
    staff: Staff = Staff.empty()
    delivery: DeliveryWorker
    reloader: ContentReloader
    clock: Callable[[], dt.datetime] = staticmethod(utc_now)

    def __init__(self) -> None:
        # Reloads of the staff file run one after the other, so the last one to start
        # (which read the newest file) is the last to set ``staff``: two admins'
        # /grant and /revoke at the same moment cannot leave an older file in force.
        self._staff_reload = asyncio.Lock()

    async def reload_staff(self) -> Problem | None:
        """Re-read the staff file off the event loop; keep the old staff if it is broken.

        Returns None on success, else the problem (``file:line: message``).
        """
        async with self._staff_reload:
            try:
                self.staff = await asyncio.to_thread(Staff.load, self.settings.staff_path)
            except StaffFileInvalid as exc:
                log.error("staff file not reloaded: %s", exc)
                return exc.problem
        return None

    def local_now(self, region: Region | None) -> dt.datetime:
        """Naive wall-clock time in the region's time zone (opening hours are local)."""
        tz = ZoneInfo(region.timezone) if region else dt.UTC
        return self.clock().astimezone(tz).replace(tzinfo=None)

    def today(self, region: Region | None = None) -> dt.date:
        return self.local_now(region).date()

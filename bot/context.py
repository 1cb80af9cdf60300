"""The services every handler shares, kept in python-telegram-bot's ``bot_data``
(``ContextTypes(bot_data=BotData)``): the content snapshot, storage, staff roles,
the delivery worker, the reloader and the clock.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.config import Settings
from bot.content.load.problems import Problem
from bot.content.model import Region
from bot.content.snapshot import Snapshot
from bot.content.staff import Staff, StaffFileInvalid
from bot.delivery.worker import DeliveryWorker
from bot.storage import Storage

if TYPE_CHECKING:
    from bot.content.reload import ContentReloader

log = logging.getLogger(__name__)


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

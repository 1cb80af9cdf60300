"""Which entries need a fresh look: not checked for a long time, or already expired.

``reviewed`` is the day a person last compared an entry with its ``source``; the
bot shows it on the card (only when both are there). A real entry without a
``source`` counts as never checked: nobody can check it. ``valid_until`` ends an offer: after that day the bot hides the
entry, and the file only waits to be deleted.
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import NamedTuple

from bot.content.store import Content


class StaleEntry(NamedTuple):
    """An entry to check again: ``reviewed`` is None when it was never checked;
    ``unsourced`` when it is real but names no ``source`` to check it against."""

    entry_id: str
    reviewed: dt.date | None
    file: str
    unsourced: bool = False


class ExpiredEntry(NamedTuple):
    """An entry past its ``valid_until`` day: the bot hides it; delete the file."""

    entry_id: str
    valid_until: dt.date
    file: str


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` calendar months earlier (31 March - 1 month = 28/29 February)."""
    index = day.year * 12 + (day.month - 1) - months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def stale(content: Content, months: int, today: dt.date) -> list[StaleEntry]:
    """Entries whose ``reviewed`` date is more than ``months`` months before ``today``,
    or missing; never-checked entries first, then oldest first. A real entry without
    ``source`` is listed as never checked (``unsourced``), whatever its date says. Expired entries are
    not listed here (see :func:`expired`): they need deleting, not checking."""
    if months < 0:
        raise ValueError("months must be 0 or more")
    cutoff = months_before(today, months)
    found = []
    for entry_id, entry in content.entries.items():
        if not entry.is_visible(today):
            continue
        unsourced = not entry.example and entry.source is None
        reviewed = None if unsourced else entry.reviewed
        if reviewed is None or reviewed < cutoff:
            found.append(StaleEntry(entry_id, reviewed, content.entry_files[entry_id], unsourced))
    return sorted(
        found, key=lambda s: (s.reviewed is not None, s.reviewed or dt.date.min, s.entry_id)
    )


def expired(content: Content, today: dt.date) -> list[ExpiredEntry]:
    """Entries whose ``valid_until`` is before ``today``, longest expired first."""
    found = [
        ExpiredEntry(entry_id, entry.valid_until, content.entry_files[entry_id])
        for entry_id, entry in content.entries.items()
        if entry.valid_until is not None and not entry.is_visible(today)
    ]
    return sorted(found, key=lambda e: (e.valid_until, e.entry_id))

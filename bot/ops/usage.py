"""Counting what newcomers do, for the council, and reporting it without singling
anyone out.

Handlers call :meth:`UsageCounter.count` (one line each, no await): the count goes
to an in-memory tally, written to ``usage_counts`` (:mod:`bot.storage.stats`)
once a minute and at shutdown, so counting costs no database write per update. A
crash loses at most the last minute's counts. What is kept: the municipality's
local date, the municipality, the category, the language and the number. Never a
user id, a text or a time of day.

Besides the events, the tally counts *people*: how many different people did
something that day, per municipality and language. To count each person once
without keeping who they are, the counter remembers, in memory only,
``HMAC(salt, user id)`` under a random salt made for the day (as the feedback
votes do, :mod:`bot.feedback`); a day's salt and tokens are dropped at the first
count two days later (a municipality's date can be a day behind another's), or
with the process. A restart forgets them, so a person active before and after a
restart on the same day is counted twice (at most once per restart). Reports over
several days add up days (see :func:`report`).

Reports (``newcomer-bot stats``, ``/stats``) suppress every number below
:data:`MIN_CELL` (shown as ``<5``, or null in JSON), and leave out rows where every
number is below it, so that a lone speaker of a rare language in a small commune
cannot be seen. No totals are printed (they would give suppressed cells away).
"""

from __future__ import annotations

import collections
import csv
import dataclasses
import datetime as dt
import hashlib
import hmac
import io
import json
import logging
import secrets
from collections.abc import Callable
from typing import Any

from bot.storage.stats import EVENTS, Key, UsageCounts, table

log = logging.getLogger(__name__)

#: Report cells below this are suppressed.
MIN_CELL = 5
SUPPRESSED = "<5"
#: Seconds between writes of the tally.
FLUSH_SECONDS = 60.0

EVENT_NAMES = frozenset(event for event, _ in EVENTS) - {"person"}
COLUMNS = tuple(column for _, column in EVENTS)


class UsageCounter:
    """The tally. ``today(municipality id or None)`` gives the local date to count on;
    ``on_event(event)`` (the Prometheus counter) is told about each event too."""

    def __init__(
        self,
        store: UsageCounts,
        today: Callable[[str | None], dt.date],
        on_event: Callable[[str], None] = lambda event: None,
    ):
        self.store = store
        self.today = today
        self.on_event = on_event
        self.pending: collections.Counter[Key] = collections.Counter()
        # day → (salt, tokens of the people counted that day); only days still current
        # somewhere (time zones differ), see _count_person.
        self._people: dict[dt.date, tuple[bytes, set[bytes]]] = {}

    def count(
        self,
        event: str,
        *,
        language: str,
        municipality: str | None = None,
        category: str | None = None,
        user_id: int | None = None,
    ) -> None:
        """Count one ``event`` (start, card, search, not_found, handoff); with
        ``user_id``, also the person, once a day per municipality and language (the
        id itself is not kept). Raises ValueError for an unknown event."""
        if event not in EVENT_NAMES:
            raise ValueError(f"unknown usage event {event!r}")
        day = self.today(municipality)
        self.pending[Key(day, municipality or "", category or "", language, event)] += 1
        self.on_event(event)
        if user_id is not None:
            self._count_person(day, municipality or "", language, user_id)

    def _count_person(self, day: dt.date, municipality: str, language: str, user_id: int) -> None:
        if day not in self._people:
            # The bot's municipalities are at most a day apart in date (Europe's time
            # zones differ by hours): days two behind are over everywhere.
            for old in [d for d in self._people if d < day - dt.timedelta(days=1)]:
                del self._people[old]
            self._people[day] = (secrets.token_bytes(32), set())
        salt, seen = self._people[day]
        token = hmac.digest(salt, f"{user_id}:{municipality}:{language}".encode(), hashlib.sha256)
        if token[:16] not in seen:
            seen.add(token[:16])
            self.pending[Key(day, municipality, "", language, "person")] += 1

    def searched(
        self, found: bool, *, language: str, municipality: str | None, user_id: int | None = None
    ) -> None:
        """A search; also a "not_found" when nothing was found."""
        self.count("search", language=language, municipality=municipality, user_id=user_id)
        if not found:
            self.count("not_found", language=language, municipality=municipality)

    async def flush(self) -> None:
        """Write the tally (kept for the next try if the write fails)."""
        pending, self.pending = self.pending, collections.Counter()
        try:
            await self.store.add(pending)
        except Exception:
            self.pending.update(pending)
            raise


def for_bot(data: Any) -> UsageCounter:
    """The counter for a bot's ``bot_data``: its storage, its clock in the
    municipality's time zone, its Prometheus counters."""

    def today(municipality: str | None) -> dt.date:
        place = data.snapshot.content.place(municipality)
        return data.today(place.region if place else None)

    return UsageCounter(UsageCounts(data.storage), today, data.metrics.usage)


async def flush_job(context: Any) -> None:
    """JobQueue job (and shutdown): write the usage tally."""
    try:
        await context.bot_data.stats.flush()
    except Exception as exc:
        log.warning("usage counts not written yet (%s); trying again", type(exc).__name__)


# -- reports ------------------------------------------------------------------------------


def suppress(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Cells below :data:`MIN_CELL` become None; rows with no cell left are dropped."""
    out = []
    for row in rows:
        cells = {c: (row[c] if row[c] >= MIN_CELL else None) for c in COLUMNS}
        if any(v is not None for v in cells.values()):
            out.append({**row, **cells})
    return out


def to_csv(rows: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    fields = ["day", "municipality", "category", "language", *COLUMNS]
    writer = csv.DictWriter(buffer, fields, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: (SUPPRESSED if row[k] is None else row[k]) for k in fields})
    return buffer.getvalue()


def to_json(rows: list[dict[str, Any]], first: dt.date, last: dt.date) -> str:
    return json.dumps(
        {
            "from": first.isoformat(),
            "to": last.isoformat(),
            "suppressed_below": MIN_CELL,
            "note": f"null: fewer than {MIN_CELL}; rows with nothing to show are left out",
            "rows": rows,
        },
        ensure_ascii=False,
        indent=1,
    )


class MonthNotOver(ValueError):
    """The month asked for is not over yet (or not begun)."""


def completed_month(text: str | None, today: dt.date) -> tuple[dt.date, dt.date]:
    """First and last day of the month ``text`` (``YYYY-MM``), or of the last month
    that is over when ``text`` is None.

    Only months that are over are reported in Telegram: reports over periods that
    overlap or still grow (the last 30 days, this month so far) could be
    subtracted from each other to get one day's numbers, below 5 or not. Raises
    ValueError if ``text`` is no ``YYYY-MM``, :class:`MonthNotOver` if that month
    has not ended before ``today``."""
    if text is None:
        last = today.replace(day=1) - dt.timedelta(days=1)
        return last.replace(day=1), last
    try:
        first = dt.datetime.strptime(text.strip(), "%Y-%m").date()
    except ValueError:
        raise ValueError(f"not a month: {text!r}") from None
    following = (first + dt.timedelta(days=32)).replace(day=1)
    if following > today:
        raise MonthNotOver(text)
    return first, following - dt.timedelta(days=1)


async def report(
    store: UsageCounts, first: dt.date, last: dt.date, *, by: str = "day"
) -> list[dict[str, Any]]:
    """Suppressed rows from ``first`` to ``last``. ``by``: ``day``; ``month`` (the
    days of each month added up, so more cells reach :data:`MIN_CELL`); ``period``
    (the whole period per municipality and language, categories added up).

    People are counted per day, so added-up days give people per day, added up
    (someone who came on five days counts five times). So that one person on five
    days can never show as five people, a day's people count below :data:`MIN_CELL`
    is left out before days are added up."""
    counts = await store.between(first, last)
    if by in ("month", "period"):
        merged: collections.Counter[Key] = collections.Counter()
        for key, n in counts:
            if key.event == "person" and n < MIN_CELL:
                continue
            if by == "month":
                merged[dataclasses.replace(key, day=key.day.replace(day=1))] += n
            else:
                merged[dataclasses.replace(key, day=first, category="")] += n
        counts = sorted(merged.items(), key=lambda item: dataclasses.astuple(item[0]))
    rows = table(counts)
    for row in rows:
        if by == "month":
            row["day"] = row["day"][:7]
        elif by == "period":
            row["day"] = f"{first.isoformat()}..{last.isoformat()}"
    return suppress(rows)

"""Usage counts for the council: per day × municipality × category × language,
how many starts, cards opened, searches, searches without a result and hand-offs.

No user id, no text, no time finer than the day: a row is a day, four labels and
a number. The table is created here (``CREATE TABLE IF NOT EXISTS``), apart from
the bot's numbered migrations, so it can be added to any existing database.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

#: What is counted, in report order: (event, column name in reports).
EVENTS: tuple[tuple[str, str], ...] = (
    ("person", "people"),  # different people that day (bot.ops.usage: counted once each)
    ("start", "starts"),
    ("card", "cards_opened"),
    ("search", "searches"),
    ("not_found", "not_found"),
    ("handoff", "handoffs"),
)

SCHEMA = """
CREATE TABLE IF NOT EXISTS usage_counts (
    day          TEXT NOT NULL,            -- YYYY-MM-DD, the municipality's local date
    municipality TEXT NOT NULL,            -- '' when not chosen yet
    category     TEXT NOT NULL,            -- '' when the event has none
    language     TEXT NOT NULL,
    event        TEXT NOT NULL,
    count        INTEGER NOT NULL,
    PRIMARY KEY (day, municipality, category, language, event)
) WITHOUT ROWID
"""


@dataclasses.dataclass(frozen=True)
class Key:
    day: dt.date
    municipality: str
    category: str
    language: str
    event: str


class UsageCounts:
    """The ``usage_counts`` table, through the bot's :class:`~bot.storage.Storage`
    (its connection and transactions)."""

    def __init__(self, storage: Any):
        self.storage = storage
        self._ready = False

    async def ensure_table(self) -> None:
        if not self._ready:
            await self.storage.db.execute(SCHEMA)
            self._ready = True

    async def add(self, counts: Mapping[Key, int]) -> None:
        """Add ``counts`` to the stored ones, in one transaction."""
        if not counts:
            return
        await self.ensure_table()
        rows = [
            (k.day.isoformat(), k.municipality, k.category, k.language, k.event, n)
            for k, n in counts.items()
        ]
        async with self.storage.transaction():
            await self.storage.db.executemany(
                "INSERT INTO usage_counts (day, municipality, category, language, event, count)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (day, municipality, category, language,"
                " event) DO UPDATE SET count = count + excluded.count",
                rows,
            )

    async def between(self, first: dt.date, last: dt.date) -> list[tuple[Key, int]]:
        """Every stored count from ``first`` to ``last`` (both included)."""
        await self.ensure_table()
        async with self.storage.db.execute(
            "SELECT day, municipality, category, language, event, count FROM usage_counts"
            " WHERE day BETWEEN ? AND ? ORDER BY day, municipality, category, language",
            (first.isoformat(), last.isoformat()),
        ) as cursor:
            rows = await cursor.fetchall()
        return [(Key(dt.date.fromisoformat(r[0]), r[1], r[2], r[3], r[4]), int(r[5])) for r in rows]


def table(counts: Iterable[tuple[Key, int]]) -> list[dict[str, Any]]:
    """One dict per day × municipality × category × language with a column per event."""
    rows: dict[tuple, dict[str, Any]] = {}
    columns = dict(EVENTS)
    for key, n in counts:
        group = (key.day, key.municipality, key.category, key.language)
        row = rows.get(group)
        if row is None:
            row = rows[group] = {
                "day": key.day.isoformat(),
                "municipality": key.municipality,
                "category": key.category,
                "language": key.language,
                **dict.fromkeys(columns.values(), 0),
            }
        if key.event in columns:
            row[columns[key.event]] += n
    return list(rows.values())

"""One version of the content with the indexes derived from it.

:class:`Snapshot` bundles the content with its municipality names and search index.
A reload builds a whole new snapshot and publishes it with one assignment, so an
update being handled sees either the old or the new content, never a mix of both.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from bot.content.load import load_content
from bot.content.store import Content
from bot.search.places import PlaceMatcher
from bot.search.query import SearchIndex


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

        Raises :class:`bot.content.load.ContentInvalid` listing every problem.
        """
        return cls.build(load_content(directory))

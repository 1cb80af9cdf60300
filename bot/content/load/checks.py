"""Cross-file checks: what no single file can tell (a region's country exists,
municipality ids are unique, an entry's category and scope exist, the default
language has texts, an example entry has no real contact details, a region's
counselling entry exists).

Runs after the folder walk on the files that loaded (a broken file is already
reported) and reports to a :class:`~bot.content.load.problems.Collector`;
raises nothing.
"""

from __future__ import annotations

import dataclasses
import difflib
from pathlib import Path

from bot.content.load.doc import Doc
from bot.content.load.problems import Collector
from bot.content.model import Category, Country, Entry, Region


@dataclasses.dataclass
class Found:
    """What the folder walk loaded: the parsed files and where each came from."""

    categories: dict[str, Category] | None = None
    countries: dict[str, Country] = dataclasses.field(default_factory=dict)
    regions: dict[str, Region] = dataclasses.field(default_factory=dict)
    region_docs: dict[str, Doc] = dataclasses.field(default_factory=dict)
    entries: dict[str, Entry] = dataclasses.field(default_factory=dict)
    #: entry id → (its file, its region id or None, its country id or None)
    entry_where: dict[str, tuple[Doc, str | None, str | None]] = dataclasses.field(
        default_factory=dict
    )
    #: Stems of entry files that did not load: the id a region's counselling names
    #: may be one of them, and "does not exist" would send the editor elsewhere.
    broken_stems: set[str] = dataclasses.field(default_factory=set)
    #: Events (bot/events/), and where each came from, like entries.
    events: dict = dataclasses.field(default_factory=dict)
    event_where: dict = dataclasses.field(default_factory=dict)


def check_across_files(root: Path, found: Found, out: Collector) -> None:
    """Report to ``out`` every problem between the files in ``found`` (content folder ``root``)."""
    categories, countries, regions = found.categories, found.countries, found.regions
    region_docs, entries, entry_where = found.region_docs, found.entries, found.entry_where
    broken_stems = found.broken_stems
    municipality_region: dict[str, str] = {}
    for region in regions.values():
        doc = region_docs[region.id]
        if region.country not in countries and not (root / "countries" / region.country).is_dir():
            known = ", ".join(countries) or "none"
            out.add(
                doc.rel,
                doc.line("country"),
                f"country '{region.country}' has no folder countries/{region.country}/ — "
                f"use one of: {known}",
            )
        for i, municipality in enumerate(region.municipalities):
            if municipality.id in municipality_region:
                out.add(
                    doc.rel,
                    doc.line("municipalities", i, "id"),
                    f"municipality id '{municipality.id}' is already used in region "
                    f"'{municipality_region[municipality.id]}' — ids must be unique",
                )
            municipality_region.setdefault(municipality.id, region.id)
        if region.default_language not in region.name:
            out.add(
                doc.rel,
                doc.line("name"),
                f"name has no '{region.default_language}' text — the region's default "
                f"language needs a name: add '  {region.default_language}: …' below 'name:'",
            )

    for entry_id, entry in entries.items():
        doc, region_id, country_id = entry_where[entry_id]
        if categories is not None and entry.category not in categories:
            close = difflib.get_close_matches(entry.category, list(categories), n=1)
            hint = (
                f"did you mean '{close[0]}'?" if close else f"use one of: {', '.join(categories)}"
            )
            out.add(
                doc.rel,
                doc.line("category"),
                f"unknown category '{entry.category}' — {hint}",
            )
        if entry.example:
            # README, section 7: an illustration must not send anybody to a real
            # phone, door or inbox that has nothing to do with it.
            for field in ("phone", "address", "email", "website"):
                if getattr(entry, field):
                    out.add(
                        doc.rel,
                        doc.line(field),
                        f"{field}: an example entry (example: true) must not have a "
                        f"{field} — delete the line, or write 'example: false' if the "
                        "entry is real",
                    )
        default_language = None
        if region_id is None:
            if entry.scope != "national":
                out.add(
                    doc.rel,
                    doc.line("scope"),
                    "entries under countries/ are for the whole country — write 'scope: national'",
                )
            country = countries.get(country_id or "")
            default_language = country.default_language if country else None
        elif region_id in regions:
            region = regions[region_id]
            default_language = region.default_language
            if entry.scope == "national":
                out.add(
                    doc.rel,
                    doc.line("scope"),
                    f"national entries belong in countries/{region.country}/entries/ — move "
                    "the file there, or write 'scope: region'",
                )
            elif isinstance(entry.scope, list):
                _check_scope(entry, doc, region, municipality_region, out)
        if default_language:
            for field in ("title", "summary"):
                if default_language not in getattr(entry, field):
                    out.add(
                        doc.rel,
                        doc.line(field),
                        f"{field} has no '{default_language}' text — {default_language} is "
                        "the default language here, and every entry needs it: add "
                        f"'  {default_language}: …' below '{field}:'",
                    )
        for lang in sorted(set(entry.summary) - set(entry.title) - {default_language}):
            out.add(
                doc.rel,
                doc.line("title"),
                f"title has no '{lang}' text but summary has — add '  {lang}: …' below 'title:'",
            )

    for region in regions.values():
        if (
            region.counselling
            and region.counselling not in entries
            and region.counselling not in broken_stems
        ):
            doc = region_docs[region.id]
            out.add(
                doc.rel,
                doc.line("counselling"),
                f"counselling names entry '{region.counselling}', which does not exist — "
                "write the id of a counselling entry of this region",
            )


def _check_scope(
    entry: Entry,
    doc: Doc,
    region: Region,
    municipality_region: dict[str, str],
    out: Collector,
) -> None:
    known = [m.id for m in region.municipalities]
    for i, municipality_id in enumerate(entry.scope):
        if municipality_id in known:
            continue
        elsewhere = municipality_region.get(municipality_id)
        close = difflib.get_close_matches(municipality_id, known, n=1)
        if elsewhere:
            hint = (
                f"it belongs to region '{elsewhere}': move the file to regions/{elsewhere}/entries/"
            )
        elif close:
            hint = f"did you mean '{close[0]}'?"
        else:
            hint = f"region '{region.id}' has: {', '.join(sorted(known))}"
        out.add(
            doc.rel,
            doc.line("scope", i),
            f"unknown municipality '{municipality_id}' in scope — {hint}",
        )

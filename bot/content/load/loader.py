"""The content folder as a whole: walk it, read each file (through the per-file
cache of :class:`ContentLoader`), run the cross-file checks, and build the
validated :class:`~bot.content.store.Content`, or raise :class:`ContentInvalid`
with every problem.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

from pydantic import BaseModel

from bot import runtime
from bot.content.load.checks import Found, check_across_files
from bot.content.load.doc import Doc
from bot.content.load.documents import read_yaml, validate
from bot.content.load.folders import listdir, looks_like_yaml, report_unread_yaml, yaml_files
from bot.content.load.messages import not_a_mapping
from bot.content.load.problems import Collector, ContentInvalid, Problem
from bot.content.model import CategoryFile, Country, Entry, Region
from bot.events.checks import add_event, check_events
from bot.events.model import Event


def load_content(root: str | os.PathLike[str]):
    """Load and validate every content file below ``root``.

    Returns a :class:`bot.content.store.Content`. Raises :class:`ContentInvalid`
    listing every problem when anything is wrong; nothing else escapes for bad
    files. See :class:`ContentLoader` for repeated loads of the same folder.
    """
    return ContentLoader().load(root)


@dataclasses.dataclass
class _Cached:
    key: tuple[int, int, int]
    doc: Doc | None
    entry: Entry | None
    problems: list[Problem]


class ContentLoader:
    """Loads a content folder, remembering each entry file by its modification time,
    size and inode, so a reload parses and validates only the files that changed
    (cross-file checks always run on everything). One instance per folder; not
    thread-safe: run one :meth:`load` at a time."""

    def __init__(self) -> None:
        self._entries: dict[Path, _Cached] = {}

    def load(self, root: str | os.PathLike[str]):
        """Like :func:`load_content`: returns a :class:`bot.content.store.Content`;
        raises :class:`ContentInvalid` on any problem."""
        with runtime.gc_paused():
            return self._load(Path(root))

    def _read_entry(
        self, path: Path, out: Collector, model: type[BaseModel] = Entry, what: str = "an entry"
    ) -> _Cached:
        try:
            st = path.stat()
            key = (st.st_mtime_ns, st.st_size, st.st_ino)
        except OSError:
            key = (0, 0, 0)
        cached = self._entries.get(path)
        if cached is not None and cached.key == key and key != (0, 0, 0):
            return cached
        before = len(out.problems)
        doc = read_yaml(path, out)
        entry = None
        if doc is not None:
            if not isinstance(doc.data, dict):
                out.add(doc.rel, 1, not_a_mapping(doc, what, "id: …"))
            else:
                entry = validate(model, doc, out)
            doc.release()
        problems = out.problems[before:]
        del out.problems[before:]
        cached = _Cached(key, doc, entry, problems)
        self._entries[path] = cached
        return cached

    def _load(self, root: Path):
        from bot.content.store import Content

        out = Collector(root)
        if not root.is_dir():
            raise ContentInvalid(
                [Problem(str(root), 1, "the content folder does not exist — check the path")]
            )
        found = Found()
        read: set[Path] = set()  # every file the loader tried to read

        cat_path = root / "categories.yaml"
        if not os.path.lexists(cat_path):
            out.add(out.rel(cat_path), 1, "categories.yaml is missing — it lists the categories")
        else:
            read.add(cat_path)
            doc = read_yaml(cat_path, out)
            if doc is not None:
                if not isinstance(doc.data, dict):
                    out.add(doc.rel, 1, not_a_mapping(doc, "categories.yaml", "categories:"))
                else:
                    parsed = validate(CategoryFile, doc, out)
                    if parsed:
                        categories = found.categories = {}
                        for i, category in enumerate(parsed.categories):
                            if category.id in categories:
                                line = doc.line("categories", i, "id")
                                out.add(
                                    doc.rel,
                                    line,
                                    f"category '{category.id}' is listed twice — delete one "
                                    "of them (or give it another id)",
                                )
                            categories[category.id] = category

        def load_entries(folder: Path, region_id: str | None, country_id: str | None) -> None:
            entries, entry_where = found.entries, found.entry_where
            for path in yaml_files(folder / "entries", out):
                read.add(path)
                cached = self._read_entry(path, out)
                out.problems.extend(cached.problems)
                entry, doc = cached.entry, cached.doc
                if entry is None or doc is None:
                    found.broken_stems.add(path.stem)
                    continue
                if entry.id in entries:
                    first = entry_where[entry.id][0]
                    out.add(
                        doc.rel,
                        doc.line("id"),
                        f"id '{entry.id}' is already used by {first.rel}:"
                        f"{first.line('id')} — every entry needs its own id: change this one "
                        "(and rename the file to match)",
                    )
                    continue
                if path.stem != entry.id:
                    out.add(
                        doc.rel,
                        doc.line("id"),
                        f"the file name should be the id — rename the file to {entry.id}.yaml, "
                        f"or change the id to '{path.stem}'",
                    )
                entries[entry.id] = entry
                entry_where[entry.id] = (doc, region_id, country_id)
            for path in yaml_files(folder / "events", out):  # events beside entries
                read.add(path)
                cached = self._read_entry(path, out, Event, "an event")
                out.problems.extend(cached.problems)
                add_event(found, path, cached.entry, cached.doc, region_id, country_id, out)

        def read_folders(parent: Path, file_name: str, model: type[BaseModel], what: str):
            """Each area folder (a country or a region) below ``parent``: yields
            ``(name, folder, parsed file or None, its Doc or None)``."""
            for name in listdir(parent):
                folder = parent / name
                if name.startswith(".") or not folder.is_dir():
                    if looks_like_yaml(name):
                        out.add(
                            out.rel(folder),
                            1,
                            f"this file is not read — each {what} has its own folder: "
                            f"{parent.name}/<id>/{file_name}",
                        )
                    continue
                path = folder / file_name
                parsed = doc = None
                if not os.path.lexists(path):
                    out.add(out.rel(path), 1, f"{file_name} is missing in this {what} folder")
                elif (doc := read_yaml(path, out)) is not None:
                    if isinstance(doc.data, dict):
                        parsed = validate(model, doc, out)
                    else:
                        out.add(doc.rel, 1, not_a_mapping(doc, file_name, f"id: {name}"))
                read.add(path)
                if parsed is not None and parsed.id != name:
                    message = f"id must be the folder name — write 'id: {name}'"
                    out.add(doc.rel, doc.line("id"), message)
                yield name, folder, parsed, doc

        # The entries are checked even when country.yaml or region.yaml is broken:
        # one broken file must not hide the problems of others.
        for name, folder, country, _ in read_folders(
            root / "countries", "country.yaml", Country, "country"
        ):
            if country is not None:
                found.countries[country.id] = country
            load_entries(folder, None, country.id if country else name)

        for name, folder, region, doc in read_folders(
            root / "regions", "region.yaml", Region, "region"
        ):
            if region is not None:
                found.regions[region.id] = region
                found.region_docs[region.id] = doc
            load_entries(folder, region.id if region else name, region.country if region else None)

        for path in [p for p in self._entries if p not in read]:
            del self._entries[path]  # deleted files must not linger in memory

        if not found.regions and not out.problems:
            out.add(out.rel(root / "regions"), 1, "no region found — add regions/<id>/region.yaml")
        # Every YAML file is read or reported: an entry in the wrong place would
        # otherwise be missing for newcomers without anybody noticing.
        report_unread_yaml(root, read, out)

        # Cross-file checks: only on files that loaded; a broken file is already reported.
        check_across_files(root, found, out)
        check_events(found, out)

        if out.problems:
            raise ContentInvalid(out.problems)
        return Content(
            categories=found.categories or {},
            countries=found.countries,
            regions=found.regions,
            entries=found.entries,
            entry_region={k: v[1] for k, v in found.entry_where.items()},
            entry_country={k: v[2] for k, v in found.entry_where.items()},
            entry_files={k: v[0].rel for k, v in found.entry_where.items()},
            events=found.events,
            event_region={k: v[1] for k, v in found.event_where.items()},
            event_country={k: v[2] for k, v in found.event_where.items()},
            event_files={k: v[0].rel for k, v in found.event_where.items()},
        )

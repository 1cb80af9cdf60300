"""Read the content directory into a validated :class:`~bot.content.store.Content`.

Every problem is reported as a :class:`Problem` (``file:line: message``) written
for content editors: what is wrong, where, and how to fix it. Loading never
raises anything but :class:`ContentInvalid` for bad content, whatever the files
hold (syntax errors, tabs, binary data, huge files).
"""

from __future__ import annotations

import dataclasses
import gc
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from bot.content.model import Category, CategoryFile, Country, Entry, Region

try:  # the C loader is much faster; fall back to pure Python where libyaml is missing
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - depends on the PyYAML build
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

#: A content file larger than this is refused before parsing: no real entry is
#: that long, and parsing a huge file would stall a reload.
MAX_FILE_BYTES = 1024 * 1024


@dataclasses.dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong in the content: ``file`` (relative path), 1-based ``line``."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class ContentInvalid(Exception):
    """The content has problems; ``problems`` lists every one, sorted by file and line."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = sorted(problems)
        super().__init__("\n".join(map(str, self.problems)))


class _DuplicateKey(yaml.MarkedYAMLError):
    pass


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    """Safe loader that refuses duplicate keys (PyYAML silently keeps the last one)."""

    def construct_mapping(self, node, deep=False):
        seen: set[str] = set()
        for key, _ in node.value:
            if isinstance(key, yaml.ScalarNode):
                if key.value in seen:
                    raise _DuplicateKey(
                        problem=f"'{key.value}' appears twice here — keep one of them",
                        problem_mark=key.start_mark,
                    )
                seen.add(key.value)
        return super().construct_mapping(node, deep=deep)


def _compose(text: str) -> yaml.Node | None:
    loader = _Loader(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


@dataclasses.dataclass
class _Doc:
    """One parsed file. The YAML node tree (for line numbers) is built only when a
    problem must be located: most files have none, and trees of tens of thousands
    of files would cost seconds and hundreds of megabytes."""

    path: Path
    rel: str
    data: Any
    text: str
    _node: yaml.Node | None = None

    @property
    def node(self) -> yaml.Node | None:
        if self._node is None:
            try:
                self._node = _compose(self.text)
            except yaml.YAMLError:
                return None
        return self._node

    def line(self, *path: Any) -> int:
        """1-based line of the value at ``path`` (the deepest part found)."""
        return _line_of(self.node, path)

    def release(self) -> None:
        """Free the node tree and the parsed data (the text stays for line look-ups)."""
        self._node = None
        self.data = None


class _Collector:
    def __init__(self, root: Path):
        self.root = root
        self.problems: list[Problem] = []

    def rel(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.root.parent if self.root.name else self.root))
        except ValueError:
            return str(path)

    def add(self, rel: str, line: int, message: str) -> None:
        self.problems.append(Problem(rel, max(line, 1), message))


def _read_yaml(path: Path, out: _Collector) -> _Doc | None:
    rel = out.rel(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            out.add(
                rel,
                1,
                f"the file is {size / 1_048_576:.1f} MB; a content file must be under "
                f"{MAX_FILE_BYTES // 1024} KB — is this the right file? Split it or remove it",
            )
            return None
        raw = path.read_bytes()
    except OSError as exc:
        out.add(rel, 1, f"cannot read the file ({exc.strerror})")
        return None
    if b"\x00" in raw:
        out.add(rel, 1, "this is not a text file — content files must be plain UTF-8 YAML")
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        out.add(rel, line, "the file is not saved as UTF-8 — save it as UTF-8 in your editor")
        return None
    if not text.strip():
        out.add(rel, 1, "the file is empty — write the content or delete the file")
        return None
    try:
        data = yaml.load(text, Loader=_Loader)  # a SafeLoader subclass
    except _DuplicateKey as exc:
        out.add(rel, exc.problem_mark.line + 1, exc.problem)
        return None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        out.add(rel, line, _explain_yaml_error(exc, text, line))
        return None
    except yaml.YAMLError as exc:
        out.add(rel, 1, f"YAML error: {type(exc).__name__}")
        return None
    except RecursionError:
        out.add(rel, 1, "the file is nested too deeply to be content")
        return None
    if data is None:
        out.add(rel, 1, "the file holds only comments — write the content or delete the file")
        return None
    return _Doc(path, rel, data, text)


def _explain_yaml_error(exc: yaml.MarkedYAMLError, text: str, line: int) -> str:
    lines = text.splitlines()
    bad = lines[line - 1] if 0 < line <= len(lines) else ""
    if "\t" in bad or "\\t" in str(exc):
        return "this line contains a tab — indent with spaces only (2 spaces per level)"
    problem = (exc.problem or "syntax error").strip()
    hint = "check the indentation, and put quotes around text that contains ':' or '#'"
    if "mapping values are not allowed" in problem:
        hint = "a text contains ': ' — put the whole text in quotes, e.g. title: \"Note: ...\""
    elif "could not find expected ':'" in problem:
        hint = "a key is missing its ':' or a quote is not closed"
    elif "found unexpected end of stream" in problem or "found unexpected end" in problem:
        hint = "a quote is opened but never closed"
    return f"YAML syntax error: {problem} — {hint}"


def _line_of(node: yaml.Node | None, loc: tuple[Any, ...]) -> int:
    """1-based line of the YAML node at pydantic error location ``loc`` (deepest found)."""
    if node is None:
        return 1
    line = node.start_mark.line + 1
    for part in loc:
        child = None
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.value == str(part):
                    child = value
                    break
        elif (
            isinstance(node, yaml.SequenceNode)
            and isinstance(part, int)
            and 0 <= part < len(node.value)
        ):
            child = node.value[part]
        if child is None:
            break
        node = child
        line = node.start_mark.line + 1
    return line


def _describe(error: dict[str, Any]) -> str:
    loc = [str(p) for p in error["loc"] if not str(p).startswith("function-")]
    where = ".".join(loc)
    kind = error["type"]
    msg = error["msg"].removeprefix("Value error, ")
    if kind == "extra_forbidden":
        return (
            f"unknown key '{loc[-1]}' — check its spelling; see content/README.md for the "
            "keys an entry can have"
        )
    if kind == "missing":
        return f"'{where}' is missing — every file of this kind needs it"
    if kind == "string_pattern_mismatch" and loc and loc[-1] in {"id", "category", "country"}:
        return (
            f"{where}: use lowercase letters a-z, digits and '-' only, at most 40 "
            "characters (e.g. 'remich-town-hall')"
        )
    if kind == "string_pattern_mismatch":
        return f"{where}: '{error.get('input')}' is not a language code like 'de', 'ar' or 'uk'"
    if kind in {"string_type", "dict_type", "list_type", "float_parsing", "bool_parsing"}:
        expected = {
            "string_type": "a text",
            "dict_type": "a list of 'language: text' lines",
            "list_type": "a list (lines starting with '- ', or [a, b])",
            "float_parsing": "a number",
            "bool_parsing": "true or false",
        }[kind]
        return f"{where}: expected {expected}, found {error.get('input')!r}"
    if kind in {"date_from_datetime_parsing", "date_parsing", "date_type"}:
        return f"{where}: write the date as YYYY-MM-DD, e.g. 2026-11-20"
    if kind == "literal_error" and loc and loc[-1] == "cost":
        return f"{where}: write 'free', 'paid' or 'reduced'"
    if loc and loc[0] == "scope":
        return "scope: write 'region', 'national' or a list of municipality ids like [remich]"
    if not where or (loc and msg.startswith(loc[-1])):
        return msg
    return f"{where}: {msg}"


def _validate(model: type[BaseModel], doc: _Doc, out: _Collector, *, prefix: tuple = ()) -> Any:
    data = doc.data
    for part in prefix:
        data = data[part]
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        seen: set[tuple[int, str]] = set()
        for error in exc.errors(include_url=False):
            line = _line_of(doc.node, tuple(prefix) + tuple(error["loc"]))
            message = _describe({**error, "loc": error["loc"]})
            if (line, message) not in seen:
                seen.add((line, message))
                out.add(doc.rel, line, message)
        return None


def _yaml_files(folder: Path) -> Iterator[Path]:
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return
    for name in names:
        if name.startswith("."):
            continue
        path = folder / name
        if name.endswith((".yaml", ".yml")) and path.is_file():
            yield path


def _key_line(doc: _Doc, key: str) -> int:
    return doc.line(key)


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
    doc: _Doc | None
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
        """Like :func:`load_content`; raises :class:`ContentInvalid` on any problem."""
        gc_was_enabled = gc.isenabled()
        # Loading builds millions of small objects and no cycles: the cyclic garbage
        # collector would rescan the growing heap again and again for nothing.
        gc.disable()
        try:
            return self._load(Path(root))
        finally:
            if gc_was_enabled:
                gc.enable()

    def _read_entry(self, path: Path, out: _Collector) -> _Cached:
        try:
            st = path.stat()
            key = (st.st_mtime_ns, st.st_size, st.st_ino)
        except OSError:
            key = (0, 0, 0)
        cached = self._entries.get(path)
        if cached is not None and cached.key == key and key != (0, 0, 0):
            return cached
        before = len(out.problems)
        doc = _read_yaml(path, out)
        entry = None
        if doc is not None:
            if not isinstance(doc.data, dict):
                out.add(doc.rel, 1, "an entry file must be a set of 'key: value' lines")
            else:
                entry = _validate(Entry, doc, out)
            doc.release()
        problems = out.problems[before:]
        del out.problems[before:]
        cached = _Cached(key, doc, entry, problems)
        self._entries[path] = cached
        return cached

    def _load(self, root: Path):
        from bot.content.store import Content

        out = _Collector(root)
        if not root.is_dir():
            raise ContentInvalid([Problem(str(root), 1, "the content folder does not exist")])

        categories: dict[str, Category] = {}
        cat_path = root / "categories.yaml"
        if not cat_path.is_file():
            out.add(out.rel(cat_path), 1, "categories.yaml is missing — it lists the categories")
        else:
            doc = _read_yaml(cat_path, out)
            if doc is not None:
                if not isinstance(doc.data, dict):
                    out.add(doc.rel, 1, "expected 'categories:' followed by a list of categories")
                else:
                    parsed = _validate(CategoryFile, doc, out)
                    if parsed:
                        for i, category in enumerate(parsed.categories):
                            if category.id in categories:
                                line = doc.line("categories", i, "id")
                                out.add(doc.rel, line, f"category '{category.id}' is listed twice")
                            categories[category.id] = category
        return self._load_rest(root, out, categories, Content)

    def _load_rest(self, root, out, categories, Content):
        countries: dict[str, Country] = {}
        regions: dict[str, Region] = {}
        entries: dict[str, Entry] = {}
        entry_where: dict[str, tuple[_Doc, str | None, str | None]] = {}
        region_docs: dict[str, _Doc] = {}
        seen_paths: set[Path] = set()

        def load_entries(folder: Path, region_id: str | None, country_id: str | None) -> None:
            for path in _yaml_files(folder / "entries"):
                seen_paths.add(path)
                cached = self._read_entry(path, out)
                out.problems.extend(cached.problems)
                entry, doc = cached.entry, cached.doc
                if entry is None or doc is None:
                    continue
                if entry.id in entries:
                    first = entry_where[entry.id][0]
                    out.add(
                        doc.rel,
                        _key_line(doc, "id"),
                        f"id '{entry.id}' is already used by {first.rel}:"
                        f"{_key_line(first, 'id')} — every entry needs its own id",
                    )
                    continue
                if path.stem != entry.id:
                    out.add(
                        doc.rel,
                        _key_line(doc, "id"),
                        f"the file name should be the id: rename the file to {entry.id}.yaml "
                        f"or change the id to '{path.stem}'",
                    )
                entries[entry.id] = entry
                entry_where[entry.id] = (doc, region_id, country_id)

        countries_dir = root / "countries"
        for folder in sorted(countries_dir.iterdir()) if countries_dir.is_dir() else []:
            if not folder.is_dir():
                continue
            path = folder / "country.yaml"
            if not path.is_file():
                out.add(out.rel(path), 1, "country.yaml is missing in this country folder")
                continue
            doc = _read_yaml(path, out)
            if doc is None:
                continue
            country = _validate(Country, doc, out) if isinstance(doc.data, dict) else None
            if country is None:
                if not isinstance(doc.data, dict):
                    out.add(doc.rel, 1, "country.yaml must be a set of 'key: value' lines")
                continue
            if country.id != folder.name:
                out.add(
                    doc.rel, _key_line(doc, "id"), f"id must be the folder name '{folder.name}'"
                )
            countries[country.id] = country
            load_entries(folder, None, country.id)

        regions_dir = root / "regions"
        for folder in sorted(regions_dir.iterdir()) if regions_dir.is_dir() else []:
            if not folder.is_dir():
                continue
            path = folder / "region.yaml"
            if not path.is_file():
                out.add(out.rel(path), 1, "region.yaml is missing in this region folder")
                continue
            doc = _read_yaml(path, out)
            if doc is None:
                continue
            region = _validate(Region, doc, out) if isinstance(doc.data, dict) else None
            if region is None:
                if not isinstance(doc.data, dict):
                    out.add(doc.rel, 1, "region.yaml must be a set of 'key: value' lines")
                continue
            if region.id != folder.name:
                out.add(
                    doc.rel, _key_line(doc, "id"), f"id must be the folder name '{folder.name}'"
                )
            regions[region.id] = region
            region_docs[region.id] = doc
            load_entries(folder, region.id, region.country)

        if not regions and not out.problems:
            out.add(out.rel(regions_dir), 1, "no region found — add regions/<id>/region.yaml")

        # Cross-file checks: only meaningful on files that parsed.
        municipality_region: dict[str, str] = {}
        for region in regions.values():
            doc = region_docs[region.id]
            if region.country not in countries:
                out.add(
                    doc.rel,
                    _key_line(doc, "country"),
                    f"country '{region.country}' has no folder countries/{region.country}/",
                )
            for i, municipality in enumerate(region.municipalities):
                if municipality.id in municipality_region:
                    out.add(
                        doc.rel,
                        _line_of(doc.node, ("municipalities", i, "id")),
                        f"municipality id '{municipality.id}' is already used in region "
                        f"'{municipality_region[municipality.id]}' — ids must be unique",
                    )
                municipality_region[municipality.id] = region.id
            if region.default_language not in region.name:
                out.add(
                    doc.rel,
                    _key_line(doc, "name"),
                    f"name has no {region.default_language} text — the region's default "
                    "language needs a name",
                )

        for entry_id, entry in entries.items():
            doc, region_id, country_id = entry_where[entry_id]
            if entry.category not in categories:
                known = ", ".join(categories) or "none defined"
                out.add(
                    doc.rel,
                    _key_line(doc, "category"),
                    f"unknown category '{entry.category}' — use one of: {known}",
                )
            if region_id is None:
                if entry.scope != "national":
                    out.add(
                        doc.rel,
                        _key_line(doc, "scope"),
                        "entries under countries/ are national: write 'scope: national'",
                    )
                default_language = countries[country_id].default_language if country_id else "en"
            else:
                region = regions[region_id]
                default_language = region.default_language
                if entry.scope == "national":
                    out.add(
                        doc.rel,
                        _key_line(doc, "scope"),
                        "national entries belong under countries/<country>/entries/ — move the "
                        "file there, or write 'scope: region'",
                    )
                elif isinstance(entry.scope, list):
                    known = {m.id for m in region.municipalities}
                    for i, municipality_id in enumerate(entry.scope):
                        if municipality_id not in known:
                            out.add(
                                doc.rel,
                                doc.line("scope", i),
                                f"unknown municipality '{municipality_id}' in scope — region "
                                f"'{region_id}' has: {', '.join(sorted(known))}",
                            )
            for field in ("title", "summary"):
                if default_language not in getattr(entry, field):
                    out.add(
                        doc.rel,
                        _key_line(doc, field),
                        f"{field} has no '{default_language}' text — {default_language} is the "
                        "default language here, and every entry needs it",
                    )
            for lang in sorted(set(entry.summary) - set(entry.title)):
                out.add(
                    doc.rel, _key_line(doc, "title"), f"title has no '{lang}' text but summary has"
                )

        for region in regions.values():
            if region.counselling and region.counselling not in entries:
                doc = region_docs[region.id]
                out.add(
                    doc.rel,
                    _key_line(doc, "counselling"),
                    f"counselling names entry '{region.counselling}', which does not exist",
                )

        if out.problems:
            raise ContentInvalid(out.problems)
        return Content(
            categories=categories,
            countries=countries,
            regions=regions,
            entries=entries,
            entry_region={k: v[1] for k, v in entry_where.items()},
            entry_country={k: v[2] for k, v in entry_where.items()},
            entry_files={k: v[0].rel for k, v in entry_where.items()},
        )

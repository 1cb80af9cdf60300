"""Translation status of the content, and the tools that record it in the entry files.

Every entry has a *source language*: the default language of its region or
country (``Content.default_language``). For any other language a translation is

* ``missing``  — the entry has no title or no summary in that language;
* ``complete`` — ``translated_from[lang]`` equals the hash of the current source
  text (:meth:`Entry.text_hash`): the translation was made from this version;
* ``outdated`` — anything else: the source changed after the translation was
  made, or the translation was never stamped.

Events (:mod:`bot.events`) keep no fingerprint of their source text, so an
event's translation is ``translated`` (title, and summary if the event has one)
or ``missing``: :func:`event_status`, :func:`event_coverage`.

Only the tooling writes ``translated_from`` and ``source_hash``: :func:`stamp`
after a translation was checked, :func:`minor_edit` after a typo fix in the
source that needs no re-translation, and :func:`bot.editing.po.import_po`.

Files are edited with ruamel.yaml round-trip, so comments, key order, quotes and
indentation of the untouched lines stay byte-for-byte as the editor wrote them.
"""

from __future__ import annotations

import codecs
import contextlib
import dataclasses
import io
import os
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.error import CommentMark
from ruamel.yaml.scalarstring import (
    DoubleQuotedScalarString,
    FoldedScalarString,
    LiteralScalarString,
)
from ruamel.yaml.tokens import CommentToken

from bot.content.load import load_content
from bot.content.store import Content
from bot.i18n import LANGUAGES

COMPLETE, OUTDATED, MISSING, SOURCE = "complete", "outdated", "missing", "source"
#: The three states a translation can be in, in the order tables show them.
STATUSES: tuple[str, ...] = (COMPLETE, OUTDATED, MISSING)
TRANSLATED = "translated"
#: The states of an event's translation (events have no source fingerprint).
EVENT_STATUSES: tuple[str, ...] = (TRANSLATED, MISSING)
#: The translatable fields of an entry, in file order.
FIELDS: tuple[str, ...] = ("title", "summary", "body")


class UsageError(Exception):
    """The request names something that does not exist (entry id, language, file)."""


# --------------------------------------------------------------------------- status


def status(content: Content, entry_id: str, lang: str) -> str:
    """Status of the ``lang`` translation of one entry.

    Returns ``"source"`` for the entry's source language, otherwise one of
    ``"complete"``, ``"outdated"`` or ``"missing"``.
    """
    entry = content.entries[entry_id]
    source = content.default_language(entry_id)
    if lang == source:
        return SOURCE
    if lang not in entry.title or lang not in entry.summary:
        return MISSING
    if entry.translated_from.get(lang) == entry.text_hash(source):
        return COMPLETE
    return OUTDATED


@dataclasses.dataclass
class GroupCoverage:
    """Translation status of one group of entries (a region, or a country's national
    entries). ``languages`` maps language → status → sorted entry ids; the group's
    source language is not in it (it is the source, not a translation)."""

    name: str
    source_language: str
    entry_ids: list[str]
    languages: dict[str, dict[str, list[str]]]

    def counts(self, lang: str) -> dict[str, int]:
        """Number of entries per status for ``lang``."""
        return {s: len(self.languages[lang][s]) for s in STATUSES}

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON output."""
        return {
            "name": self.name,
            "source_language": self.source_language,
            "entries": len(self.entry_ids),
            "counts": {lang: self.counts(lang) for lang in self.languages},
            "languages": self.languages,
        }


def group_of(content: Content, entry_id: str) -> str:
    """Name of the group an entry is counted in: its region id, or
    ``"<country> (national)"`` for national entries."""
    region = content.entry_region.get(entry_id)
    if region:
        return region
    return f"{content.entry_country.get(entry_id) or '?'} (national)"


def coverage(content: Content, languages: Sequence[str] = LANGUAGES) -> dict[str, GroupCoverage]:
    """Status of every translation, per group: regions first (sorted), then the
    national entries of each country. Returns group name → :class:`GroupCoverage`."""
    members: dict[str, list[str]] = {}
    for entry_id in sorted(content.entries):
        members.setdefault(group_of(content, entry_id), []).append(entry_id)
    order = sorted(members, key=lambda name: (name.endswith("(national)"), name))
    result: dict[str, GroupCoverage] = {}
    for name in order:
        ids = members[name]
        # One region (or country) has one default language, so one source language.
        source = content.default_language(ids[0])
        table: dict[str, dict[str, list[str]]] = {}
        for lang in languages:
            if lang == source:
                continue
            cells: dict[str, list[str]] = {s: [] for s in STATUSES}
            for entry_id in ids:
                cells[status(content, entry_id, lang)].append(entry_id)
            table[lang] = cells
        result[name] = GroupCoverage(name, source, ids, table)
    return result


def event_status(content: Content, event_id: str, lang: str) -> str:
    """``"translated"`` if the event has its title in ``lang`` and, when it has a
    summary at all, its summary too; otherwise ``"missing"``. Every language counts,
    the region's own included: an imported event may lack it."""
    event = content.events[event_id]
    if lang not in event.title or (event.summary and lang not in event.summary):
        return MISSING
    return TRANSLATED


@dataclasses.dataclass
class EventCoverage:
    """Translation status of the events of one group (a region, or a country's
    national events). ``languages`` maps language → status → sorted event ids."""

    name: str
    event_ids: list[str]
    languages: dict[str, dict[str, list[str]]]

    def counts(self, lang: str) -> dict[str, int]:
        """Number of events per status for ``lang``."""
        return {s: len(self.languages[lang][s]) for s in EVENT_STATUSES}

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON output."""
        return {
            "name": self.name,
            "events": len(self.event_ids),
            "counts": {lang: self.counts(lang) for lang in self.languages},
            "languages": self.languages,
        }


def event_coverage(
    content: Content, languages: Sequence[str] = LANGUAGES
) -> dict[str, EventCoverage]:
    """Status of every event translation, grouped like :func:`coverage`: regions
    first (sorted), then each country's national events. Groups without events
    are left out."""
    members: dict[str, list[str]] = {}
    for event_id in sorted(content.events):
        region = content.event_region.get(event_id)
        name = region or f"{content.event_country.get(event_id) or '?'} (national)"
        members.setdefault(name, []).append(event_id)
    order = sorted(members, key=lambda name: (name.endswith("(national)"), name))
    result: dict[str, EventCoverage] = {}
    for name in order:
        ids = members[name]
        table: dict[str, dict[str, list[str]]] = {}
        for lang in languages:
            cells: dict[str, list[str]] = {s: [] for s in EVENT_STATUSES}
            for event_id in ids:
                cells[event_status(content, event_id, lang)].append(event_id)
            table[lang] = cells
        result[name] = EventCoverage(name, ids, table)
    return result


# ----------------------------------------------------------------- round-trip files


def round_trip_yaml() -> YAML:
    """A ruamel.yaml instance that reproduces the content files byte for byte:
    2-space mappings, lists indented by 4 with the dash at 2, quotes kept, and no
    line folding (long summaries stay on one line, as editors wrote them)."""
    rt = YAML(typ="rt")
    rt.preserve_quotes = True
    rt.indent(mapping=2, sequence=4, offset=2)
    rt.width = 100_000
    rt.allow_unicode = True
    return rt


def entry_path(content_dir: str | os.PathLike[str], content: Content, entry_id: str) -> Path:
    """Path of an entry's file. ``Content.entry_files`` is relative to the content
    folder's parent (the loader's convention); this undoes exactly that."""
    root = Path(content_dir)
    base = root.parent if root.name else root
    return base / content.entry_files[entry_id]


class RoundTripFile:
    """One YAML file opened for a small edit.

    ``data`` is the ruamel.yaml round-trip tree; change it, then :meth:`save`.
    Only the lines whose values changed differ afterwards. A UTF-8 byte order
    mark and Windows line ends are kept as they were.
    """

    def __init__(self, path: str | os.PathLike[str]):
        self.path = Path(path)
        self.original = self.path.read_bytes()
        self._bom = self.original.startswith(codecs.BOM_UTF8)
        text = self.original.decode("utf-8-sig")
        self._crlf = "\r\n" in text
        self.data = round_trip_yaml().load(text.replace("\r\n", "\n"))

    def dumps(self) -> bytes:
        """The file as it would be written now."""
        buf = io.StringIO()
        round_trip_yaml().dump(self.data, buf)
        text = buf.getvalue()
        if self._crlf:
            text = text.replace("\n", "\r\n")
        return (codecs.BOM_UTF8 if self._bom else b"") + text.encode("utf-8")

    def save(self) -> bool:
        """Write the file if it changed; True if it was written."""
        new = self.dumps()
        if new == self.original:
            return False
        _atomic_write(self.path, new)
        return True

    def restore(self) -> None:
        """Put the file back as it was when opened."""
        _atomic_write(self.path, self.original)


def _atomic_write(path: Path, data: bytes) -> None:
    # The bot may reload the content while we write: write a hidden temporary file
    # (the loader skips dot files) and rename it, so it never sees half a file.
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        with contextlib.suppress(OSError):  # keep the file's permissions
            os.chmod(tmp, path.stat().st_mode & 0o7777)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _is_block(value: Any) -> bool:
    return isinstance(value, LiteralScalarString | FoldedScalarString)


def _deepest_last(mapping: CommentedMap, key: Any) -> tuple[CommentedMap, Any]:
    # ruamel.yaml stores comment lines that follow a nested block mapping on that
    # mapping's last key, however deep: walk down to it.
    while (
        isinstance(mapping[key], CommentedMap)
        and len(mapping[key])
        and not mapping[key].fa.flow_style()
    ):
        mapping = mapping[key]
        key = next(reversed(mapping))
    return mapping, key


def _take_trailing(mapping: CommentedMap, key: Any) -> str:
    """Remove and return the full comment lines (and blank lines) that follow
    ``key``'s value; an end-of-line comment stays where it is."""
    mapping, key = _deepest_last(mapping, key)
    item = mapping.ca.items.get(key)
    if not item or len(item) < 3 or item[2] is None:
        return ""
    token = item[2]
    value = token.value
    if not _is_block(mapping[key]) and value.startswith("#"):
        try:
            same_line = token.start_mark.line == mapping.lc.key(key)[0]
        except (AttributeError, KeyError, TypeError):
            same_line = False
        if same_line:  # "fr: text  # note": keep the note on its line
            first, _, rest = value.partition("\n")
            token.value = first + "\n"
            return rest
    item[2] = None
    if value.startswith("\n"):  # after a one-line value the token starts with its line end
        return value[1:]
    return " " * token.start_mark.column + value


def _give_trailing(mapping: CommentedMap, key: Any, text: str) -> None:
    mapping, key = _deepest_last(mapping, key)
    if _is_block(mapping[key]):
        stripped = text.lstrip(" ")
        token = CommentToken(stripped, CommentMark(len(text) - len(stripped)), None)
    else:
        token = CommentToken("\n" + text, CommentMark(0), None)
    mapping.ca.items.setdefault(key, [None, None, None, None])[2] = token


def put(mapping: CommentedMap, key: str, value: Any) -> None:
    """Set ``mapping[key]``; a new key goes at the end of the mapping.

    Comment lines that followed the old last value (usually a note about the next
    key of the parent mapping) stay after the new key, so they remain next to what
    they describe.
    """
    if key in mapping:
        old = mapping[key]
        if _is_block(old) != _is_block(value):
            # A block scalar and a one-line value store following comments differently.
            rest = _take_trailing(mapping, key)
            mapping[key] = value
            if rest:
                _give_trailing(mapping, key, rest)
        else:
            mapping[key] = value
        return
    last = next(reversed(mapping)) if len(mapping) else None
    rest = _take_trailing(mapping, last) if last is not None else ""
    mapping[key] = value
    if rest:
        _give_trailing(mapping, key, rest)


_PYYAML_RESOLVER = yaml.resolver.Resolver()


def text_scalar(text: str) -> Any:
    """The YAML scalar to write for a text: a literal block (``|``) for several
    lines, double quotes where PyYAML (YAML 1.1, what the bot reads with) would
    read the bare text as something else (``no``, ``1:30``, ``2026-01-01``),
    otherwise a plain string (ruamel.yaml still quotes it if YAML requires)."""
    if "\n" in text:
        return LiteralScalarString(text.rstrip("\n") + "\n")
    if _PYYAML_RESOLVER.resolve(yaml.ScalarNode, text, (True, False)) != "tag:yaml.org,2002:str":
        return DoubleQuotedScalarString(text)
    return text


def set_hashes(
    data: CommentedMap, translated: dict[str, str], source_hash: str | None = None
) -> None:
    """Record ``translated_from[lang] = hash`` for each item of ``translated`` and,
    if given, ``source_hash``. Existing keys keep their place; new ones go at the end.
    Hashes are quoted: one made of digits only would otherwise read as a number."""
    if translated:
        if not isinstance(data.get("translated_from"), dict):
            put(data, "translated_from", CommentedMap())
        table = data["translated_from"]
        for lang, value in translated.items():
            if table.get(lang) != value:
                put(table, lang, DoubleQuotedScalarString(value))
    if source_hash is not None and data.get("source_hash") != source_hash:
        put(data, "source_hash", DoubleQuotedScalarString(source_hash))


# ----------------------------------------------------------------------- stamping


@dataclasses.dataclass
class StampResult:
    """``stamped``: entry id → languages now recorded as made from the current
    source; ``skipped``: entry id → requested languages the entry has no title
    and summary in (only reported for entries named explicitly)."""

    stamped: dict[str, list[str]] = dataclasses.field(default_factory=dict)
    skipped: dict[str, list[str]] = dataclasses.field(default_factory=dict)
    files: list[Path] = dataclasses.field(default_factory=list)


def _check_ids(content: Content, entry_ids: Iterable[str]) -> list[str]:
    ids = list(dict.fromkeys(entry_ids))
    unknown = [i for i in ids if i not in content.entries]
    if unknown:
        raise UsageError(f"unknown entry id: {', '.join(unknown)}")
    return ids


def stamp(
    content_dir: str | os.PathLike[str],
    entry_ids: Iterable[str] | None = None,
    languages: Iterable[str] | None = None,
) -> StampResult:
    """Mark translations as made from the current source text.

    For each entry (default: all) and each language (default: every language the
    entry has a title and summary in, except the source), set
    ``translated_from[lang]`` and ``source_hash`` to the hash of the current
    source text. Files that would not change are not written.

    Raises :class:`~bot.content.load.ContentInvalid` for invalid content and
    :class:`UsageError` for an unknown entry id.
    """
    content = load_content(content_dir)
    named = entry_ids is not None
    ids = _check_ids(content, entry_ids) if named else sorted(content.entries)
    wanted_langs = list(dict.fromkeys(languages)) if languages is not None else None
    result = StampResult()
    for entry_id in ids:
        entry = content.entries[entry_id]
        source = content.default_language(entry_id)
        present = [lang for lang in entry.title if lang in entry.summary and lang != source]
        if wanted_langs is None:
            langs = present
        else:
            langs = [lang for lang in wanted_langs if lang in present]
            absent = [lang for lang in wanted_langs if lang not in present and lang != source]
            if named and absent:
                result.skipped[entry_id] = absent
        if not langs:
            continue
        current = entry.text_hash(source)
        result.stamped[entry_id] = langs
        recorded = all(entry.translated_from.get(lang) == current for lang in langs)
        if recorded and entry.source_hash == current:
            continue  # already stamped: leave the file alone (and skip parsing it)
        doc = RoundTripFile(entry_path(content_dir, content, entry_id))
        set_hashes(doc.data, dict.fromkeys(langs, current), current)
        if doc.save():
            result.files.append(doc.path)
    return result


@dataclasses.dataclass
class MinorEditResult:
    """What :func:`minor_edit` did. ``moved``: languages that were up to date and
    now point to the new source text; ``outdated``: translations that were
    already outdated and stay so; ``unknown_before``: True when the entry had no
    ``source_hash``, so nothing could be moved."""

    entry_id: str
    old_hash: str | None
    new_hash: str
    moved: list[str]
    outdated: list[str]
    unknown_before: bool = False

    @property
    def unchanged(self) -> bool:
        """True when the source text is the one last stamped: nothing to do."""
        return self.old_hash == self.new_hash


def minor_edit(content_dir: str | os.PathLike[str], entry_id: str) -> MinorEditResult:
    """Record that the last change to the source text was minor (a typo fix).

    Every translation that was up to date before the edit (``translated_from``
    equals the recorded ``source_hash``) moves to the new source hash; outdated
    translations stay outdated; ``source_hash`` becomes the new hash.

    Raises ``ContentInvalid`` for invalid content, :class:`UsageError` for an
    unknown entry id.
    """
    content = load_content(content_dir)
    _check_ids(content, [entry_id])
    entry = content.entries[entry_id]
    source = content.default_language(entry_id)
    new = entry.text_hash(source)
    old = entry.source_hash
    translations = {lang: value for lang, value in entry.translated_from.items() if lang != source}
    if old == new:
        outdated = [lang for lang, value in translations.items() if value != new]
        return MinorEditResult(entry_id, old, new, [], outdated)
    moved = [lang for lang, value in translations.items() if old is not None and value == old]
    outdated = [lang for lang, value in translations.items() if value != new and lang not in moved]
    doc = RoundTripFile(entry_path(content_dir, content, entry_id))
    set_hashes(doc.data, dict.fromkeys(moved, new), new)
    doc.save()
    return MinorEditResult(entry_id, old, new, moved, outdated, unknown_before=old is None)
